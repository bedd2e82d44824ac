import { Field, Int, ObjectType } from 'type-graphql';
import type { SnapshotRecord } from '../domain/operation-records.js';
import { toGlobalId } from '../domain/global-id.js';
import { Node } from './node.interface.js';

@ObjectType()
export class CollectionRefValue {
  @Field()
  provider!: string;

  @Field()
  collectionId!: string;
}

/** A portable copy of a collection; apply it to create a new collection anywhere. */
@ObjectType({ implements: Node })
export class Snapshot extends Node {
  @Field(() => CollectionRefValue)
  source!: CollectionRefValue;

  @Field(() => [String], { description: 'Tenant ids allowed to apply it; empty means only the owner.' })
  applyScope!: string[];

  @Field(() => String, { nullable: true })
  userData!: string | null;

  @Field(() => Int)
  userCount!: number;

  @Field(() => Int)
  faceCount!: number;

  @Field()
  createdAt!: Date;

  @Field()
  lastUpdatedAt!: Date;

  @Field()
  expiresAt!: Date;

  static from(r: SnapshotRecord): Snapshot {
    return Object.assign(new Snapshot(), {
      id: toGlobalId('Snapshot', r.id),
      source: Object.assign(new CollectionRefValue(), r.source),
      applyScope: r.applyScope,
      userData: r.userData,
      userCount: r.userCount,
      faceCount: r.faceCount,
      createdAt: r.createdAt,
      lastUpdatedAt: r.lastUpdatedAt,
      expiresAt: r.expiresAt,
    });
  }
}
