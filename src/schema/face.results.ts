import { createUnionType, Field, ObjectType } from 'type-graphql';
import { BoundingBox } from './bounding-box.type.js';
import { FaceDeletionFailureReason } from './enums.js';
import {
  CollectionNotFound,
  Forbidden,
  InvalidImage,
  InvalidInput,
  ProviderUnavailable,
  QuotaExceeded,
  Throttled,
  UnsupportedOperation,
} from './errors.types.js';
import { FaceDetail } from './face-detail.type.js';
import { Face } from './face.type.js';

@ObjectType()
export class UnindexedFace {
  @Field(() => BoundingBox)
  boundingBox!: BoundingBox;

  @Field(() => [String], {
    description:
      'Every provider reason, never collapsed: EXCEEDS_MAX_FACES, EXTREME_POSE, LOW_BRIGHTNESS, LOW_SHARPNESS, LOW_CONFIDENCE, SMALL_BOUNDING_BOX, LOW_FACE_QUALITY.',
  })
  reasons!: string[];
}

/** An indexed face with what detection saw of it (GraphQL `FaceRecord`; the domain's FaceRecord is the face alone). */
@ObjectType('FaceRecord')
export class IndexedFaceRecord {
  @Field(() => Face)
  face!: Face;

  @Field(() => FaceDetail)
  faceDetail!: FaceDetail;
}

@ObjectType()
export class IndexFacesSuccess {
  @Field(() => [Face])
  faces!: Face[];

  @Field(() => [IndexedFaceRecord], { description: 'The faces of `faces`, in the same order, each with its FaceDetail.' })
  faceRecords!: IndexedFaceRecord[];

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
  Forbidden,
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

  /** Reasons the provider gave that `reasons` cannot name (added by the provider after this gateway was built), verbatim. */
  @Field(() => [String], {
    description: 'Reasons the provider gave that `reasons` cannot name (added by the provider after this gateway was built), verbatim.',
  })
  providerReasons!: string[];
}

@ObjectType()
export class DeleteFacesSuccess {
  @Field(() => [String])
  deletedFaceIds!: string[];

  @Field(() => [UnsuccessfulFaceDeletion])
  unsuccessfulFaceDeletions!: UnsuccessfulFaceDeletion[];
}

export const DeleteFacesMembers = [
  DeleteFacesSuccess,
  CollectionNotFound,
  InvalidInput,
  Throttled,
  ProviderUnavailable,
  Forbidden,
] as const;
export const DeleteFacesResult = createUnionType({ name: 'DeleteFacesResult', types: () => DeleteFacesMembers });
