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
} from './errors.types.js';
import { FaceDetail } from './face-detail.type.js';
import { Face } from './face.type.js';

@ObjectType()
export class FaceMatch {
  @Field(() => Float)
  similarity!: number;

  @Field(() => Face)
  face!: Face;
}

@ObjectType()
export class SearchFacesSuccess {
  @Field()
  searchedFaceId!: string;

  @Field(() => [FaceMatch], { description: 'Highest similarity first; never the searched face.' })
  faceMatches!: FaceMatch[];
}

export const SearchFacesMembers = [
  SearchFacesSuccess,
  CollectionNotFound,
  InvalidInput,
  Forbidden,
  ProviderUnavailable,
  Throttled,
  UnsupportedOperation,
] as const;
export const SearchFacesResult = createUnionType({ name: 'SearchFacesResult', types: () => SearchFacesMembers });

@ObjectType()
export class SearchFacesByImageSuccess {
  @Field(() => FaceDetail)
  searchedFace!: FaceDetail;

  @Field(() => [FaceMatch], { description: 'Highest similarity first.' })
  faceMatches!: FaceMatch[];
}

export const SearchFacesByImageMembers = [
  SearchFacesByImageSuccess,
  CollectionNotFound,
  NoFaceDetected,
  InvalidImage,
  InvalidInput,
  Forbidden,
  ProviderUnavailable,
  Throttled,
  UnsupportedOperation,
] as const;
export const SearchFacesByImageResult = createUnionType({ name: 'SearchFacesByImageResult', types: () => SearchFacesByImageMembers });
