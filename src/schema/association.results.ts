import { createUnionType, Field, Float, ObjectType } from 'type-graphql';
import { AssociationFailureReason, DisassociationFailureReason, UserStatus } from './enums.js';
import {
  CollectionNotFound,
  Forbidden,
  IdempotencyConflict,
  InvalidInput,
  ProviderUnavailable,
  QuotaExceeded,
  Throttled,
  UnsupportedOperation,
  UserNotFound,
} from './errors.types.js';
import { Face } from './face.type.js';
import { User } from './user.type.js';

@ObjectType()
export class UnsuccessfulFaceAssociation {
  @Field()
  faceId!: string;

  @Field(() => String, { nullable: true })
  userId!: string | null;

  @Field(() => Float, { nullable: true })
  confidence!: number | null;

  @Field(() => [AssociationFailureReason])
  reasons!: AssociationFailureReason[];

  /** Reasons the provider gave that `reasons` cannot name (added by the provider after this gateway was built), verbatim. */
  @Field(() => [String], {
    description: 'Reasons the provider gave that `reasons` cannot name (added by the provider after this gateway was built), verbatim.',
  })
  providerReasons!: string[];
}

@ObjectType()
export class AssociateFacesSuccess {
  @Field(() => [Face])
  associatedFaces!: Face[];

  @Field(() => [UnsuccessfulFaceAssociation])
  unsuccessfulFaceAssociations!: UnsuccessfulFaceAssociation[];

  @Field(() => UserStatus)
  userStatus!: UserStatus;

  @Field(() => User)
  user!: User;
}

export const AssociateFacesMembers = [
  AssociateFacesSuccess,
  CollectionNotFound,
  UserNotFound,
  InvalidInput,
  IdempotencyConflict,
  QuotaExceeded,
  Throttled,
  UnsupportedOperation,
  ProviderUnavailable,
  Forbidden,
] as const;
export const AssociateFacesResult = createUnionType({ name: 'AssociateFacesResult', types: () => AssociateFacesMembers });

@ObjectType()
export class UnsuccessfulFaceDisassociation {
  @Field()
  faceId!: string;

  @Field(() => String, { nullable: true })
  userId!: string | null;

  @Field(() => [DisassociationFailureReason])
  reasons!: DisassociationFailureReason[];

  /** Reasons the provider gave that `reasons` cannot name (added by the provider after this gateway was built), verbatim. */
  @Field(() => [String], {
    description: 'Reasons the provider gave that `reasons` cannot name (added by the provider after this gateway was built), verbatim.',
  })
  providerReasons!: string[];
}

@ObjectType()
export class DisassociateFacesSuccess {
  @Field(() => [Face])
  disassociatedFaces!: Face[];

  @Field(() => [UnsuccessfulFaceDisassociation])
  unsuccessfulFaceDisassociations!: UnsuccessfulFaceDisassociation[];

  @Field(() => UserStatus)
  userStatus!: UserStatus;

  @Field(() => User)
  user!: User;
}

export const DisassociateFacesMembers = [
  DisassociateFacesSuccess,
  CollectionNotFound,
  UserNotFound,
  InvalidInput,
  IdempotencyConflict,
  Throttled,
  UnsupportedOperation,
  ProviderUnavailable,
  Forbidden,
] as const;
export const DisassociateFacesResult = createUnionType({ name: 'DisassociateFacesResult', types: () => DisassociateFacesMembers });
