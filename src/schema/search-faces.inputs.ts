import { Field, Float, InputType, Int } from 'type-graphql';
import { QualityFilter } from './face-details.enums.js';
import { CollectionRef, ImageInput } from './inputs.js';

@InputType({
  description:
    'Faces of the collection like an indexed face (Rekognition SearchFaces, Azure FindSimilar). The face itself is not returned.',
})
export class SearchFacesInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field()
  faceId!: string;

  @Field(() => Int, { nullable: true, defaultValue: 100, description: '1..4096.' })
  maxFaces?: number | null;

  @Field(() => Float, { nullable: true, defaultValue: 80, description: '0..100.' })
  faceMatchThreshold?: number | null;
}

@InputType({ description: 'Faces of the collection like the largest face of an image (Rekognition SearchFacesByImage).' })
export class SearchFacesByImageInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field(() => ImageInput)
  image!: ImageInput;

  @Field(() => Int, { nullable: true, defaultValue: 100, description: '1..4096.' })
  maxFaces?: number | null;

  @Field(() => Float, { nullable: true, defaultValue: 80, description: '0..100.' })
  faceMatchThreshold?: number | null;

  @Field(() => QualityFilter, { nullable: true, defaultValue: 'NONE' })
  qualityFilter?: QualityFilter | null;
}
