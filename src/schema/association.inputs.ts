import { Field, Float, InputType } from 'type-graphql';
import { CollectionRef } from './inputs.js';

/** faceIds: 1..100. A user holds at most 100 faces. */
@InputType()
export class AssociateFacesInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field()
  userId!: string;

  @Field(() => [String])
  faceIds!: string[];

  @Field(() => Float, { nullable: true, defaultValue: 75 })
  userMatchThreshold?: number | null;

  @Field(() => String, { nullable: true })
  clientRequestToken?: string | null;
}

/**
 * Removes the association between faces and a user (Rekognition semantics).
 * faceIds: 1..100. Unknown user → UserNotFound. A face already not associated
 * with this user is ignored and not returned. A face associated with another
 * user, or not in the collection, is returned in unsuccessfulFaceDisassociations.
 * The same clientRequestToken with the same input returns the same response;
 * with different input, IdempotencyConflict.
 */
@InputType({
  description: `Removes the association between faces and a user (Rekognition semantics).
faceIds: 1..100. Unknown user → UserNotFound. A face already not associated
with this user is ignored and not returned. A face associated with another
user, or not in the collection, is returned in unsuccessfulFaceDisassociations.
The same clientRequestToken with the same input returns the same response;
with different input, IdempotencyConflict.`,
})
export class DisassociateFacesInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field()
  userId!: string;

  @Field(() => [String])
  faceIds!: string[];

  @Field(() => String, { nullable: true })
  clientRequestToken?: string | null;
}
