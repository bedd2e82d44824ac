/** Inputs shared by many operations: where a collection is, and an image. */
import { Field, InputType } from 'type-graphql';

/** Addresses a collection: provider instance name + the provider-side collection id. */
@InputType()
export class CollectionRef {
  @Field()
  provider!: string;

  @Field()
  collectionId!: string;
}

/** Exactly one of base64 (JPEG or PNG bytes) or url. */
@InputType()
export class ImageInput {
  @Field(() => String, { nullable: true })
  base64?: string | null;

  @Field(() => String, { nullable: true })
  url?: string | null;
}
