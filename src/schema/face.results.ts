import { createUnionType, Field, ObjectType } from 'type-graphql';
import { BoundingBox } from './bounding-box.type.js';
import { FaceDeletionFailureReason } from './enums.js';
import {
  CollectionNotFound,
  InvalidImage,
  InvalidInput,
  ProviderUnavailable,
  QuotaExceeded,
  Throttled,
  UnsupportedOperation,
} from './errors.types.js';
import { Face } from './face.type.js';

@ObjectType()
export class UnindexedFace {
  @Field(() => BoundingBox)
  boundingBox!: BoundingBox;

  @Field(() => [String], { description: 'Rekognition reasons, e.g. EXCEEDS_MAX_FACES, SMALL_BOUNDING_BOX.' })
  reasons!: string[];
}

@ObjectType()
export class IndexFacesSuccess {
  @Field(() => [Face])
  faces!: Face[];

  @Field(() => [UnindexedFace])
  unindexedFaces!: UnindexedFace[];

  @Field(() => String, { nullable: true })
  faceModelVersion!: string | null;
}

export const IndexFacesMembers = [
  IndexFacesSuccess,
  CollectionNotFound,
  InvalidInput,
  InvalidImage,
  QuotaExceeded,
  Throttled,
  UnsupportedOperation,
  ProviderUnavailable,
] as const;
export const IndexFacesResult = createUnionType({ name: 'IndexFacesResult', types: () => IndexFacesMembers });

@ObjectType()
export class UnsuccessfulFaceDeletion {
  @Field()
  faceId!: string;

  @Field(() => String, { nullable: true })
  userId!: string | null;

  @Field(() => [FaceDeletionFailureReason])
  reasons!: FaceDeletionFailureReason[];
}

@ObjectType()
export class DeleteFacesSuccess {
  @Field(() => [String])
  deletedFaceIds!: string[];

  @Field(() => [UnsuccessfulFaceDeletion])
  unsuccessfulFaceDeletions!: UnsuccessfulFaceDeletion[];
}

export const DeleteFacesMembers = [DeleteFacesSuccess, CollectionNotFound, InvalidInput, Throttled, ProviderUnavailable] as const;
export const DeleteFacesResult = createUnionType({ name: 'DeleteFacesResult', types: () => DeleteFacesMembers });
