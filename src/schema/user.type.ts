import { Field, ObjectType } from 'type-graphql';
import type { UserRecord } from '../domain/records.js';
import { UserStatus } from './enums.js';
import { defineGlobalId } from '../domain/global-id.js';
import { Node } from './node.interface.js';

/** A person in a collection, addressed by a client-chosen userId. */
@ObjectType({ implements: Node, simpleResolvers: true })
export class User extends Node {
  providerName!: string;
  collectionId!: string;

  @Field()
  userId!: string;

  @Field(() => UserStatus)
  status!: UserStatus;

  static from(providerName: string, r: UserRecord): User {
    return Object.assign(new User(), {
      providerName,
      collectionId: r.collectionId,
      userId: r.userId,
      status: r.status,
    });
  }
}

defineGlobalId(User, 'User', (u) => [u.providerName, u.collectionId, u.userId]);
