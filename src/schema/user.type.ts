import { Field, ObjectType } from 'type-graphql';
import type { UserRecord } from '../datasources/provider.js';
import { UserStatus } from './enums.js';
import { toGlobalId } from './global-id.js';
import { Node } from './node.interface.js';

/** A person in a collection, addressed by a client-chosen userId. */
@ObjectType({ implements: Node })
export class User extends Node {
  providerName!: string;
  collectionId!: string;

  @Field()
  userId!: string;

  @Field(() => UserStatus)
  status!: UserStatus;

  static from(providerName: string, r: UserRecord): User {
    return Object.assign(new User(), {
      id: toGlobalId('User', providerName, r.collectionId, r.userId),
      providerName,
      collectionId: r.collectionId,
      userId: r.userId,
      status: r.status,
    });
  }
}
