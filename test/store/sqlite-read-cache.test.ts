/**
 * The SQLite store's read cache (src/store/sqlite-read-cache.ts): repeated
 * reads execute no statement, and any commit — by the store itself or by
 * another connection to the same file — is seen by the next read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore as SqliteStoreType } from '../../src/store/sqlite/sqlite-store.js';
import { openSqliteStore, tempDir } from '../local-provider/support.js';

const tmp = tempDir('read-cache');
let store: SqliteStoreType;
let other: SqliteStoreType;
let key: number;

beforeAll(async () => {
  store = await openSqliteStore(tmp.dir);
  other = await openSqliteStore(tmp.dir); // a second writer on the same file, as another process would be
  key = (
    await store.transaction((tx) =>
      tx.insertCollection({ provider: 'local', collectionId: 'c', faceModelVersion: null, createdAt: new Date() }),
    )
  ).key;
});
afterAll(async () => {
  await other.close();
  await store.close();
  tmp.remove();
});

const userIds = async (s: SqliteStoreType) => (await s.listUsers(key, { after: null, limit: 100 })).map((u) => u.userId);

describe('read cache', () => {
  it('answers a repeated read without a statement', async () => {
    await store.transaction((tx) => tx.insertUser(key, 'a', new Date()));
    expect(await userIds(store)).toEqual(['a']);
    const before = store.stats.statements;
    expect(await userIds(store)).toEqual(['a']);
    expect(store.stats.statements - before).toBe(0);
  });

  it("sees the store's own commit on the next read", async () => {
    expect(await userIds(store)).toEqual(['a']);
    await store.transaction((tx) => tx.insertUser(key, 'b', new Date()));
    expect(await userIds(store)).toEqual(['a', 'b']);
  });

  it("sees another connection's commit on the next read", async () => {
    expect(await userIds(store)).toEqual(['a', 'b']);
    await other.transaction((tx) => tx.insertUser(key, 'c', new Date()));
    expect(await userIds(store)).toEqual(['a', 'b', 'c']);
    expect((await store.findUsers({ provider: 'local', collectionId: 'c' }, ['c']))?.map((u) => u.userId)).toEqual(['c']);
  });

  it('returns results that later commits do not change', async () => {
    const page = await store.listUsers(key, { after: null, limit: 100 });
    await other.transaction((tx) => tx.deleteUser(page[0].seq));
    expect(page.map((u) => u.userId)).toEqual(['a', 'b', 'c']);
    expect(await userIds(store)).toEqual(['b', 'c']);
  });
});
