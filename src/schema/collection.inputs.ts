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

  /**
   * An erasure request: also delete every snapshot taken of this collection
   * (whoever took it), with its users, faces, descriptors and images.
   * Off, snapshots are the collection's backup and live until they expire.
   * @default false
   */
  @Field(() => Boolean, {
    defaultValue: false,
    description:
      "Also delete every snapshot taken of this collection, by any tenant, with its copy of users, faces, descriptors and images (an erasure request). They are erased once the collection is deleted, and also when it no longer exists, so a retry completes an erasure. Collections already created by applying a snapshot are not touched. Off: snapshots are the collection's backup and stay until they expire (48 h after the take by default), when their content is purged.",
  })
  deleteSnapshots!: boolean;
}
