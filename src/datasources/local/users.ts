/**
 * The local provider's users: listed in creation order, looked up in
 * batches, created and deleted as token-aware mutations.
 */
import { DomainError } from '../../domain/errors.js';
import type { UserRecord } from '../../domain/records.js';
import type { Page, PageRequest, UserMutationInput } from '../provider.js';
import { toPage } from './keyset-page.js';
import type { LocalDeps } from './local-deps.js';
import { collectionNotFound, collectionRef, requireCollection, userNotFound } from './lookups.js';
import { decodePageToken, pageLimit } from './page-token.js';
import { toUserRecord } from './records.js';

/** One page of the collection's users, in creation order. */
export async function listUsers(deps: LocalDeps, collectionId: string, page: PageRequest): Promise<Page<UserRecord>> {
  const limit = pageLimit(page.limit);
  const after = decodePageToken('users', page.after);
  const collection = await requireCollection(deps.store, deps.name, collectionId);
  const rows = await deps.store.listUsers(collection.key, { after, limit: limit + 1 });
  return toPage(
    rows,
    limit,
    'users',
    (r) => r.seq,
    (r) => toUserRecord(r, collectionId),
  );
}

/** Batched lookup: null where a user does not exist. */
export async function getUsers(deps: LocalDeps, collectionId: string, userIds: readonly string[]): Promise<(UserRecord | null)[]> {
  const rows = (await deps.store.findUsers(collectionRef(deps.name, collectionId), userIds)) ?? collectionNotFound(deps.name, collectionId);
  const byId = new Map(rows.map((r) => [r.userId, toUserRecord(r, collectionId)]));
  return userIds.map((id) => byId.get(id) ?? null);
}

/** Creates a user without faces; USER_ALREADY_EXISTS when the id is in use. */
export async function createUser(deps: LocalDeps, input: UserMutationInput): Promise<UserRecord> {
  const { collectionId, userId } = input;
  return deps.mutations.run('CreateUser', input, { userId }, async (tx, collection) => {
    if (await tx.getUser(collection.key, userId)) {
      return {
        fail: new DomainError(
          'USER_ALREADY_EXISTS',
          `User "${userId}" already exists in collection "${collectionId}": expected a new user id, got one in use`,
          { collectionId, userId },
        ),
      };
    }
    return {
      commit: async () => toUserRecord(await tx.insertUser(collection.key, userId, deps.now()), collectionId),
    };
  });
}

/** Deletes a user; its faces stay, unassociated (and leave the search index). USER_NOT_FOUND for an unknown user. */
export async function deleteUser(deps: LocalDeps, input: UserMutationInput): Promise<void> {
  const { userId } = input;
  await deps.mutations.run<null>('DeleteUser', input, { userId }, async (tx, collection) => {
    const user = await tx.getUser(collection.key, userId);
    if (!user) return { fail: userNotFound(input) };
    return {
      commit: async () => {
        const faceIds = await tx.deleteUser(user.seq);
        deps.sync.afterCommit(
          tx,
          collection.key,
          faceIds.map((faceId) => ({ kind: 'disassociate', faceId })),
        );
        return null;
      },
    };
  });
}
