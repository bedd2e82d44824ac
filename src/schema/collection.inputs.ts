import { Field, InputType } from 'type-graphql';
import { CollectionRef } from './inputs.js';

@InputType()
export class CreateCollectionInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;
}

@InputType()
export class DeleteCollectionInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;
}
