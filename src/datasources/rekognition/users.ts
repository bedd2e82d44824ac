/**
 * Users on Rekognition: ListUsers (500 a call, by a system-generated key) for listing
 * and lookup — it has no lookup by id — and CreateUser/DeleteUser with the
 * caller's ClientRequestToken.
 */
import { CreateUserCommand, DeleteUserCommand, ListUsersCommand } from '@aws-sdk/client-rekognition';
import type { UserRecord } from '../../domain/records.js';
import type { CallOptions, Page, PageRequest, UserMutationInput } from '../provider.js';
import { MAX_USERS_RESULTS } from './limits.js';
import { decodePageToken } from './page-token.js';
import { collect, pageLimit, withToken } from './paging.js';
import { userRecord } from './records.js';
import type { RekognitionDeps } from './rekognition-deps.js';

/** ListUsers, 500 a call, in Rekognition's order: "sorted by system generated primary key ID", not creation or UserId order. */
export async function listUsers(
  deps: RekognitionDeps,
  collectionId: string,
  page: PageRequest,
  call?: CallOptions,
): Promise<Page<UserRecord>> {
  const { calls } = deps;
  const limit = pageLimit(page.limit);
  const start = decodePageToken('users', page.after);
  const ctx = calls.context('ListUsers', { collectionId });
  const { items, nextToken } = await collect(limit, start?.t, MAX_USERS_RESULTS, async (max, token) => {
    const out = await calls.run(ctx, call, (o) =>
      calls.client.send(new ListUsersCommand({ CollectionId: collectionId, MaxResults: max, NextToken: token }), o),
    );
    return { items: (out.Users ?? []).map((u) => userRecord(collectionId, u.UserId ?? '', u.UserStatus)), next: out.NextToken };
  });
  return withToken(items, 'users', nextToken);
}

/**
 * ListUsers has no filter by id: pages through the collection's users
 * (500 a call) until every requested id is found or the list ends — one
 * scan per batch, O(users / 500) calls.
 */
export async function getUsers(
  deps: RekognitionDeps,
  collectionId: string,
  userIds: readonly string[],
  call?: CallOptions,
): Promise<(UserRecord | null)[]> {
  const { calls } = deps;
  if (userIds.length === 0) return [];
  const wanted = new Set(userIds);
  const found = new Map<string, UserRecord>();
  const ctx = calls.context('ListUsers', { collectionId });
  let token: string | undefined;
  do {
    const out = await calls.run(ctx, call, (o) =>
      calls.client.send(new ListUsersCommand({ CollectionId: collectionId, MaxResults: MAX_USERS_RESULTS, NextToken: token }), o),
    );
    for (const u of out.Users ?? []) {
      if (u.UserId !== undefined && wanted.has(u.UserId)) found.set(u.UserId, userRecord(collectionId, u.UserId, u.UserStatus));
    }
    token = out.NextToken;
  } while (token && found.size < wanted.size);
  return userIds.map((id) => found.get(id) ?? null);
}

/** CreateUser; the record is built here, as the call answers nothing. */
export async function createUser(deps: RekognitionDeps, input: UserMutationInput, call?: CallOptions): Promise<UserRecord> {
  const { calls } = deps;
  const { collectionId, userId, clientRequestToken } = input;
  await calls.run(calls.context('CreateUser', { collectionId, userId, clientRequestToken }), call, (o) =>
    calls.client.send(new CreateUserCommand({ CollectionId: collectionId, UserId: userId, ClientRequestToken: clientRequestToken }), o),
  );
  // CreateUser answers {}; a new user has no faces yet.
  return { collectionId, userId, status: 'CREATED' };
}

/** DeleteUser (Rekognition disassociates the user's faces first); USER_NOT_FOUND for an unknown user. */
export async function deleteUser(deps: RekognitionDeps, input: UserMutationInput, call?: CallOptions): Promise<void> {
  const { calls } = deps;
  const { collectionId, userId, clientRequestToken } = input;
  await calls.run(calls.context('DeleteUser', { collectionId, userId, clientRequestToken, notFound: 'user' }), call, (o) =>
    calls.client.send(new DeleteUserCommand({ CollectionId: collectionId, UserId: userId, ClientRequestToken: clientRequestToken }), o),
  );
}
