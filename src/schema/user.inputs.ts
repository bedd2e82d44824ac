import { Field, InputType } from 'type-graphql';
import { CollectionRef } from './inputs.js';

@InputType()
export class CreateUserInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field()
  userId!: string;

  @Field(() => String, { nullable: true })
  clientRequestToken?: string | null;
}

@InputType()
export class DeleteUserInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field()
  userId!: string;

  @Field(() => String, { nullable: true })
  clientRequestToken?: string | null;

  /** @default false */
  @Field(() => Boolean, {
    defaultValue: false,
    description:
      "Also delete the user's faces (images and descriptors). Off: they stay in the collection, unassociated, as Rekognition's DeleteUser leaves them.",
  })
  deleteFaces!: boolean;
}
