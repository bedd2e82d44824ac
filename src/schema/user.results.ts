import { createUnionType, Field, ObjectType } from 'type-graphql';
import {
  CollectionNotFound,
  Forbidden,
  IdempotencyConflict,
  InvalidInput,
  ProviderUnavailable,
  QuotaExceeded,
  Throttled,
  UnsupportedOperation,
  UserAlreadyExists,
  UserNotFound,
} from './errors.types.js';
import { User } from './user.type.js';

@ObjectType()
export class CreateUserSuccess {
  @Field(() => User)
  user!: User;
}

export const CreateUserMembers = [
  CreateUserSuccess,
  CollectionNotFound,
  UserAlreadyExists,
  InvalidInput,
  IdempotencyConflict,
  QuotaExceeded,
  Throttled,
  UnsupportedOperation,
  ProviderUnavailable,
  Forbidden,
] as const;
export const CreateUserResult = createUnionType({ name: 'CreateUserResult', types: () => CreateUserMembers });

@ObjectType()
export class DeleteUserSuccess {
  @Field()
  userId!: string;

  @Field(() => [String], { description: 'The faces deleted with the user: empty unless the input asked for deleteFaces.' })
  deletedFaceIds!: string[];
}

export const DeleteUserMembers = [
  DeleteUserSuccess,
  CollectionNotFound,
  UserNotFound,
  InvalidInput,
  IdempotencyConflict,
  Throttled,
  ProviderUnavailable,
  Forbidden,
] as const;
export const DeleteUserResult = createUnionType({ name: 'DeleteUserResult', types: () => DeleteUserMembers });
