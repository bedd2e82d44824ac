import { createUnionType, Field, ObjectType } from 'type-graphql';
import { Collection } from './collection.type.js';
import {
  CollectionAlreadyExists,
  CollectionNotFound,
  Forbidden,
  InvalidInput,
  ProviderUnavailable,
  QuotaExceeded,
  Throttled,
  UnsupportedOperation,
} from './errors.types.js';

@ObjectType()
export class CreateCollectionSuccess {
  @Field(() => Collection)
  collection!: Collection;
}

export const CreateCollectionMembers = [
  CreateCollectionSuccess,
  CollectionAlreadyExists,
  InvalidInput,
  QuotaExceeded,
  Throttled,
  UnsupportedOperation,
  ProviderUnavailable,
  Forbidden,
] as const;
export const CreateCollectionResult = createUnionType({ name: 'CreateCollectionResult', types: () => CreateCollectionMembers });

@ObjectType()
export class DeleteCollectionSuccess {
  @Field()
  collectionId!: string;
}

export const DeleteCollectionMembers = [
  DeleteCollectionSuccess,
  CollectionNotFound,
  InvalidInput,
  Throttled,
  ProviderUnavailable,
  Forbidden,
] as const;
export const DeleteCollectionResult = createUnionType({ name: 'DeleteCollectionResult', types: () => DeleteCollectionMembers });
