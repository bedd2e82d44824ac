import { Field, Float, InputType } from 'type-graphql';
import { CollectionRef, ImageInput } from './inputs.js';

@InputType({
  description: "Is the largest face of image this user? Azure Verify face-to-person; elsewhere the best similarity to the user's faces.",
})
export class VerifyUserInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field()
  userId!: string;

  @Field(() => ImageInput)
  image!: ImageInput;

  @Field(() => Float, { nullable: true, defaultValue: 80, description: 'isMatch is similarity >= this.' })
  userMatchThreshold?: number | null;
}
