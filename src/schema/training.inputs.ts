import { Field, InputType } from 'type-graphql';
import { CollectionRef } from './inputs.js';

@InputType({ description: 'Starts a training of the collection (providers whose search needs one, e.g. Azure AI Face).' })
export class TrainCollectionInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;
}
