/**
 * SearchUsers on the local engine (Rekognition SearchUsers): users like an
 * indexed face, or like a user. By face: the face's descriptor against the
 * collection's user index (its own user included: the call finds the user
 * a face belongs with). By user: each of the user's faces against the
 * index, every other user ranked by its best similarity to any of them.
 */
import { DomainError, invalidInput } from '../../domain/errors.js';
import type { SearchUsersInput, SearchUsersOutcome } from '../provider.js';
import type { LocalDeps } from './local-deps.js';
import { requireCollection } from './lookups.js';
import type { UserSimilarity } from './user-face-index.js';
import { userMatchesOf } from './user-matches.js';

/** Exactly one of `userId` (USER_NOT_FOUND when unknown) and `faceId` (INVALID_INPUT `input.faceId` when not in the collection). */
export async function searchUsers(deps: LocalDeps, input: SearchUsersInput): Promise<SearchUsersOutcome> {
  const { collectionId, userId, faceId, maxUsers, userMatchThreshold } = input;
  const collection = await requireCollection(deps.store, deps.name, collectionId);
  const index = await deps.indexes.get(collection.key);
  let hits: UserSimilarity[];
  if (faceId !== undefined) {
    const [face] = await deps.store.getFacesWithDescriptors(collection.key, [faceId]);
    if (!face) throw invalidInput('input.faceId', `a face id of collection "${collectionId}"`, JSON.stringify(faceId));
    hits = await index.searchUsers(face.descriptor, maxUsers, userMatchThreshold);
  } else {
    const user = userId === undefined ? null : await deps.store.getUser(collection.key, userId);
    if (!user || userId === undefined) {
      throw new DomainError(
        'USER_NOT_FOUND',
        `User "${userId}" not found in collection "${collectionId}": expected an existing user id, got an unknown one`,
        { collectionId, userId, provider: deps.name },
      );
    }
    // One more than asked per face: the user itself may take a place in each list.
    const best = new Map<string, number>();
    for (const face of await deps.store.getUserFaces(user.seq)) {
      for (const hit of await index.searchUsers(face.descriptor, maxUsers + 1, userMatchThreshold)) {
        if (hit.userId !== userId && hit.similarity > (best.get(hit.userId) ?? -1)) best.set(hit.userId, hit.similarity);
      }
    }
    hits = [...best]
      .map(([id, similarity]) => ({ userId: id, similarity }))
      .sort((a, b) => b.similarity - a.similarity || (a.userId < b.userId ? -1 : 1))
      .slice(0, maxUsers);
  }
  return {
    searchedUserId: faceId === undefined ? (userId ?? null) : null,
    searchedFaceId: faceId ?? null,
    userMatches: await userMatchesOf(deps, collection, hits),
  };
}
