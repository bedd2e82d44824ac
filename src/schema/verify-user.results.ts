import { createUnionType, Field, Float, ObjectType } from 'type-graphql';
import {
  CollectionNotFound,
  Forbidden,
  InvalidImage,
  InvalidInput,
  NoFaceDetected,
  ProviderUnavailable,
  Throttled,
  UnsupportedOperation,
  UserNotFound,
} from './errors.types.js';
import { FaceDetail } from './face-detail.type.js';
import { User } from './user.type.js';

@ObjectType()
export class VerifyUserSuccess {
  @Field()
  isMatch!: boolean;

  @Field(() => Float, { description: '0..100; 0 for a user with no faces.' })
  similarity!: number;

  @Field(() => FaceDetail)
  searchedFace!: FaceDetail;

  @Field(() => User)
  user!: User;
}

export const VerifyUserMembers = [
  VerifyUserSuccess,
  CollectionNotFound,
  UserNotFound,
  NoFaceDetected,
  InvalidImage,
  InvalidInput,
  Forbidden,
  ProviderUnavailable,
  Throttled,
  UnsupportedOperation,
] as const;
export const VerifyUserResult = createUnionType({ name: 'VerifyUserResult', types: () => VerifyUserMembers });
