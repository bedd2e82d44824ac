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
}
