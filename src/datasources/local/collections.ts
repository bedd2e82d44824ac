/**
 * The local provider's collections: listed in creation order, looked up in
 * batches, created with the engine's model version, deleted with everything
 * in them.
 */
import { DomainError } from '../../domain/errors.js';
import type { CollectionRecord } from '../../domain/records.js';
import type { CollectionPageRequest, Page } from '../provider.js';
import { toPage } from './keyset-page.js';
import type { LocalDeps } from './local-deps.js';
import { collectionRef, requireCollection } from './lookups.js';
import { decodePageToken, pageLimit } from './page-token.js';
import { toCollectionRecord } from './records.js';
import { forgetDetections } from './detection.js';

/** One page of the instance's collections (those matching `page.idPatterns`, filtered in the store's query: pages are full). */
export async function listCollections(deps: LocalDeps, page: CollectionPageRequest): Promise<Page<CollectionRecord>> {
  const limit = pageLimit(page.limit);
  const rows = await deps.store.listCollections(
    deps.name,
    {
      after: decodePageToken('collections', page.after),
      limit: limit + 1,
    },
    page.idPatterns,
  );
  return toPage(rows, limit, 'collections', (r) => r.key, toCollectionRecord);
}

/** Batched lookup: null where a collection does not exist. */
export async function getCollections(deps: LocalDeps, collectionIds: readonly string[]): Promise<(CollectionRecord | null)[]> {
  const rows = await deps.store.getCollections(deps.name, collectionIds);
  const byId = new Map(rows.map((r) => [r.collectionId, toCollectionRecord(r)]));
  return collectionIds.map((id) => byId.get(id) ?? null);
}

/** Creates an empty collection; COLLECTION_ALREADY_EXISTS when the id is in use. */
export async function createCollection(deps: LocalDeps, collectionId: string): Promise<CollectionRecord> {
  const row = await deps.store.transaction(async (tx) => {
    if (await tx.getCollection(collectionRef(deps.name, collectionId))) {
      throw new DomainError(
        'COLLECTION_ALREADY_EXISTS',
        `Collection "${collectionId}" already exists in provider "${deps.name}": expected a new collection id, got one in use`,
        { collectionId, provider: deps.name },
      );
    }
    return tx.insertCollection({
      ...collectionRef(deps.name, collectionId),
      faceModelVersion: deps.engine.modelVersion,
      createdAt: deps.now(),
    });
  });
  return toCollectionRecord(row);
}

/** Deletes the collection with its users, faces and tokens; its search index goes once that commits. */
export async function deleteCollection(deps: LocalDeps, collectionId: string): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const collection = await requireCollection(tx, deps.name, collectionId);
    await tx.deleteCollection(collection.key);
    deps.sync.afterDelete(tx, collection.key);
    tx.afterCommit(() => forgetDetections(deps, collectionId));
  });
}
