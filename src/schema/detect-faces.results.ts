import { createUnionType, Field, ObjectType } from 'type-graphql';
import { Forbidden, InvalidImage, InvalidInput, ProviderUnavailable, Throttled, UnsupportedOperation } from './errors.types.js';
import { FaceDetail } from './face-detail.type.js';

@ObjectType()
export class DetectFacesSuccess {
  @Field(() => [FaceDetail], { description: 'Largest first; empty when the image has no face.' })
  faces!: FaceDetail[];
}

export const DetectFacesMembers = [
  DetectFacesSuccess,
  InvalidImage,
  InvalidInput,
  Forbidden,
  ProviderUnavailable,
  Throttled,
  UnsupportedOperation,
] as const;
export const DetectFacesResult = createUnionType({ name: 'DetectFacesResult', types: () => DetectFacesMembers });
