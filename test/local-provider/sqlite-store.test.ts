/**
 * The embedded SQLite store on its own: pragmas, migrations, serialized
 * async transactions, isolation of the read connection, bounded batch
 * lookups and image retention.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore as SqliteStoreType } from '../../src/store/sqlite-store.js';
import type { NewFace } from '../../src/store/store.js';
import { descriptor, openSqliteStore, tempDir } from './support.js';
import { MIGRATIONS } from '../../dist/src/store/migrations.js';

const tmp = tempDir('store');
let store: SqliteStoreType;

beforeAll(async () => {
  store = await openSqliteStore(tmp.dir);
});
afterAll(async () => {
  await store.close();
  tmp.remove();
});

const newFace = (person: number, externalImageId: string | null = null): NewFace => ({
  faceId: randomUUID(),
  externalImageId,
  boundingBox: { left: 0.1, top: 0.2, width: 0.3, height: 0.4 },
  confidence: 99.1,
  descriptor: descriptor(person, 1),
  indexedAt: new Date(),
});

async function collection(id: string, provider = 'local') {
  return store.transaction((tx) =>
    tx.insertCollection({ provider, collectionId: id, faceModelVersion: 'm1', createdAt: new Date() }),
  );
}

describe('opening', () => {
  it('uses WAL, synchronous=FULL and foreign keys, in <dataDir>/facegate.db', () => {
    expect(store.file).toBe(`${tmp.dir}/facegate.db`);
    const db = new Database(store.file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    // synchronous and foreign_keys are per connection: read them from the store's writer.
    const writer = (store as unknown as { writer: Database.Database }).writer;
    expect(writer.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(writer.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(writer.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('records the schema version and reopens idempotently, keeping data', async () => {
    const { dir, remove } = tempDir('reopen');
    try {
      const first = await openSqliteStore(dir);
      await first.transaction((tx) =>
        tx.insertCollection({ provider: 'p', collectionId: 'kept', faceModelVersion: null, createdAt: new Date() }),
      );
      await first.close();
      const second = await openSqliteStore(dir);
      expect((await second.getCollection({ provider: 'p', collectionId: 'kept' }))?.collectionId).toBe('kept');
      await second.close();
      const db = new Database(`${dir}/facegate.db`, { readonly: true });
      expect(db.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
      db.close();
    } finally {
      remove();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    const { dir, remove } = tempDir('newer');
    try {
      await (await openSqliteStore(dir)).close();
      const db = new Database(`${dir}/facegate.db`);
      db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (99, ?, 0)').run('future');
      db.close();
      await expect(openSqliteStore(dir)).rejects.toThrow(new RegExp(`expected schema version ≤ ${MIGRATIONS.length}, got 99`));
    } finally {
      remove();
    }
  });
});

describe('transactions', () => {
  it('serializes async callbacks: no interleaving even when they await', async () => {
    const trace: string[] = [];
    const run = (name: string) =>
      store.transaction(async (tx) => {
        trace.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, 15));
        await tx.getCollection({ provider: 'local', collectionId: name });
        trace.push(`${name}:end`);
      });
    await Promise.all([run('a'), run('b'), run('c')]);
    expect(trace).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
  });

  it('hides uncommitted writes from store reads, shows them to the tx', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let seenInside: unknown;
    const pending = store.transaction(async (tx) => {
      await tx.insertCollection({ provider: 'local', collectionId: 'uncommitted', faceModelVersion: null, createdAt: new Date() });
      seenInside = await tx.getCollection({ provider: 'local', collectionId: 'uncommitted' });
      await gate;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(await store.getCollection({ provider: 'local', collectionId: 'uncommitted' })).toBeNull();
    release();
    await pending;
    expect(seenInside).not.toBeNull();
    expect(await store.getCollection({ provider: 'local', collectionId: 'uncommitted' })).not.toBeNull();
  });

  it('rolls back everything when the callback throws, and skips afterCommit hooks', async () => {
    let hookRan = false;
    await expect(
      store.transaction(async (tx) => {
        await tx.insertCollection({ provider: 'local', collectionId: 'rolled-back', faceModelVersion: null, createdAt: new Date() });
        tx.afterCommit(() => (hookRan = true));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(hookRan).toBe(false);
    expect(await store.getCollection({ provider: 'local', collectionId: 'rolled-back' })).toBeNull();
    // The writer is usable again.
    await collection('after-rollback');
  });

  it('runs afterCommit hooks in commit order, before the next transaction starts', async () => {
    const order: string[] = [];
    await Promise.all(
      ['x', 'y', 'z'].map((n) =>
        store.transaction(async (tx) => {
          order.push(`start ${n}`);
          tx.afterCommit(() => order.push(`hook ${n}`));
        }),
      ),
    );
    expect(order).toEqual(['start x', 'hook x', 'start y', 'hook y', 'start z', 'hook z']);
  });

  it('refuses nested transactions and use of a tx after its transaction', async () => {
    await expect(store.transaction(async () => store.transaction(async () => 1))).rejects.toThrow(/nested/);
    let leaked!: Parameters<Parameters<SqliteStoreType['transaction']>[0]>[0];
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked.getCollection({ provider: 'local', collectionId: 'x' })).rejects.toThrow(/after commit or rollback/);
  });
});

describe('batch lookups', () => {
  it('answer in one statement per 500 ids, collection check included', async () => {
    const c = await collection('batch');
    await store.transaction(async (tx) => {
      for (let i = 0; i < 600; i++) await tx.insertUser(c.key, `u${i}`, new Date());
    });
    const ref = { provider: 'local', collectionId: 'batch' };
    const ids = Array.from({ length: 300 }, (_, i) => `u${i * 2}`);

    let before = store.stats.statements;
    const users = await store.findUsers(ref, ids);
    expect(store.stats.statements - before).toBe(1);
    expect(users).toHaveLength(300);

    before = store.stats.statements;
    expect(await store.findUsers({ provider: 'local', collectionId: 'missing' }, ids)).toBeNull();
    expect(store.stats.statements - before).toBe(1);

    before = store.stats.statements;
    const counts = await store.countUserFaces(ref, [...ids, 'nobody']);
    expect(store.stats.statements - before).toBe(1);
    expect(counts?.get('u0')).toBe(0);
    expect(counts?.has('nobody')).toBe(false);

    const many = Array.from({ length: 1200 }, (_, i) => `u${i}`);
    before = store.stats.statements;
    expect(await store.findUsers(ref, many)).toHaveLength(600);
    expect(store.stats.statements - before).toBe(3);

    before = store.stats.statements;
    expect(await store.getCollections('local', ['batch', 'missing', 'a'])).toHaveLength(1);
    expect(store.stats.statements - before).toBe(1);
  });

  it('never mix providers: the same collection id is separate per provider', async () => {
    await collection('shared-id', 'local-a');
    await collection('shared-id', 'local-b');
    const a = await store.getCollection({ provider: 'local-a', collectionId: 'shared-id' });
    const b = await store.getCollection({ provider: 'local-b', collectionId: 'shared-id' });
    expect(a?.key).not.toBe(b?.key);
    expect(await store.getCollections('local-a', ['shared-id'])).toHaveLength(1);
  });
});

describe('faces and images', () => {
  it('round-trips descriptors and keyset-paginates faces in index order', async () => {
    const c = await collection('faces');
    const inserted = await store.transaction((tx) =>
      tx.insertFaces(c.key, [newFace(1), newFace(2), newFace(3)], null),
    );
    const withDescriptors = await store.getFacesWithDescriptors(c.key, [inserted[1].faceId]);
    expect(Array.from(withDescriptors[0].descriptor)).toEqual(Array.from(descriptor(2, 1)));
    const page1 = await store.listFaces(c.key, {}, { after: null, limit: 2 });
    const page2 = await store.listFaces(c.key, {}, { after: page1[1].seq, limit: 2 });
    expect([...page1, ...page2].map((f) => f.faceId)).toEqual(inserted.map((f) => f.faceId));
    expect((await store.getCollection({ provider: 'local', collectionId: 'faces' }))?.faceCount).toBe(3);
  });

  it('keeps an image while any face references it, deletes it with the last one', async () => {
    const c1 = await collection('img-1');
    const c2 = await collection('img-2');
    const image = { sha256: 'ab'.repeat(32), bytes: new Uint8Array([1, 2, 3]) };
    const [f1, f2] = await store.transaction((tx) => tx.insertFaces(c1.key, [newFace(1), newFace(2)], image));
    await store.transaction((tx) => tx.insertFaces(c2.key, [newFace(3)], image));

    await store.transaction((tx) => tx.deleteFaces(c1.key, [f1.seq]));
    expect(await store.getImage(image.sha256)).toEqual(new Uint8Array([1, 2, 3]));
    await store.transaction((tx) => tx.deleteFaces(c1.key, [f2.seq]));
    expect(await store.getImage(image.sha256)).not.toBeNull(); // still used by img-2
    await store.transaction((tx) => tx.deleteCollection(c2.key));
    expect(await store.getImage(image.sha256)).toBeNull();
  });

  it('deletes a large collection in batches, with its users, tokens and images', async () => {
    const c = await collection('large');
    const images = [0, 1, 2].map((i) => ({ sha256: String(i).repeat(64), bytes: new Uint8Array([i]) }));
    await store.transaction(async (tx) => {
      for (const image of images) {
        await tx.insertFaces(c.key, Array.from({ length: 400 }, (_, i) => newFace(i % 100)), image);
      }
      const user = await tx.insertUser(c.key, 'owner', new Date());
      const [first] = await tx.listFaces(c.key, {}, { after: null, limit: 1 });
      await tx.setFacesUser(c.key, [first.seq], user.seq);
      await tx.putIdempotency(c.key, 'CreateUser', 'tok', { requestHash: 'h', response: '{"ok":null}', createdAt: new Date() });
    });
    await store.transaction((tx) => tx.deleteCollection(c.key));
    expect(await store.getCollection({ provider: 'local', collectionId: 'large' })).toBeNull();
    for (const image of images) expect(await store.getImage(image.sha256)).toBeNull();
    expect(await store.listFaces(c.key, {}, { after: null, limit: 10 })).toEqual([]);
    expect(await store.listUsers(c.key, { after: null, limit: 10 })).toEqual([]);
    expect(await store.getIdempotency(c.key, 'CreateUser', 'tok')).toBeNull();
  });

  it('deleteUser disassociates the user’s faces and reports them; status follows faces', async () => {
    const c = await collection('users');
    const [f] = await store.transaction((tx) => tx.insertFaces(c.key, [newFace(4)], null));
    const user = await store.transaction((tx) => tx.insertUser(c.key, 'alice', new Date()));
    expect(user.status).toBe('CREATED');
    const status = await store.transaction(async (tx) => {
      await tx.setFacesUser(c.key, [f.seq], user.seq);
      return tx.refreshUserStatus(user.seq);
    });
    expect(status).toBe('ACTIVE');
    expect((await store.findFaces({ provider: 'local', collectionId: 'users' }, [f.faceId]))?.[0].userId).toBe('alice');
    const freed = await store.transaction((tx) => tx.deleteUser(user.seq));
    expect(freed).toEqual([f.faceId]);
    expect((await store.findFaces({ provider: 'local', collectionId: 'users' }, [f.faceId]))?.[0].userId).toBeNull();
    expect((await store.getCollection({ provider: 'local', collectionId: 'users' }))?.userCount).toBe(0);
  });

  it('enforces foreign keys (a face cannot point at a missing user)', async () => {
    const c = await collection('fk');
    const [f] = await store.transaction((tx) => tx.insertFaces(c.key, [newFace(5)], null));
    await expect(store.transaction((tx) => tx.setFacesUser(c.key, [f.seq], 987654))).rejects.toThrow(/FOREIGN KEY/);
  });
});
