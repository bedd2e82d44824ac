import { createUnionType, Field, ObjectType } from 'type-graphql';
import { CollectionNotFound, Forbidden, InvalidInput, ProviderUnavailable, Throttled, UnsupportedOperation } from './errors.types.js';
import { Operation } from './operation.type.js';

@ObjectType({
  description:
    'The TRAIN_COLLECTION operation: follow it with snapshotProgress. On providers without training (capability TRAIN_COLLECTION absent) it has already SUCCEEDED.',
})
export class TrainCollectionAccepted {
  @Field(() => Operation)
  operation!: Operation;
}

export const TrainCollectionMembers = [
  TrainCollectionAccepted,
  CollectionNotFound,
  InvalidInput,
  Throttled,
  UnsupportedOperation,
  ProviderUnavailable,
  Forbidden,
] as const;
export const TrainCollectionResult = createUnionType({ name: 'TrainCollectionResult', types: () => TrainCollectionMembers });
