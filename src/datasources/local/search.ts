/**
 * SearchUsersByImage on the local engine: the largest searchable face of
 * the image against the collection's in-memory index of associated faces
 * (user-face-index.ts), users ranked by their most similar face.
 */
import { invalidInput } from '../../domain/errors.js';
import type { CallOptions, SearchUsersByImageInput, SearchUsersByImageOutcome } from '../provider.js';
import { detectFaces } from './detection.js';
import { searchableFace } from './face-selection.js';
import type { LocalDeps } from './local-deps.js';
import { collectionRef, requireCollection } from './lookups.js';
import { toUserRecord } from './records.js';

/** Users matching the image's largest face; no matches and `searchedFace: null` when it has none big enough. */
export async function searchUsersByImage(
  deps: LocalDeps,
  input: SearchUsersByImageInput,
  call?: CallOptions,
): Promise<SearchUsersByImageOutcome> {
  const { collectionId, userMatchThreshold, maxUsers } = input;
  if (!Number.isInteger(maxUsers) || maxUsers < 1) throw invalidInput('maxUsers', 'an integer ≥ 1', String(maxUsers));
  if (!(userMatchThreshold >= 0 && userMatchThreshold <= 100)) {
    throw invalidInput('userMatchThreshold', 'a number 0..100', String(userMatchThreshold));
  }
  const collection = await requireCollection(deps.store, deps.name, collectionId);
  const detection = await detectFaces(deps, collectionId, input.image, call);
  const face = searchableFace(detection.faces);
  if (!face) return { userMatches: [], searchedFace: null, unsearchedFaces: [] };

  const index = await deps.indexes.get(collection.key);
  const matches = index.searchUsers(face.descriptor, maxUsers, userMatchThreshold);
  const users =
    (await deps.store.findUsers(
      collectionRef(deps.name, collectionId),
      matches.map((m) => m.userId),
    )) ?? [];
  // Same key: a collection deleted and recreated meanwhile is another collection.
  const byId = new Map(users.filter((u) => u.collectionKey === collection.key).map((u) => [u.userId, u]));
  const userMatches: SearchUsersByImageOutcome['userMatches'] = [];
  for (const match of matches) {
    const user = byId.get(match.userId);
    if (user) userMatches.push({ similarity: match.similarity, user: toUserRecord(user, collectionId) });
  }
  return {
    userMatches,
    searchedFace: { boundingBox: { ...face.boundingBox }, confidence: face.confidence },
    unsearchedFaces: [], // TODO(issue 20)
  };
}
