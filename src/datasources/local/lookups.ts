/**
 * What an id names in this instance's part of the shared store, and the
 * errors for ids that name nothing. Collections are scoped by the instance
 * name, so every lookup takes it.
 */
import { DomainError } from '../../domain/errors.js';
import type { CollectionRef } from '../../domain/records.js';
import type { CollectionRow, FaceRow, StoreReader } from '../../store/store.js';
import type { UserMutationInput } from '../provider.js';

/** The store's key of collection `collectionId` of instance `provider`. */
export function collectionRef(provider: string, collectionId: string): CollectionRef {
  return { provider, collectionId };
}

/** The collection's row; COLLECTION_NOT_FOUND when there is none. */
export async function requireCollection(reader: StoreReader, provider: string, collectionId: string): Promise<CollectionRow> {
  return (await reader.getCollection(collectionRef(provider, collectionId))) ?? collectionNotFound(provider, collectionId);
}

/** Throws COLLECTION_NOT_FOUND for `collectionId` of instance `provider`. */
export function collectionNotFound(provider: string, collectionId: string): never {
  throw new DomainError(
    'COLLECTION_NOT_FOUND',
    `Collection "${collectionId}" not found in provider "${provider}": expected an existing collection id, got an unknown one`,
    { collectionId, provider },
  );
}

/** USER_NOT_FOUND for the user a mutation names (returned: a decision records it, see idempotent-mutations.ts). */
export function userNotFound(input: UserMutationInput): DomainError {
  return new DomainError(
    'USER_NOT_FOUND',
    `User "${input.userId}" not found in collection "${input.collectionId}": expected an existing user id, got an unknown one`,
    { collectionId: input.collectionId, userId: input.userId },
  );
}

/** Face rows by face id. */
export function byFaceId(rows: readonly FaceRow[]): Map<string, FaceRow> {
  return new Map(rows.map((r) => [r.faceId, r]));
}
