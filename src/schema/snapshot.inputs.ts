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

  /** Azure Face subscriptions allowed to apply Azure's own copies (see the field's description); absent: none besides the instance's. */
  @Field(() => [String], {
    nullable: true,
    description:
      'Azure Face subscription ids (GUIDs, at most 100) allowed to apply the Azure copies of this take, besides the instance\'s own subscriptionId (Azure\'s applyScope). Only an azure-face instance with snapshotApi "v1.0" takes such copies; on any other instance a non-empty list is UnsupportedOperation.',
  })
  azureApplyScope?: string[] | null;
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
