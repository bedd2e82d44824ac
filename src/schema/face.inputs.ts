import { Field, InputType, Int } from 'type-graphql';
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
}

@InputType()
export class DeleteFacesInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field(() => [String], { description: '1..4096 face ids.' })
  faceIds!: string[];
}
