import { createUnionType, Field, ID, ObjectType } from 'type-graphql';
import {
  CollectionAlreadyExists,
  CollectionNotFound,
  Forbidden,
  InvalidInput,
  ProviderUnavailable,
  QuotaExceeded,
  SnapshotExpired,
  SnapshotNotFound,
  Throttled,
  UnsupportedOperation,
} from './errors.types.js';
import { Operation } from './operation.type.js';

@ObjectType()
export class TakeSnapshotAccepted {
  @Field(() => Operation)
  operation!: Operation;
}

export const TakeSnapshotMembers = [
  TakeSnapshotAccepted,
  CollectionNotFound,
  InvalidInput,
  QuotaExceeded,
  Throttled,
  UnsupportedOperation,
  ProviderUnavailable,
  Forbidden,
] as const;
export const TakeSnapshotResult = createUnionType({ name: 'TakeSnapshotResult', types: () => TakeSnapshotMembers });

@ObjectType()
export class ApplySnapshotAccepted {
  @Field(() => Operation)
  operation!: Operation;
}

export const ApplySnapshotMembers = [
  ApplySnapshotAccepted,
  SnapshotNotFound,
  SnapshotExpired,
  CollectionAlreadyExists,
  Forbidden,
  InvalidInput,
  Throttled,
  UnsupportedOperation,
  ProviderUnavailable,
] as const;
export const ApplySnapshotResult = createUnionType({ name: 'ApplySnapshotResult', types: () => ApplySnapshotMembers });

@ObjectType()
export class DeleteSnapshotSuccess {
  @Field(() => ID)
  snapshotId!: string;
}

export const DeleteSnapshotMembers = [DeleteSnapshotSuccess, SnapshotNotFound, Forbidden] as const;
export const DeleteSnapshotResult = createUnionType({ name: 'DeleteSnapshotResult', types: () => DeleteSnapshotMembers });
