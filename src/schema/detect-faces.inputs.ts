import { Field, InputType } from 'type-graphql';
import { FaceAttribute } from './face-details.enums.js';
import { ImageInput } from './inputs.js';

@InputType({ description: 'No collection: detection runs on the named provider instance. Up to 100 faces, largest first.' })
export class DetectFacesInput {
  @Field()
  provider!: string;

  @Field(() => ImageInput)
  image!: ImageInput;

  @Field(() => [FaceAttribute], { nullable: true, defaultValue: ['DEFAULT'] })
  attributes?: FaceAttribute[] | null;
}
