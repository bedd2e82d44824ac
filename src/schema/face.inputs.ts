import { Field, InputType, Int } from 'type-graphql';
import { FaceAttribute, QualityFilter } from './face-details.enums.js';
import { CollectionRef, ImageInput } from './inputs.js';

@InputType()
export class IndexFacesInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field(() => ImageInput)
  image!: ImageInput;

  @Field(() => String, { nullable: true })
  externalImageId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Index at most this many faces, largest first (1..100). Default 100.' })
  maxFaces?: number | null;

  @Field(() => QualityFilter, {
    nullable: true,
    defaultValue: 'AUTO',
    description: "Faces below the bar are not indexed (unindexed with the provider's reason). AUTO is Rekognition's IndexFaces default.",
  })
  qualityFilter?: QualityFilter | null;

  @Field(() => [FaceAttribute], {
    nullable: true,
    defaultValue: ['DEFAULT'],
    description: 'What faceRecords[].faceDetail holds besides the DEFAULT set; each attribute must be advertised by the provider.',
  })
  detectionAttributes?: FaceAttribute[] | null;
}

@InputType()
export class DeleteFacesInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field(() => [String], { description: '1..4096 face ids.' })
  faceIds!: string[];
}
