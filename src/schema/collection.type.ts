import { Field, Int, ObjectType } from 'type-graphql';
import type { CollectionRecord } from '../domain/records.js';
import { defineGlobalId } from '../domain/global-id.js';
import { Node } from './node.interface.js';

/** A collection of users and faces on one provider instance. */
@ObjectType({ implements: Node, simpleResolvers: true })
export class Collection extends Node {
  /** Provider instance name; resolved to `provider` by the collection resolver. */
  providerName!: string;

  @Field()
  collectionId!: string;

  @Field(() => String, { nullable: true })
  faceModelVersion!: string | null;

  @Field(() => Int)
  faceCount!: number;

  @Field(() => Int)
  userCount!: number;

  @Field(() => Date, { nullable: true })
  createdAt!: Date | null;

  static from(providerName: string, r: CollectionRecord): Collection {
    return Object.assign(new Collection(), {
      providerName,
      collectionId: r.collectionId,
      faceModelVersion: r.faceModelVersion,
      faceCount: r.faceCount,
      userCount: r.userCount,
      createdAt: r.createdAt,
    });
  }
}

defineGlobalId(Collection, 'Collection', (c) => [c.providerName, c.collectionId]);
