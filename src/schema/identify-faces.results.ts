import { createUnionType, Field, ObjectType } from 'type-graphql';
import {
  CollectionNotFound,
  Forbidden,
  InvalidImage,
  InvalidInput,
  ProviderUnavailable,
  Throttled,
  UnsupportedOperation,
} from './errors.types.js';
import { FaceDetail } from './face-detail.type.js';
import { UserMatch } from './search.types.js';

@ObjectType()
export class IdentifiedFace {
  @Field(() => FaceDetail)
  face!: FaceDetail;

  @Field(() => [UserMatch], { description: 'Highest similarity first, at most maxUsersPerFace.' })
  userMatches!: UserMatch[];
}

@ObjectType()
export class IdentifyFacesSuccess {
  @Field(() => [IdentifiedFace], { description: 'Largest first.' })
  faces!: IdentifiedFace[];

  @Field(() => [FaceDetail], { description: 'Faces beyond maxFaces or below the quality bar.' })
  unsearchedFaces!: FaceDetail[];
}

export const IdentifyFacesMembers = [
  IdentifyFacesSuccess,
  CollectionNotFound,
  InvalidImage,
  InvalidInput,
  Forbidden,
  ProviderUnavailable,
  Throttled,
  UnsupportedOperation,
] as const;
export const IdentifyFacesResult = createUnionType({ name: 'IdentifyFacesResult', types: () => IdentifyFacesMembers });
