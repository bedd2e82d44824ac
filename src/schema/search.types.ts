import { createUnionType, Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { BoundingBox } from './bounding-box.type.js';
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
import { QualityFilter } from './face-details.enums.js';
import { CollectionRef, ImageInput } from './inputs.js';
import { User } from './user.type.js';

@InputType()
export class SearchUsersByImageInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field(() => ImageInput)
  image!: ImageInput;

  @Field(() => Float, { nullable: true, defaultValue: 80 })
  userMatchThreshold?: number | null;

  @Field(() => Int, { nullable: true, defaultValue: 10 })
  maxUsers?: number | null;

  @Field(() => QualityFilter, {
    nullable: true,
    defaultValue: 'NONE',
    description: "The largest face is searched only if it passes (NONE: Rekognition's default for this call).",
  })
  qualityFilter?: QualityFilter | null;
}

@ObjectType()
export class UserMatch {
  @Field(() => Float)
  similarity!: number;

  @Field(() => User)
  user!: User;
}

@ObjectType()
export class DetectedFace {
  @Field(() => BoundingBox)
  boundingBox!: BoundingBox;

  @Field(() => Float)
  confidence!: number;
}

@ObjectType()
export class SearchUsersByImageSuccess {
  @Field(() => [UserMatch])
  userMatches!: UserMatch[];

  @Field(() => DetectedFace, { nullable: true })
  searchedFace!: DetectedFace | null;

  @Field(() => [FaceDetail], { description: "The image's other faces, not searched (Rekognition UnsearchedFaces)." })
  unsearchedFaces!: FaceDetail[];
}

export const SearchUsersByImageMembers = [
  SearchUsersByImageSuccess,
  CollectionNotFound,
  InvalidInput,
  InvalidImage,
  Throttled,
  UnsupportedOperation,
  ProviderUnavailable,
  Forbidden,
] as const;
export const SearchUsersByImageResult = createUnionType({ name: 'SearchUsersByImageResult', types: () => SearchUsersByImageMembers });
