import { createUnionType, Field, Float, ObjectType } from 'type-graphql';
import {
  Forbidden,
  InvalidImage,
  InvalidInput,
  NoFaceDetected,
  ProviderUnavailable,
  Throttled,
  UnsupportedOperation,
} from './errors.types.js';
import { FaceDetail } from './face-detail.type.js';

@ObjectType()
export class CompareFacesMatch {
  @Field(() => Float)
  similarity!: number;

  @Field(() => FaceDetail)
  face!: FaceDetail;
}

@ObjectType()
export class CompareFacesSuccess {
  @Field(() => FaceDetail, { description: 'The largest face of the source image.' })
  sourceFace!: FaceDetail;

  @Field(() => [CompareFacesMatch], { description: 'Highest similarity first.' })
  faceMatches!: CompareFacesMatch[];

  @Field(() => [FaceDetail])
  unmatchedFaces!: FaceDetail[];
}

export const CompareFacesMembers = [
  CompareFacesSuccess,
  NoFaceDetected,
  InvalidImage,
  InvalidInput,
  Forbidden,
  ProviderUnavailable,
  Throttled,
  UnsupportedOperation,
] as const;
export const CompareFacesResult = createUnionType({ name: 'CompareFacesResult', types: () => CompareFacesMembers });
