/**
 * Collections: a collection is a LargePersonGroup (recognition_04) whose id,
 * name and userData are the collection id, the collection id and
 * {createdAt, nonce}, plus its companion LargeFaceList of the same id (the
 * face registry, ./face-registry.ts). The group comes first on create and
 * goes first on delete: a group without a list is still a collection (its
 * list is made on the first indexFaces), a leftover list is replaced.
 */
import { DomainError } from '../../domain/errors.js';
import type { CollectionRecord } from '../../domain/records.js';
import { mapLimit } from '../../lib/map-limit.js';
import type { CallOptions, CollectionPageRequest, Page } from '../provider.js';
import { globToRegExp, matchesAll } from '../../lib/glob.js';
import type { AdapterDeps } from './adapter-deps.js';
import type { AdapterParts } from './adapter-parts.js';
import { AZURE_COLLECTION_ID, checkCollectionId } from './collection-id.js';
import { CollectionIndex } from './collection-index.js';
import { collectionRecord } from './contract-records.js';
import { hasCode, toDomainError } from './errors.js';
import { createFaceList } from './face-registry.js';
import { AZURE_PAGE } from './limits.js';
import { decodePageToken, encodePageToken, pageLimit } from './page-token.js';
import { RECOGNITION_MODEL } from './transport.js';
import { decodeCollection, encodeCollection, newNonce } from './userdata.js';

/** LargePersonGroups in id order (Azure's start/top), each with counts from its index. */
export async function listCollections(
  deps: AdapterDeps,
  page: CollectionPageRequest,
  call: CallOptions | undefined,
): Promise<Page<CollectionRecord>> {
  const limit = pageLimit(page.limit);
  const after = decodePageToken('collections', page.after);
  const ids: string[] = [];
  let start = after === undefined ? undefined : String(after[0]);
  for (;;) {
    const top = Math.min(AZURE_PAGE, limit + 1 - ids.length);
    const groups = await deps.cache.call(deps.callContext(), () => deps.api.listLargePersonGroups(start, top, call));
    ids.push(...groups.map((g) => g.largePersonGroupId));
    if (groups.length < top || ids.length > limit) break;
    start = ids[ids.length - 1];
  }
  const more = ids.length > limit;
  const pageIds = ids.slice(0, limit);
  deps.assertOpen(); // closed during the listing: PROVIDER_UNAVAILABLE, as getCollections on its own answers
  // Groups outside `idPatterns` are dropped before their index is loaded: the page may come back short, the token
  // still resumes after every group read.
  const keep = page.idPatterns && !matchesAll(page.idPatterns) ? page.idPatterns.map(globToRegExp) : undefined;
  const wanted = keep ? pageIds.filter((id) => keep.some((re) => re.test(id))) : pageIds;
  const records = (await getCollections(deps, wanted, call)).filter((r): r is CollectionRecord => r !== null);
  return more ? { items: records, nextToken: encodePageToken('collections', [pageIds[pageIds.length - 1]]) } : { items: records };
}

/** The collections' records in the order asked; null for an id that is not (or cannot be) a collection here. */
export function getCollections(
  deps: AdapterDeps,
  collectionIds: readonly string[],
  call: CallOptions | undefined,
): Promise<(CollectionRecord | null)[]> {
  return mapLimit(collectionIds, deps.concurrency, async (collectionId) => {
    if (!AZURE_COLLECTION_ID.test(collectionId)) return null;
    try {
      return collectionRecord((await deps.cache.index(collectionId, call)).index);
    } catch (e) {
      if (e instanceof DomainError && e.code === 'COLLECTION_NOT_FOUND') return null;
      throw e;
    }
  });
}

/** PUT the LargePersonGroup, then its companion LargeFaceList (the group is removed again if that fails). */
export function createCollection(deps: AdapterDeps, collectionId: string, call: CallOptions | undefined): Promise<CollectionRecord> {
  checkCollectionId(collectionId);
  return deps.cache.locked(collectionId, async () => {
    const ctx = deps.callContext(collectionId);
    const createdAt = deps.now();
    const nonce = newNonce();
    try {
      await deps.api.createLargePersonGroup(collectionId, { name: collectionId, userData: encodeCollection({ createdAt, nonce }) }, call);
    } catch (e) {
      // Our own earlier attempt may have created it before its answer was lost.
      const ours =
        hasCode(e, 'LargePersonGroupExists') &&
        e.afterAmbiguousFailure &&
        (await deps.cache.call(ctx, () => groupNonce(deps, collectionId, call))) === nonce;
      if (!ours) throw toDomainError(e, ctx);
    }
    try {
      await createFaceList(deps, collectionId, nonce, call);
    } catch (e) {
      await deps.api
        .deleteLargePersonGroup(collectionId, call)
        .catch((cleanup: unknown) => deps.warn('could not remove the half-created LargePersonGroup', cleanup, collectionId));
      throw toDomainError(e, ctx);
    }
    const index = new CollectionIndex(collectionId, new Date(createdAt), RECOGNITION_MODEL, true, deps.now());
    deps.cache.adopt(index);
    return collectionRecord(index);
  });
}

/** DELETE the group (with its persons and their faces), then the companion list (best effort: a leftover is replaced on create). */
export async function deleteCollection(deps: AdapterDeps, collectionId: string, call: CallOptions | undefined): Promise<void> {
  checkCollectionId(collectionId);
  await deps.cache.locked(collectionId, async () => {
    try {
      await deps.api.deleteLargePersonGroup(collectionId, call);
    } catch (e) {
      if (!(hasCode(e, 'LargePersonGroupNotFound') && e.afterAmbiguousFailure)) {
        if (hasCode(e, 'LargePersonGroupNotFound')) deps.cache.forget(collectionId);
        throw toDomainError(e, deps.callContext(collectionId));
      }
    }
    deps.cache.forget(collectionId);
    await deps.memo
      .forgetCollection(collectionId)
      .catch((e: unknown) => deps.warn('could not forget the ClientRequestToken records', e, collectionId));
    await deps.images
      .deleteCollection(collectionId)
      .catch((e: unknown) => deps.warn('could not delete the retained images', e, collectionId));
    await deps.api
      .deleteLargeFaceList(collectionId, call)
      .catch((e: unknown) => deps.warn('could not delete the companion LargeFaceList (replaced on the next create)', e, collectionId));
  });
}

/** The nonce the group's userData carries (null for a group facegate did not make). */
async function groupNonce(parts: AdapterParts, collectionId: string, call: CallOptions | undefined): Promise<string | null> {
  return decodeCollection((await parts.api.getLargePersonGroup(collectionId, call)).userData)?.nonce ?? null;
}
