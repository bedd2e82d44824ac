import { Field, Float, InputType, Int } from 'type-graphql';
import { CollectionRef } from './inputs.js';

@InputType({ description: 'Users like a user or like an indexed face (Rekognition SearchUsers): exactly one of userId, faceId.' })
export class SearchUsersInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field(() => String, { nullable: true })
  userId?: string | null;

  @Field(() => String, { nullable: true })
  faceId?: string | null;

  @Field(() => Int, { nullable: true, defaultValue: 10, description: '1..500.' })
  maxUsers?: number | null;

  @Field(() => Float, { nullable: true, defaultValue: 80, description: '0..100.' })
  userMatchThreshold?: number | null;
}
