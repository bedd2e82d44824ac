/** Inputs shared by many operations: where a collection is, and an image. */
import { Field, InputType } from 'type-graphql';
import type { UploadedFile } from '../domain/uploaded-file.js';
import { UploadScalar } from './upload.scalar.js';

/** Addresses a collection: provider instance name + the provider-side collection id. */
@InputType()
export class CollectionRef {
  @Field()
  provider!: string;

  @Field()
  collectionId!: string;
}

/** Exactly one of base64 (JPEG or PNG bytes), url or upload. */
@InputType({
  description:
    'Exactly one of base64 (JPEG or PNG bytes), url or upload. A url must be https, on the configured host allowlist, at most 5 MiB; none is allowed by default. An upload is a file part of a multipart request (GraphQL multipart request spec), at most 5 MiB.',
})
export class ImageInput {
  @Field(() => String, { nullable: true })
  base64?: string | null;

  @Field(() => String, { nullable: true })
  url?: string | null;

  /** A file sent as multipart/form-data; over HTTP only. */
  @Field(() => UploadScalar, { nullable: true })
  upload?: UploadedFile | null;
}
