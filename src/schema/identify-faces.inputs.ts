import { Field, Float, InputType, Int } from 'type-graphql';
import { QualityFilter } from './face-details.enums.js';
import { CollectionRef, ImageInput } from './inputs.js';

@InputType({
  description: 'Every face of the image (largest first, up to maxFaces) with its candidate users (Azure Identify, CompreFace recognize).',
})
export class IdentifyFacesInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field(() => ImageInput)
  image!: ImageInput;

  @Field(() => Int, { nullable: true, defaultValue: 10, description: '1..100; the other faces are unsearched.' })
  maxFaces?: number | null;

  @Field(() => Int, { nullable: true, defaultValue: 1, description: '1..100.' })
  maxUsersPerFace?: number | null;

  @Field(() => Float, { nullable: true, defaultValue: 80, description: '0..100.' })
  userMatchThreshold?: number | null;

  @Field(() => QualityFilter, { nullable: true, defaultValue: 'NONE', description: 'Faces below the bar are unsearched.' })
  qualityFilter?: QualityFilter | null;
}
