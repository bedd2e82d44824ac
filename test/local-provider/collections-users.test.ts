/**
 * LocalProvider: collections, users, pagination and ClientRequestToken
 * idempotency — Rekognition semantics, no inference (fake engine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalProvider as LocalProviderType } from '../../src/datasources/local/local-provider.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { CAPABILITIES, FakeEngine, LocalProvider, face, openSqliteStore, tempDir } from './support.js';

const tmp = tempDir('collections');
let store: SqliteStore;
const engine = new FakeEngine();
let local: LocalProviderType;

beforeAll(async () => {
  store = await openSqliteStore(tmp.dir);
  local = new LocalProvider({ name: 'local', store, engine });
});
afterAll(async () => {
  await local.close();
  await store.close();
  tmp.remove();
});

describe('provider', () => {
  it('is LOCAL with every capability but TRAIN_COLLECTION (its search needs no training) and the attributes its engine lacks', () => {
    expect(local.kind).toBe('LOCAL');
    // The fake engine has no attribute networks: no FACE_ATTRIBUTE_* (face-operations.test.ts checks one that has).
    expect([...local.capabilities].sort()).toEqual(
      CAPABILITIES.filter((c) => c !== 'TRAIN_COLLECTION' && !c.startsWith('FACE_ATTRIBUTE_')).sort(),
    );
  });
});

describe('collections', () => {
  it('creates with the engine model version, refuses duplicates, is case-sensitive', async () => {
    const created = await local.createCollection('Photos');
    expect(created).toMatchObject({ collectionId: 'Photos', faceModelVersion: 'fake-1.0', faceCount: 0, userCount: 0 });
    expect(created.createdAt).toBeInstanceOf(Date);
    await expect(local.createCollection('Photos')).rejects.toMatchObject({
      code: 'COLLECTION_ALREADY_EXISTS',
      details: { collectionId: 'Photos' },
      message: expect.stringMatching(/expected a new collection id, got one in use/),
    });
    await expect(local.createCollection('photos')).resolves.toMatchObject({ collectionId: 'photos' });
    expect((await local.getCollections(['Photos', 'photos', 'PHOTOS'])).map((c) => c?.collectionId ?? null)).toEqual([
      'Photos',
      'photos',
      null,
    ]);
  });

  it('deletes, then reports COLLECTION_NOT_FOUND everywhere', async () => {
    await local.createCollection('doomed');
    await local.deleteCollection('doomed');
    const notFound = { code: 'COLLECTION_NOT_FOUND', details: { collectionId: 'doomed', provider: 'local' } };
    await expect(local.deleteCollection('doomed')).rejects.toMatchObject(notFound);
    await expect(local.listUsers('doomed', { limit: 10 })).rejects.toMatchObject(notFound);
    await expect(local.getUsers('doomed', ['a'])).rejects.toMatchObject(notFound);
    await expect(local.getFaces('doomed', ['a'])).rejects.toMatchObject(notFound);
    await expect(local.countUserFaces('doomed', ['a'])).rejects.toMatchObject(notFound);
    await expect(local.listUserFaces('doomed', ['a'])).rejects.toMatchObject(notFound);
    await expect(local.listFaces('doomed', {}, { limit: 10 })).rejects.toMatchObject(notFound);
    await expect(local.createUser({ collectionId: 'doomed', userId: 'u' })).rejects.toMatchObject(notFound);
    await expect(local.indexFaces({ collectionId: 'doomed', image: engine.image('doomed.jpg', [face(1)]) })).rejects.toMatchObject(
      notFound,
    );
    expect(engine.detectCalls).toBe(0); // checked before inference
  });

  it('paginates in creation order with opaque tokens; a bad token is INVALID_INPUT on `after`', async () => {
    const other = new LocalProvider({ name: 'paging', store, engine });
    const ids = ['c-3', 'c-1', 'c-2', 'c-0', 'c-4'];
    for (const id of ids) await other.createCollection(id);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await other.listCollections({ limit: 2, after });
      seen.push(...page.items.map((c) => c.collectionId));
      after = page.nextToken;
      pages++;
    } while (after);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);

    for (const bad of ['garbage', 'bm90LWEtdG9rZW4', Buffer.from('users:1').toString('base64url'), '!!']) {
      await expect(other.listCollections({ limit: 2, after: bad })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        details: { field: 'after' },
      });
    }
    await expect(other.listCollections({ limit: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'limit' } });
  });

  it('scopes collections by provider instance name over one shared store', async () => {
    const a = new LocalProvider({ name: 'tenant-a', store, engine });
    const b = new LocalProvider({ name: 'tenant-b', store, engine });
    await a.createCollection('same');
    await b.createCollection('same');
    await a.createUser({ collectionId: 'same', userId: 'only-in-a' });
    expect(await b.getUsers('same', ['only-in-a'])).toEqual([null]);
    expect((await a.listCollections({ limit: 10 })).items.map((c) => c.collectionId)).toEqual(['same']);
    await a.deleteCollection('same');
    expect(await b.getCollections(['same'])).toHaveLength(1);
  });

  it('batched getters issue one statement for up to 500 ids', async () => {
    await local.createCollection('batched');
    for (let i = 0; i < 5; i++) await local.createUser({ collectionId: 'batched', userId: `u${i}` });
    const ids = Array.from({ length: 500 }, (_, i) => `u${i}`);
    for (const call of [
      () => local.getUsers('batched', ids),
      () => local.countUserFaces('batched', ids),
      () => local.listUserFaces('batched', ids),
      () =>
        local.getFaces(
          'batched',
          ids.map((_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
        ),
      () => local.getCollections(ids),
    ]) {
      const before = store.stats.statements;
      await call();
      expect(store.stats.statements - before).toBe(1);
    }
    const users = await local.getUsers('batched', ['u3', 'nope', 'u0']);
    expect(users.map((u) => u?.userId ?? null)).toEqual(['u3', null, 'u0']);
  });
});

describe('users', () => {
  beforeAll(async () => {
    await local.createCollection('people');
  });

  it('creates users with status CREATED and refuses duplicates', async () => {
    expect(await local.createUser({ collectionId: 'people', userId: 'alice' })).toEqual({
      collectionId: 'people',
      userId: 'alice',
      status: 'CREATED',
    });
    await expect(local.createUser({ collectionId: 'people', userId: 'alice' })).rejects.toMatchObject({
      code: 'USER_ALREADY_EXISTS',
      details: { userId: 'alice', collectionId: 'people' },
    });
    // User ids are case-sensitive too.
    await expect(local.createUser({ collectionId: 'people', userId: 'Alice' })).resolves.toMatchObject({ userId: 'Alice' });
    expect((await local.getCollections(['people']))[0]?.userCount).toBe(2);
  });

  it('lists users in creation order, not by id, with pagination', async () => {
    await local.createCollection('ordered');
    const ids = ['zed', 'amy', 'mo', 'bo'];
    for (const userId of ids) await local.createUser({ collectionId: 'ordered', userId });
    const first = await local.listUsers('ordered', { limit: 3 });
    expect(first.items.map((u) => u.userId)).toEqual(['zed', 'amy', 'mo']);
    const second = await local.listUsers('ordered', { limit: 3, after: first.nextToken });
    expect(second.items.map((u) => u.userId)).toEqual(['bo']);
    expect(second.nextToken).toBeUndefined();
    // A faces token does not resume a users listing.
    const facesToken = Buffer.from('faces:1').toString('base64url');
    await expect(local.listUsers('ordered', { limit: 3, after: facesToken })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { field: 'after' },
    });
  });

  it('deleteUser removes the user, USER_NOT_FOUND when missing', async () => {
    await local.createUser({ collectionId: 'people', userId: 'bob' });
    await local.deleteUser({ collectionId: 'people', userId: 'bob' });
    expect(await local.getUsers('people', ['bob'])).toEqual([null]);
    await expect(local.deleteUser({ collectionId: 'people', userId: 'bob' })).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
      details: { userId: 'bob', collectionId: 'people' },
      message: expect.stringMatching(/expected an existing user id/),
    });
  });

  it('binds SQL parameters: hostile ids are just ids', async () => {
    const userId = "x'); DROP TABLE users; --";
    await local.createUser({ collectionId: 'people', userId });
    expect((await local.getUsers('people', [userId]))[0]?.userId).toBe(userId);
  });
});

describe('clientRequestToken', () => {
  beforeAll(async () => {
    await local.createCollection('tokens');
    await local.createCollection('tokens-2');
  });

  it('replays a createUser success, even after the user was deleted', async () => {
    const input = { collectionId: 'tokens', userId: 'carol', clientRequestToken: 'tok-create-1' };
    const first = await local.createUser(input);
    expect(await local.createUser(input)).toEqual(first); // not USER_ALREADY_EXISTS
    await local.deleteUser({ collectionId: 'tokens', userId: 'carol' });
    expect(await local.createUser(input)).toEqual(first);
    expect(await local.getUsers('tokens', ['carol'])).toEqual([null]); // replay, not a re-run
  });

  it('replays a failure as the same DomainError', async () => {
    await local.createUser({ collectionId: 'tokens', userId: 'dave' });
    const input = { collectionId: 'tokens', userId: 'dave', clientRequestToken: 'tok-fail' };
    const first = await local.createUser(input).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'USER_ALREADY_EXISTS' });
    await local.deleteUser({ collectionId: 'tokens', userId: 'dave' });
    const replay = await local.createUser(input).catch((e: unknown) => e);
    expect(replay).toMatchObject({
      name: 'DomainError',
      code: 'USER_ALREADY_EXISTS',
      message: (first as Error).message,
      details: { userId: 'dave', collectionId: 'tokens' },
    });
    expect(await local.getUsers('tokens', ['dave'])).toEqual([null]);
  });

  it('rejects the same token with different input: IDEMPOTENCY_CONFLICT', async () => {
    await local.createUser({ collectionId: 'tokens', userId: 'erin', clientRequestToken: 'tok-conflict' });
    await expect(local.createUser({ collectionId: 'tokens', userId: 'frank', clientRequestToken: 'tok-conflict' })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
      details: { clientRequestToken: 'tok-conflict', operation: 'CreateUser' },
      message: expect.stringMatching(/expected the same input as that first use, got different input/),
    });
    expect(await local.getUsers('tokens', ['frank'])).toEqual([null]);
  });

  it('scopes tokens per collection and per operation', async () => {
    await local.createUser({ collectionId: 'tokens', userId: 'gus', clientRequestToken: 'tok-scope' });
    // Same token, other collection: independent.
    await expect(local.createUser({ collectionId: 'tokens-2', userId: 'gus', clientRequestToken: 'tok-scope' })).resolves.toMatchObject({
      collectionId: 'tokens-2',
    });
    // Same token, other operation: independent.
    await expect(local.deleteUser({ collectionId: 'tokens', userId: 'gus', clientRequestToken: 'tok-scope' })).resolves.toBeUndefined();
    // deleteUser replay: success again, not USER_NOT_FOUND.
    await expect(local.deleteUser({ collectionId: 'tokens', userId: 'gus', clientRequestToken: 'tok-scope' })).resolves.toBeUndefined();
  });

  it('serializes concurrent retries of one token: one execution, same outcome', async () => {
    const input = { collectionId: 'tokens', userId: 'hal', clientRequestToken: 'tok-race' };
    const results = await Promise.allSettled([local.createUser(input), local.createUser(input), local.createUser(input)]);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  });

  it('forgets tokens after the retention period', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const p = new LocalProvider({ name: 'retention', store, engine, now: () => now, idempotencyRetentionMs: 60_000 });
    await p.createCollection('r');
    await p.createUser({ collectionId: 'r', userId: 'ivy', clientRequestToken: 'tok-old' });
    now = new Date(now.getTime() + 30_000);
    await expect(p.createUser({ collectionId: 'r', userId: 'ivy', clientRequestToken: 'tok-old' })).resolves.toBeTruthy();
    now = new Date(now.getTime() + 60_000);
    // Expired: the call runs afresh and meets the existing user.
    await expect(p.createUser({ collectionId: 'r', userId: 'ivy', clientRequestToken: 'tok-old' })).rejects.toMatchObject({
      code: 'USER_ALREADY_EXISTS',
    });
  });

  it('goes with its collection', async () => {
    await local.createCollection('gone');
    await local.createUser({ collectionId: 'gone', userId: 'jo', clientRequestToken: 'tok-gone' });
    await local.deleteCollection('gone');
    await local.createCollection('gone');
    await local.createUser({ collectionId: 'gone', userId: 'jo' });
    // The old record went with the old collection: this is a fresh call.
    await expect(local.createUser({ collectionId: 'gone', userId: 'jo', clientRequestToken: 'tok-gone' })).rejects.toMatchObject({
      code: 'USER_ALREADY_EXISTS',
    });
  });
});

describe('close', () => {
  it('refuses calls afterwards with PROVIDER_UNAVAILABLE', async () => {
    const p = new LocalProvider({ name: 'closing', store, engine });
    await p.close();
    await expect(p.listCollections({ limit: 1 })).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
  });
});
