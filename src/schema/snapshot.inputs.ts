import { Field, ID, InputType } from 'type-graphql';
import { CollectionRef } from './inputs.js';

@InputType()
export class TakeSnapshotInput {
  @Field(() => CollectionRef)
  collection!: CollectionRef;

  @Field(() => [String], { nullable: true, description: 'Tenants allowed to apply the snapshot besides its owner.' })
  applyScope?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Free text kept with the snapshot, up to 16 KiB.' })
  userData?: string | null;
}

/** mode CREATE_NEW: fails if the target collection exists. */
@InputType({ description: 'mode CREATE_NEW: fails if the target collection exists.' })
export class ApplySnapshotInput {
  @Field(() => ID)
  snapshotId!: string;

  @Field(() => CollectionRef)
  target!: CollectionRef;
}

@InputType()
export class DeleteSnapshotInput {
  @Field(() => ID)
  snapshotId!: string;
}
