/**
 * Users of a collection's index hits, as the contract's user matches: the
 * hits' user records read from the store in one query, in the hits' order.
 */
import type { UserRecord } from '../../domain/records.js';
import type { CollectionRow } from '../../store/store.js';
import type { LocalDeps } from './local-deps.js';
import { collectionRef } from './lookups.js';
import { toUserRecord } from './records.js';
import type { UserSimilarity } from './user-face-index.js';

/** The user records of `hits` (highest similarity first); a user deleted meanwhile is left out. */
export async function userMatchesOf(
  deps: LocalDeps,
  collection: CollectionRow,
  hits: readonly UserSimilarity[],
): Promise<{ similarity: number; user: UserRecord }[]> {
  if (hits.length === 0) return [];
  const { collectionId } = collection;
  const users = (await deps.store.findUsers(collectionRef(deps.name, collectionId), [...new Set(hits.map((h) => h.userId))])) ?? [];
  // Same key: a collection deleted and recreated meanwhile is another collection.
  const byId = new Map(users.filter((u) => u.collectionKey === collection.key).map((u) => [u.userId, u]));
  const out: { similarity: number; user: UserRecord }[] = [];
  for (const hit of hits) {
    const user = byId.get(hit.userId);
    if (user) out.push({ similarity: hit.similarity, user: toUserRecord(user, collectionId) });
  }
  return out;
}
