import { Field, Float, InputType } from 'type-graphql';
import { QualityFilter } from './face-details.enums.js';
import { ImageInput } from './inputs.js';

@InputType({ description: 'The largest face of sourceImage against every face of targetImage (Rekognition CompareFaces).' })
export class CompareFacesInput {
  @Field()
  provider!: string;

  @Field(() => ImageInput)
  sourceImage!: ImageInput;

  @Field(() => ImageInput)
  targetImage!: ImageInput;

  @Field(() => Float, { nullable: true, defaultValue: 80, description: '0..100: target faces at or above are matches.' })
  similarityThreshold?: number | null;

  @Field(() => QualityFilter, { nullable: true, defaultValue: 'NONE', description: 'Target faces below the bar are left out.' })
  qualityFilter?: QualityFilter | null;
}
