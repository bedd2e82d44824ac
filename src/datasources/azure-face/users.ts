/**
 * Users: read from the collection's index (creation order, status from its
 * training bookkeeping); created and deleted as Azure persons
 * (./persons.ts). Deleting a user leaves its faces in the registry,
 * unassociated.
 */
import { DomainError } from '../../domain/errors.js';
import type { UserRecord } from '../../domain/records.js';
import type { CallOptions, Page, PageRequest, UserMutationInput } from '../provider.js';
import type { AdapterDeps } from './adapter-deps.js';
import { checkCollectionId } from './collection-id.js';
import { userKey } from './collection-index.js';
import { userRecord } from './contract-records.js';
import { hasCode } from './errors.js';
import { decodePageToken, encodePageToken, firstAfter, pageLimit } from './page-token.js';
import { addPerson } from './persons.js';
import { refuseUnlisted, userNotFound } from './refusals.js';

/** Users in creation order, from the index. */
export async function listUsers(
  deps: AdapterDeps,
  collectionId: string,
  page: PageRequest,
  call: CallOptions | undefined,
): Promise<Page<UserRecord>> {
  const limit = pageLimit(page.limit);
  const after = decodePageToken('users', page.after);
  checkCollectionId(collectionId);
  const { index } = await deps.cache.index(collectionId, call);
  const users = index.sortedUsers();
  const from = after === undefined ? 0 : firstAfter(users, (u) => userKey(u), after);
  const items = users.slice(from, from + limit);
  const result: Page<UserRecord> = { items: items.map((u) => userRecord(index, u.userId)) };
  if (from + limit < users.length) result.nextToken = encodePageToken('users', userKey(items[items.length - 1]));
  return result;
}

/** The users' records in the order asked; null for an unknown user. */
export async function getUsers(
  deps: AdapterDeps,
  collectionId: string,
  userIds: readonly string[],
  call: CallOptions | undefined,
): Promise<(UserRecord | null)[]> {
  checkCollectionId(collectionId);
  const { index } = await deps.cache.index(collectionId, call);
  return userIds.map((id) => (index.users.has(id) ? userRecord(index, id) : null));
}

/** POST a person named after the user (its userData carries the userId and creation time). */
export function createUser(deps: AdapterDeps, input: UserMutationInput, call: CallOptions | undefined): Promise<UserRecord> {
  const { collectionId, userId } = input;
  checkCollectionId(collectionId);
  return deps.cache.mutate(input, call, 'CreateUser', { userId }, async ({ index }) => {
    if (index.users.has(userId)) {
      throw new DomainError(
        'USER_ALREADY_EXISTS',
        `User "${userId}" already exists in collection "${collectionId}": expected a new user id, got one in use`,
        {
          collectionId,
          userId,
          provider: deps.name,
        },
      );
    }
    await addPerson(deps, index, userId, call);
    return userRecord(index, userId);
  });
}

/** The user's faces go back to unassociated (their registry entries stay), then the person is deleted. */
export async function deleteUser(deps: AdapterDeps, input: UserMutationInput, call: CallOptions | undefined): Promise<void> {
  const { collectionId, userId } = input;
  checkCollectionId(collectionId);
  await deps.cache.mutate<null>(input, call, 'DeleteUser', { userId }, async ({ index, trainer }) => {
    const user = index.users.get(userId);
    if (!user) throw userNotFound(deps.name, input);
    const faces = index.facesOf(userId);
    refuseUnlisted(deps.name, faces, userId);
    try {
      await deps.api.deletePerson(collectionId, user.personId, call);
    } catch (e) {
      if (!hasCode(e, 'PersonNotFound')) throw e;
    }
    index.removeUser(userId);
    await deps.persons
      ?.remove(collectionId, userId)
      .catch((e: unknown) => deps.warn(`could not forget the person of user ${userId} (a rebuild does)`, e, collectionId));
    if (faces.length > 0) {
      index.markChanged([]);
      trainer.schedule();
    }
    return null;
  });
}
