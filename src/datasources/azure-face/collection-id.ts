/**
 * Collection ids on this provider: the collection id is the
 * LargePersonGroup's (and its companion LargeFaceList's) id, so it must
 * satisfy Azure's rule. Never case-folded: a mixed-case id is refused with a
 * hint rather than silently mapped onto another collection.
 */
import { DomainError } from '../../domain/errors.js';

/** Azure's container id rule, which collection ids must satisfy on this provider. */
export const AZURE_COLLECTION_ID = /^[a-z0-9_-]{1,64}$/;

/** INVALID_INPUT unless the id is valid for Azure (lowercase letters, digits, "-", "_", 1..64). */
export function checkCollectionId(collectionId: string): void {
  if (AZURE_COLLECTION_ID.test(collectionId)) return;
  const shown = collectionId.length > 40 ? `a ${collectionId.length}-character string` : JSON.stringify(collectionId);
  const hint =
    /[A-Z]/.test(collectionId) && AZURE_COLLECTION_ID.test(collectionId.toLowerCase())
      ? ` (not case-folded: use ${JSON.stringify(collectionId.toLowerCase())} explicitly)`
      : '';
  throw new DomainError(
    'INVALID_INPUT',
    `collectionId: expected 1..64 lowercase letters, digits, "-" or "_" (Azure AI Face LargePersonGroup ids are lowercase-only), got ${shown}${hint}`,
    { field: 'collectionId' },
  );
}
