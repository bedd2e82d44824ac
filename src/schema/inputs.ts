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
@InputType({
  description:
    'Exactly one of base64 (JPEG or PNG bytes) or url. A url must be https, on the configured host allowlist, at most 5 MiB; none is allowed by default.',
})
export class ImageInput {
  @Field(() => String, { nullable: true })
  base64?: string | null;

  @Field(() => String, { nullable: true })
  url?: string | null;
}
