/**
 * What the adapter refuses on its own account, as opposed to the failures
 * Azure answers (./errors.ts maps those): operations Azure AI Face cannot
 * carry out without losing something, and unknown users.
 */
import { DomainError } from '../../domain/errors.js';
import type { Store } from '../../store/store.js';
import type { UserMutationInput } from '../provider.js';
import type { IndexedFace } from './collection-index.js';

/** UNSUPPORTED_OPERATION of provider `provider`. `operation` @default "AssociateFaces" */
export function unsupported(provider: string, message: string, operation = 'AssociateFaces'): DomainError {
  return new DomainError('UNSUPPORTED_OPERATION', `Provider "${provider}" (Azure AI Face): ${message}`, { provider, operation });
}

/** USER_NOT_FOUND for the user a mutation names. */
export function userNotFound(provider: string, input: UserMutationInput): DomainError {
  return new DomainError(
    'USER_NOT_FOUND',
    `User "${input.userId}" not found in collection "${input.collectionId}": expected an existing user id, got an unknown one`,
    { collectionId: input.collectionId, userId: input.userId, provider },
  );
}

/**
 * Faces found only inside a person (added by other tools) would be lost by
 * deleting the person: UNSUPPORTED_OPERATION when any of `faces` is one.
 * (disassociateFaces reports such a face per face instead: FACE_ONLY_IN_USER.)
 */
export function refuseUnlisted(provider: string, faces: readonly IndexedFace[], userId: string): void {
  const unlisted = faces.find((f) => !f.inList);
  if (unlisted) {
    throw unsupported(
      provider,
      `face "${unlisted.faceId}" of user "${userId}" exists only inside the Azure person (it was not indexed through facegate), so it would be lost if deleted with its user`,
      'DeleteUser',
    );
  }
}

/** The gateway store, which gateway snapshots live in; UNSUPPORTED_OPERATION for a provider built without one. */
export function requireStore(provider: string, store: Store | undefined, operation: 'TAKE_SNAPSHOT' | 'APPLY_SNAPSHOT'): Store {
  if (!store) throw unsupported(provider, 'snapshots need the gateway store, and this provider was built without one', operation);
  return store;
}
