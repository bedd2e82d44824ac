/**
 * The PostgreSQL store on its own, with the behavioural checks of the SQLite
 * store tests (test/local-provider/sqlite-store.test.ts and
 * snapshot-store.test.ts) where they apply: migrations (idempotent, once
 * across replicas starting together, refusing newer schemas), transactions
 * (isolation, rollback, afterCommit, refusals), bounded batch lookups,
 * faces and image retention, snapshots and operations. Concurrency across
 * two stores (replicas) is in postgres-replicas.test.ts.
 *
 * Runs in its own schema, dropped at the end; skips when PostgreSQL is
 * unreachable (fails in CI), see support.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationRecord, SnapshotRecord } from '../../src/operations/types.js';
import type { PostgresStore } from '../../src/store/postgres-store.js';
import type { CopyChunk } from '../../src/store/snapshot-store.js';
import type { CollectionRow, NewFace, RetainedImage, StoreTx } from '../../src/store/store.js';
import {
  DATABASE_URL,
  MIGRATIONS,
  admin,
  openPostgresStore,
  pgAvailable,
  postgresStatements,
  schemaName,
  sleep,
  storeTracker,
  toPostgresDdl,
} from './support.js';

const stores = storeTracker();
const schema = schemaName();
let store: PostgresStore;

beforeAll(async () => {
  if (pgAvailable) store = await stores.open(schema);
});
afterAll(() => stores.cleanup());

/** A distinct, non-trivial descriptor per `i` (every byte matters for the byte-equality checks). */
function descriptor(i: number): Float32Array {
  const d = new Float32Array(128);
  for (let k = 0; k < d.length; k++) d[k] = Math.sin(i * 131 + k) / (k + 1);
  return d;
}

const bytesOf = (d: Float32Array): Buffer => Buffer.from(d.buffer, d.byteOffset, d.byteLength);

const newFace = (i: number, externalImageId: string | null = null): NewFace => ({
  faceId: randomUUID(),
  externalImageId,
  boundingBox: { left: (i % 10) / 10, top: 0.25, width: 0.125, height: 0.5 },
  confidence: 90 + (i % 10) + 0.1,
  descriptor: descriptor(i),
  indexedAt: new Date(1_700_000_000_000 + i),
});

const image = (name: string): RetainedImage => ({
  sha256: Buffer.from(name.padEnd(32, '.')).toString('hex'),
  bytes: new TextEncoder().encode(`image bytes of ${name}`),
});

async function collection(id: string, provider = 'local', on: PostgresStore = store): Promise<CollectionRow> {
  return on.transaction((tx) =>
    tx.insertCollection({ provider, collectionId: id, faceModelVersion: 'm1', createdAt: new Date() }),
  );
}

/** Rows of `table` in this file's schema matching `where`, counted on an admin connection. */
async function countRows(table: string, where: string, params: unknown[], inSchema = schema): Promise<number> {
  return admin(async (client) => {
    const { rows } = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${inSchema}".${table} WHERE ${where}`, params);
    return Number(rows[0].n);
  });
}

describe.skipIf(!pgAvailable)('opening', () => {
  it('creates its schema with PostgreSQL types, records every migration, uses the server’s synchronous_commit (on)', async () => {
    const versions = await admin(async (c) => (await c.query(`SELECT version FROM "${schema}".schema_version ORDER BY version`)).rows);
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    const columns = await admin(
      async (c) =>
        (
          await c.query(
            `SELECT table_name, column_name, data_type, is_identity, identity_generation
             FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, column_name`,
            [schema],
          )
        ).rows as { table_name: string; column_name: string; data_type: string; is_identity: string; identity_generation: string | null }[],
    );
    const column = (table: string, name: string) => columns.find((c) => c.table_name === table && c.column_name === name);
    expect(column('faces', 'seq')).toMatchObject({ data_type: 'bigint', is_identity: 'YES', identity_generation: 'ALWAYS' });
    expect(column('collections', 'key')).toMatchObject({ data_type: 'bigint', is_identity: 'YES' });
    expect(column('faces', 'descriptor')?.data_type).toBe('bytea');
    expect(column('faces', 'confidence')?.data_type).toBe('double precision');
    expect(column('faces', 'indexed_at')?.data_type).toBe('bigint');
    expect(column('snapshot_images', 'bytes')?.data_type).toBe('bytea');
    expect(new Set(columns.map((c) => c.table_name))).toEqual(
      new Set(['schema_version', 'collections', 'users', 'images', 'faces', 'idempotency', 'snapshots', 'snapshot_visibility', 'snapshot_users', 'snapshot_images', 'snapshot_faces', 'operations', 'provider_records', 'provider_images']),
    );
    // Nothing leaked into public.
    const leaked = await admin(async (c) => (await c.query(`SELECT to_regclass('public.faces') AS t`)).rows[0].t);
    expect(leaked).toBeNull();
    expect(store.synchronousCommit).toBe('on');
    expect(store.schema).toBe(schema);
  });

  it('derives the PostgreSQL DDL from the one migration list (types only)', () => {
    expect(toPostgresDdl('seq INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL, x REAL, b BLOB, integer_col TEXT')).toBe(
      'seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n BIGINT NOT NULL, x DOUBLE PRECISION, b BYTEA, integer_col TEXT',
    );
    for (const migration of MIGRATIONS) {
      const statements = postgresStatements(migration);
      expect(statements).toHaveLength(migration.statements.length);
      for (const statement of statements) expect(statement).not.toMatch(/\b(AUTOINCREMENT|INTEGER|REAL|BLOB)\b/);
    }
    expect(postgresStatements({ version: 0, description: 'x', statements: ['A INTEGER'], postgres: ['custom'] })).toEqual(['custom']);
  });

  it('reopens idempotently, keeping data; schemas isolate stores', async () => {
    const s = schemaName('facegate_reopen');
    const first = await stores.open(s);
    await collection('kept', 'p', first);
    await first.close();
    const second = await stores.open(s);
    expect((await second.getCollection({ provider: 'p', collectionId: 'kept' }))?.collectionId).toBe('kept');
    expect(await countRows('schema_version', 'true', [], s)).toBe(MIGRATIONS.length);
    // This file's store does not see the other schema's collection.
    expect(await store.getCollection({ provider: 'p', collectionId: 'kept' })).toBeNull();
  });

  it('migrates once when several replicas open a fresh schema at the same time', async () => {
    const s = schemaName('facegate_race');
    const opened = await Promise.all([1, 2, 3, 4].map(() => stores.open(s, { poolSize: 1 })));
    expect(opened).toHaveLength(4);
    expect(await countRows('schema_version', 'true', [], s)).toBe(MIGRATIONS.length);
    await collection('shared', 'p', opened[0]);
    expect(await opened[3].getCollection({ provider: 'p', collectionId: 'shared' })).not.toBeNull();
  });

  it('refuses a schema written by a newer version, and bad options', async () => {
    const s = schemaName('facegate_newer');
    await stores.open(s);
    await admin((c) => c.query(`INSERT INTO "${s}".schema_version (version, description, applied_at) VALUES (99, 'future', 0)`));
    await expect(openPostgresStore(DATABASE_URL, { schema: s })).rejects.toThrow(
      new RegExp(`expected schema version ≤ ${MIGRATIONS.length}, got 99`),
    );
    await expect(openPostgresStore(DATABASE_URL, { schema: 'Bad-Name' })).rejects.toThrow(/expected a schema name/);
    await expect(openPostgresStore(DATABASE_URL, { poolSize: 0 })).rejects.toThrow(/expected poolSize to be a positive integer/);
  });
});

describe.skipIf(!pgAvailable)('transactions', () => {
  it('hides uncommitted writes from store reads, shows them to the tx', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let seenInside: unknown;
    const pending = store.transaction(async (tx) => {
      await tx.insertCollection({ provider: 'local', collectionId: 'uncommitted', faceModelVersion: null, createdAt: new Date() });
      seenInside = await tx.getCollection({ provider: 'local', collectionId: 'uncommitted' });
      await gate;
    });
    await sleep(30);
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
    await collection('after-rollback');
  });

  it('runs afterCommit hooks after COMMIT, in commit order for one collection', async () => {
    const c = await collection('hooks');
    const ref = { provider: 'local', collectionId: 'hooks' };
    const starts: string[] = [];
    const hooks: string[] = [];
    const seenByHooks: Promise<number | undefined>[] = [];
    await Promise.all(
      ['v', 'w', 'x', 'y', 'z'].map((n) =>
        store.transaction(async (tx) => {
          await tx.getCollection(ref); // locks the collection
          starts.push(n);
          await tx.insertUser(c.key, `user-${n}`, new Date());
          await sleep(5);
          tx.afterCommit(() => {
            hooks.push(n);
            // A read on another connection, started by the hook, already sees the commit.
            seenByHooks.push(store.getUser(c.key, `user-${n}`).then((u) => u?.seq));
          });
        }),
      ),
    );
    expect(hooks).toEqual(starts);
    expect((await Promise.all(seenByHooks)).every((seq) => typeof seq === 'number')).toBe(true);
  });

  it('refuses nested transactions and use of a tx after its transaction', async () => {
    await expect(store.transaction(async () => store.transaction(async () => 1))).rejects.toThrow(/nested/);
    let leaked!: StoreTx;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked.getCollection({ provider: 'local', collectionId: 'x' })).rejects.toThrow(/after commit or rollback/);
    expect(() => leaked.afterCommit(() => {})).toThrow(/finished one/);
  });

  it('fails the commit, writing nothing, when the callback swallowed a failed statement', async () => {
    await collection('dup');
    await expect(
      store.transaction(async (tx) => {
        await tx.insertCollection({ provider: 'local', collectionId: 'written-before', faceModelVersion: null, createdAt: new Date() });
        await tx.insertCollection({ provider: 'local', collectionId: 'dup', faceModelVersion: null, createdAt: new Date() }).catch(() => {});
      }),
    ).rejects.toThrow(/expected COMMIT to commit, got ROLLBACK/);
    expect(await store.getCollection({ provider: 'local', collectionId: 'written-before' })).toBeNull();
  });

  it('serves committed reads from their own pool: never queued behind transactions, even from inside one', async () => {
    const own = await stores.open(schemaName('facegate_pools'), { poolSize: 1 });
    const c = await collection('pools', 'p', own);
    const ref = { provider: 'p', collectionId: 'pools' };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const holder = own.transaction(async (tx) => {
      await tx.insertUser(c.key, 'holder', new Date());
      // The only transaction connection is busy: a store read still runs.
      expect((await own.getCollection(ref))?.userCount).toBe(0);
      await gate;
    });
    const queued = own.transaction((tx) => tx.insertUser(c.key, 'queued', new Date()));
    await sleep(30);
    expect(await own.getUser(c.key, 'holder')).toBeNull();
    release();
    await Promise.all([holder, queued]);
    expect((await own.getCollection(ref))?.userCount).toBe(2);
  });

  it('close waits for a running transaction, then refuses new ones', async () => {
    const own = await stores.open(schemaName('facegate_close'));
    const running = own.transaction(async (tx) => {
      await sleep(50);
      return tx.insertCollection({ provider: 'p', collectionId: 'late', faceModelVersion: null, createdAt: new Date() });
    });
    await sleep(5);
    await own.close();
    expect((await running).collectionId).toBe('late');
    await expect(own.transaction(async () => 1)).rejects.toThrow(/expected an open store/);
    await expect(own.getCollection({ provider: 'p', collectionId: 'late' })).rejects.toThrow(/query after close/);
  });
});

describe.skipIf(!pgAvailable)('batch lookups', () => {
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
    expect(await store.findUserFaces(ref, many)).toEqual([]);
    expect(store.stats.statements - before).toBe(3);

    before = store.stats.statements;
    expect(await store.getCollections('local', ['batch', 'missing', 'a'])).toHaveLength(1);
    expect(store.stats.statements - before).toBe(1);

    expect((await store.getCollection(ref))?.userCount).toBe(600);
  });

  it('never mixes providers: the same collection id is separate per provider', async () => {
    await collection('shared-id', 'local-a');
    await collection('shared-id', 'local-b');
    const a = await store.getCollection({ provider: 'local-a', collectionId: 'shared-id' });
    const b = await store.getCollection({ provider: 'local-b', collectionId: 'shared-id' });
    expect(a?.key).not.toBe(b?.key);
    expect(await store.getCollections('local-a', ['shared-id'])).toHaveLength(1);
  });
});

describe.skipIf(!pgAvailable)('faces and images', () => {
  it('round-trips rows exactly (numbers, dates, nulls, descriptors) and keyset-paginates in index order', async () => {
    const c = await collection('faces');
    expect(typeof c.key).toBe('number');
    const inserted = await store.transaction((tx) => tx.insertFaces(c.key, [newFace(1, 'ext-1'), newFace(2), newFace(3)], null));
    const withDescriptors = await store.getFacesWithDescriptors(c.key, inserted.map((f) => f.faceId));
    expect(withDescriptors.map(({ descriptor: d, ...row }) => ({ row, bytes: bytesOf(d).toString('hex') }))).toEqual(
      inserted.map((row, i) => ({ row, bytes: bytesOf(descriptor(i + 1)).toString('hex') })),
    );
    const page1 = await store.listFaces(c.key, {}, { after: null, limit: 2 });
    const page2 = await store.listFaces(c.key, {}, { after: page1[1].seq, limit: 2 });
    expect([...page1, ...page2]).toEqual(inserted);
    const full = await store.getCollection({ provider: 'local', collectionId: 'faces' });
    expect(full).toEqual({ ...c, faceCount: 3 });
    expect(await store.findFacesFromImage(c.key, 'none', null)).toEqual([]);
  });

  it('lists faces by user, associated and unassociated', async () => {
    const c = await collection('filters');
    const faces = await store.transaction((tx) => tx.insertFaces(c.key, [newFace(1), newFace(2), newFace(3)], null));
    await store.transaction(async (tx) => {
      const u = await tx.insertUser(c.key, 'u', new Date());
      await tx.setFacesUser(c.key, [faces[1].seq], u.seq);
      await tx.refreshUserStatus(u.seq);
    });
    const page = { after: null, limit: 10 };
    expect((await store.listFaces(c.key, { userId: 'u' }, page)).map((f) => f.faceId)).toEqual([faces[1].faceId]);
    expect((await store.listFaces(c.key, { associated: true }, page)).map((f) => f.userId)).toEqual(['u']);
    expect((await store.listFaces(c.key, { unassociated: true }, page)).map((f) => f.faceId)).toEqual([faces[0].faceId, faces[2].faceId]);
    expect(await store.listFaces(c.key, { userId: 'nobody' }, page)).toEqual([]);
    expect((await store.listFacesWithDescriptors(c.key, { userId: 'u' }, page))[0].descriptor).toEqual(descriptor(2));
    const u = (await store.findUsers({ provider: 'local', collectionId: 'filters' }, ['u']))![0];
    expect(u.status).toBe('ACTIVE');
    expect((await store.getUserFaces(u.seq)).map((f) => f.faceId)).toEqual([faces[1].faceId]);
    expect((await store.countUserFaces({ provider: 'local', collectionId: 'filters' }, ['u']))?.get('u')).toBe(1);
  });

  it('keeps an image while any face references it, deletes it with the last one; finds earlier faces of an image', async () => {
    const c1 = await collection('img-1');
    const c2 = await collection('img-2');
    const img = { sha256: 'ab'.repeat(32), bytes: new Uint8Array([1, 2, 3]) };
    const [f1, f2] = await store.transaction((tx) => tx.insertFaces(c1.key, [newFace(1, 'e'), newFace(2, 'e')], img));
    await store.transaction((tx) => tx.insertFaces(c2.key, [newFace(3)], img));
    expect((await store.findFacesFromImage(c1.key, img.sha256, 'e')).map((f) => f.faceId)).toEqual([f1.faceId, f2.faceId]);
    expect(await store.findFacesFromImage(c1.key, img.sha256, null)).toEqual([]);
    expect(await store.findFacesFromImage(c2.key, img.sha256, null)).toHaveLength(1);

    await store.transaction((tx) => tx.deleteFaces(c1.key, [f1.seq]));
    expect(await store.getImage(img.sha256)).toEqual(new Uint8Array([1, 2, 3]));
    await store.transaction((tx) => tx.deleteFaces(c1.key, [f2.seq]));
    expect(await store.getImage(img.sha256)).not.toBeNull(); // still used by img-2
    expect((await store.getCollection({ provider: 'local', collectionId: 'img-1' }))?.faceCount).toBe(0);
    await store.transaction((tx) => tx.deleteCollection(c2.key));
    expect(await store.getImage(img.sha256)).toBeNull();
  });

  it('deletes a large collection in batches, with its users, tokens and images', async () => {
    const c = await collection('large');
    const images = [0, 1, 2].map((i) => ({ sha256: String(i).repeat(64), bytes: new Uint8Array([i]) }));
    await store.transaction(async (tx) => {
      for (const img of images) await tx.insertFaces(c.key, Array.from({ length: 400 }, (_, i) => newFace(i % 100)), img);
      const user = await tx.insertUser(c.key, 'owner', new Date());
      const [first] = await tx.listFaces(c.key, {}, { after: null, limit: 1 });
      await tx.setFacesUser(c.key, [first.seq], user.seq);
      await tx.putIdempotency(c.key, 'CreateUser', 'tok', { requestHash: 'h', response: '{"ok":null}', createdAt: new Date() });
    });
    expect((await store.getIdempotency(c.key, 'CreateUser', 'tok'))?.response).toBe('{"ok":null}');
    expect((await store.getCollection({ provider: 'local', collectionId: 'large' }))?.faceCount).toBe(1200);
    await store.transaction((tx) => tx.deleteCollection(c.key));
    expect(await store.getCollection({ provider: 'local', collectionId: 'large' })).toBeNull();
    for (const img of images) expect(await store.getImage(img.sha256)).toBeNull();
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
    await expect(store.transaction((tx) => tx.setFacesUser(c.key, [f.seq], 987654))).rejects.toMatchObject({ code: '23503' });
  });

  it('prunes idempotency records by age', async () => {
    const c = await collection('tokens');
    await store.transaction(async (tx) => {
      await tx.putIdempotency(c.key, 'Op', 'old', { requestHash: 'h', response: 'r', createdAt: new Date(1000) });
      await tx.putIdempotency(c.key, 'Op', 'new', { requestHash: 'h', response: 'r', createdAt: new Date(5000) });
    });
    expect(await store.transaction((tx) => tx.pruneIdempotency(new Date(2000)))).toBe(1);
    expect(await store.getIdempotency(c.key, 'Op', 'old')).toBeNull();
    expect(await store.getIdempotency(c.key, 'Op', 'new')).toEqual({ requestHash: 'h', response: 'r', createdAt: new Date(5000) });
  });
});

// ---- snapshots and operations (as in snapshot-store.test.ts) ----------------

function snapshotRecord(overrides: Partial<SnapshotRecord> = {}): SnapshotRecord {
  return {
    id: randomUUID(),
    owner: 'tenant-a',
    source: { provider: 'local', collectionId: 'src' },
    applyScope: [],
    userData: null,
    state: 'TAKING',
    userCount: 0,
    faceCount: 0,
    createdAt: new Date(1_700_000_000_123),
    lastUpdatedAt: new Date(1_700_000_000_123),
    expiresAt: new Date(1_700_604_800_123),
    ...overrides,
  };
}

async function insertSnapshot(overrides: Partial<SnapshotRecord> = {}, on: PostgresStore = store): Promise<SnapshotRecord> {
  const s = snapshotRecord(overrides);
  await on.transaction((tx) => tx.insertSnapshot(s));
  return s;
}

/** 23 users, 41 faces over three images (and some with none); faces 0..29 belong to users round-robin. */
async function populatedCollection(id: string): Promise<CollectionRow> {
  const c = await collection(id);
  await store.transaction(async (tx) => {
    const users = [];
    for (let i = 0; i < 23; i++) users.push(await tx.insertUser(c.key, `user-${i}`, new Date(1_700_000_000_000 + i)));
    const images = [image(`${id}-a`), image(`${id}-b`), image(`${id}-c`), null];
    const faces = [];
    for (let i = 0; i < 41; i++) {
      faces.push(...(await tx.insertFaces(c.key, [newFace(i, i % 3 === 0 ? `ext-${i}` : null)], images[i % 4])));
    }
    for (let i = 0; i < 30; i++) {
      const user = users[i % users.length];
      await tx.setFacesUser(c.key, [faces[i].seq], user.seq);
      await tx.refreshUserStatus(user.seq);
    }
  });
  return (await store.getCollection({ provider: 'local', collectionId: id }))!;
}

async function take(tx: StoreTx, c: CollectionRow, snapshotId: string, limit: number, between: () => Promise<void> = async () => {}) {
  const chunks: { kind: 'users' | 'faces'; copied: number; lastSeq: number | null }[] = [];
  for (const kind of ['users', 'faces'] as const) {
    for (let after: number | null = null; ; ) {
      const chunk: CopyChunk =
        kind === 'users'
          ? await tx.copyUsersToSnapshot(c.key, snapshotId, after, limit)
          : await tx.copyFacesToSnapshot(c.key, snapshotId, after, limit);
      chunks.push({ kind, ...chunk });
      if (chunk.copied === 0) break;
      after = chunk.lastSeq;
      await between();
    }
  }
  return chunks;
}

async function allPages<T extends { seq: number }>(list: (after: number | null) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let after: number | null = null; ; ) {
    const page = await list(after);
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1].seq;
  }
}

const snapshotUsers = (id: string, limit = 5) => allPages((after) => store.listSnapshotUsers(id, { after, limit }));
const snapshotFaces = (id: string, limit = 5) => allPages((after) => store.listSnapshotFaces(id, { after, limit }));
const sourceUsers = (key: number) => allPages((after) => store.listUsers(key, { after, limit: 100 }));
const sourceFaces = (key: number) => allPages((after) => store.listFacesWithDescriptors(key, {}, { after, limit: 100 }));

async function expectedContent(key: number) {
  const users = (await sourceUsers(key)).map((u) => ({ seq: u.seq, userId: u.userId, status: u.status }));
  const faces = (await sourceFaces(key)).map((f) => ({
    seq: f.seq,
    faceId: f.faceId,
    userId: f.userId,
    externalImageId: f.externalImageId,
    boundingBox: f.boundingBox,
    confidence: f.confidence,
    descriptor: f.descriptor,
    imageSha256: f.imageSha256,
    indexedAt: f.indexedAt,
  }));
  return { users, faces };
}

describe.skipIf(!pgAvailable)('snapshot and operation records', () => {
  it('round-trips a snapshot: dates, JSON apply scope, nulls; updates return the new record', async () => {
    const s = await insertSnapshot({ applyScope: ['tenant-b', 'tenant-c'], userData: null });
    expect(await store.getSnapshot(s.id)).toEqual(s);
    const withData = await insertSnapshot({ applyScope: [], userData: '{"note":"ünïcode ✓ ? \'quoted\'"}' });
    expect(await store.getSnapshot(withData.id)).toEqual(withData);
    expect(await store.getSnapshot(randomUUID())).toBeNull();

    const at = new Date(1_700_000_100_000);
    const updated = await store.transaction((tx) => tx.updateSnapshot(s.id, { state: 'READY', userCount: 3, faceCount: 7, lastUpdatedAt: at }));
    expect(updated).toEqual({ ...s, state: 'READY', userCount: 3, faceCount: 7, lastUpdatedAt: at });
    expect(await store.getSnapshot(s.id)).toEqual(updated);
    expect(await store.transaction((tx) => tx.updateSnapshot(s.id, { state: 'FAILED' }))).toEqual({ ...updated, state: 'FAILED' });
    expect(await store.transaction((tx) => tx.updateSnapshot(s.id, {}))).toEqual({ ...updated, state: 'FAILED' });

    const missing = randomUUID();
    await expect(store.transaction((tx) => tx.updateSnapshot(missing, { state: 'READY' }))).rejects.toThrow(
      `expected snapshot ${missing} to exist, got none`,
    );
    await expect(store.transaction((tx) => tx.insertSnapshot(s))).rejects.toMatchObject({ code: '23505' }); // unique
    await expect(
      store.transaction((tx) => tx.insertSnapshot(snapshotRecord({ state: 'BROKEN' as SnapshotRecord['state'] }))),
    ).rejects.toMatchObject({ code: '23514' }); // check
  });

  it('hides a snapshot from committed reads until its transaction commits', async () => {
    const s = snapshotRecord();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let seenInside: SnapshotRecord | null = null;
    const pending = store.transaction(async (tx) => {
      await tx.insertSnapshot(s);
      seenInside = await tx.getSnapshot(s.id);
      await gate;
    });
    await sleep(30);
    expect(await store.getSnapshot(s.id)).toBeNull();
    release();
    await pending;
    expect(seenInside).toEqual(s);
    expect(await store.getSnapshot(s.id)).toEqual(s);
  });

  it('round-trips operations: defaults, target, nulls, patches and lastActionAt', async () => {
    const createdAt = new Date(1_700_000_200_000);
    const op = await store.transaction((tx) =>
      tx.insertOperation({ id: randomUUID(), kind: 'TAKE_SNAPSHOT', owner: 'tenant-a', snapshotId: 'snap-1', target: null, createdAt }),
    );
    expect(op).toEqual({
      id: op.id,
      kind: 'TAKE_SNAPSHOT',
      owner: 'tenant-a',
      status: 'NOT_STARTED',
      percent: 0,
      processedItems: 0,
      totalItems: null,
      snapshotId: 'snap-1',
      target: null,
      message: null,
      createdAt,
      lastActionAt: createdAt,
    } satisfies OperationRecord);
    expect(await store.getOperation(op.id)).toEqual(op);

    const target = { provider: 'local', collectionId: 'restored' };
    const t1 = new Date(1_700_000_201_000);
    const running = await store.transaction((tx) =>
      tx.updateOperation(op.id, { status: 'RUNNING', percent: 12.5, processedItems: 5, totalItems: 40 }, t1),
    );
    expect(running).toEqual({ ...op, status: 'RUNNING', percent: 12.5, processedItems: 5, totalItems: 40, lastActionAt: t1 });
    const t2 = new Date(1_700_000_202_000);
    const failed = await store.transaction((tx) =>
      tx.updateOperation(op.id, { status: 'FAILED', totalItems: null, message: 'source deleted', target }, t2),
    );
    expect(failed).toEqual({ ...running, status: 'FAILED', totalItems: null, message: 'source deleted', target, lastActionAt: t2 });
    expect(await store.transaction((tx) => tx.updateOperation(op.id, { target: null, message: null }, t2))).toEqual({
      ...failed,
      target: null,
      message: null,
    });
    const missing = randomUUID();
    await expect(store.transaction((tx) => tx.updateOperation(missing, { percent: 1 }, t2))).rejects.toThrow(
      `expected operation ${missing} to exist, got none`,
    );
  });

  it('lists operations by status in creation order, across statement pages', async () => {
    const own = await stores.open(schemaName('facegate_ops'));
    const ids: string[] = [];
    await own.transaction(async (tx) => {
      for (let i = 0; i < 1203; i++) {
        const op = await tx.insertOperation({
          id: `op-${i}`,
          kind: i % 2 ? 'TAKE_SNAPSHOT' : 'APPLY_SNAPSHOT',
          owner: 't',
          snapshotId: null,
          target: null,
          createdAt: new Date(),
        });
        ids.push(op.id);
        const status = (['NOT_STARTED', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const)[i % 4];
        if (status !== 'NOT_STARTED') await tx.updateOperation(op.id, { status }, new Date());
      }
    });
    const live = await own.listOperationsByStatus(['NOT_STARTED', 'RUNNING']);
    expect(live.map((o) => o.id)).toEqual(ids.filter((_, i) => i % 4 < 2));
    expect((await own.listOperationsByStatus(['FAILED'])).map((o) => o.id)).toEqual(ids.filter((_, i) => i % 4 === 3));
    expect(await own.listOperationsByStatus([])).toEqual([]);
    const before = own.stats.statements;
    await own.listOperationsByStatus(['NOT_STARTED', 'RUNNING', 'RUNNING']);
    expect(own.stats.statements - before).toBe(2);
  });
});

describe.skipIf(!pgAvailable)('copying a collection into a snapshot', () => {
  it('copies users and faces in chunks, in source order, descriptors byte-equal', async () => {
    const c = await populatedCollection('copy-src');
    const s = await insertSnapshot({ source: { provider: 'local', collectionId: 'copy-src' } });
    const chunks = await store.transaction((tx) => take(tx, c, s.id, 7));
    const expected = await expectedContent(c.key);
    expect(chunks.filter((ch) => ch.kind === 'users').map((ch) => ch.copied)).toEqual([7, 7, 7, 2, 0]);
    expect(chunks.filter((ch) => ch.kind === 'faces').map((ch) => ch.copied)).toEqual([7, 7, 7, 7, 7, 6, 0]);
    expect(chunks.filter((ch) => ch.kind === 'users').map((ch) => ch.lastSeq)).toEqual([
      expected.users[6].seq,
      expected.users[13].seq,
      expected.users[20].seq,
      expected.users[22].seq,
      null,
    ]);
    expect(await snapshotUsers(s.id)).toEqual(expected.users);
    expect(await snapshotFaces(s.id, 4)).toEqual(expected.faces);
    const mismatched = await countRows(
      `snapshot_faces sf JOIN "${schema}".faces f ON f.seq = sf.seq`,
      'sf.snapshot_id = $1 AND (f.descriptor <> sf.descriptor OR f.face_id <> sf.face_id)',
      [s.id],
    );
    expect(mismatched).toBe(0);
    expect(await countRows('snapshot_faces', 'snapshot_id = $1', [s.id])).toBe(41);
  });

  it('copies each image once per snapshot and keeps it after the source is gone', async () => {
    const c = await populatedCollection('img-src');
    const s1 = await insertSnapshot();
    const s2 = await insertSnapshot();
    await store.transaction(async (tx) => {
      await take(tx, c, s1.id, 3);
      await take(tx, c, s2.id, 100);
    });
    const images = [image('img-src-a'), image('img-src-b'), image('img-src-c')];
    for (const s of [s1, s2]) {
      expect(await countRows('snapshot_images', 'snapshot_id = $1', [s.id])).toBe(3);
      for (const img of images) expect(await store.getSnapshotImage(s.id, img.sha256)).toEqual(img.bytes);
    }
    const before = await snapshotFaces(s1.id);
    const seqs = (await sourceFaces(c.key)).map((f) => f.seq);
    await store.transaction((tx) => tx.deleteFaces(c.key, seqs.slice(0, 20)));
    await store.transaction((tx) => tx.deleteCollection(c.key));
    for (const img of images) expect(await store.getImage(img.sha256)).toBeNull();
    for (const img of images) expect(await store.getSnapshotImage(s1.id, img.sha256)).toEqual(img.bytes);
    expect(await snapshotFaces(s1.id)).toEqual(before);
  });

  it('a take in one transaction copies one consistent state: another replica’s writes wait until it commits', async () => {
    const c = await populatedCollection('consistent-src');
    const expected = await expectedContent(c.key);
    const s = await insertSnapshot();
    const replica = await stores.open(schema, { poolSize: 2 });
    const trace: string[] = [];
    let firstChunkCopied!: () => void;
    const firstChunk = new Promise<void>((r) => (firstChunkCopied = r));
    const taking = store.transaction(async (tx) => {
      await tx.getCollection({ provider: 'local', collectionId: 'consistent-src' });
      trace.push('take:start');
      let first = true;
      await take(tx, c, s.id, 4, async () => {
        if (first) {
          first = false;
          firstChunkCopied();
          await sleep(150); // the replica's write is queued meanwhile
        }
      });
      trace.push('take:end');
    });
    await firstChunk;
    const writer = replica.transaction(async (w) => {
      const [first] = await w.listFaces(c.key, {}, { after: null, limit: 1 });
      trace.push('write:start');
      await w.deleteFaces(c.key, [first.seq]);
      const u = await w.insertUser(c.key, 'late-user', new Date());
      const [late] = await w.insertFaces(c.key, [newFace(999)], image('late'));
      await w.setFacesUser(c.key, [late.seq], u.seq);
    });
    await Promise.all([taking, writer]);
    expect(trace).toEqual(['take:start', 'take:end', 'write:start']);
    expect(await snapshotUsers(s.id)).toEqual(expected.users);
    expect(await snapshotFaces(s.id)).toEqual(expected.faces);
    const after = await expectedContent(c.key);
    expect(after.users.map((u) => u.userId)).toContain('late-user');
    expect(after.faces).toHaveLength(expected.faces.length);
  });

  it('restarts a take after clearSnapshotContent; refuses unbounded chunks and missing snapshots', async () => {
    const c = await populatedCollection('restart-src');
    const s = await insertSnapshot();
    await store.transaction((tx) => take(tx, c, s.id, 10));
    await expect(store.transaction((tx) => tx.copyUsersToSnapshot(c.key, s.id, null, 10))).rejects.toMatchObject({ code: '23505' });
    await store.transaction((tx) => tx.clearSnapshotContent(s.id));
    expect(await store.getSnapshot(s.id)).toEqual(s);
    expect(await countRows('snapshot_faces', 'snapshot_id = $1', [s.id])).toBe(0);
    await store.transaction((tx) => take(tx, c, s.id, 10));
    const expected = await expectedContent(c.key);
    expect(await snapshotUsers(s.id)).toEqual(expected.users);
    expect(await snapshotFaces(s.id)).toEqual(expected.faces);

    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await expect(store.transaction((tx) => tx.copyFacesToSnapshot(c.key, s.id, null, limit))).rejects.toThrow(
        `expected a positive integer limit, got ${limit}`,
      );
    }
    await expect(store.transaction((tx) => tx.copyUsersToSnapshot(c.key, 'no-such-snapshot', null, 10))).rejects.toMatchObject({
      code: '23503',
    });
    const empty = await collection('empty-src');
    expect(await store.transaction((tx) => tx.copyFacesToSnapshot(empty.key, s.id, null, 10))).toEqual({ copied: 0, lastSeq: null });
    expect(await store.transaction((tx) => tx.copyUsersToSnapshot(987654, s.id, null, 10))).toEqual({ copied: 0, lastSeq: null });
  });
});

describe.skipIf(!pgAvailable)('listing and deleting snapshots', () => {
  it('shows a tenant its own snapshots and those whose apply scope names it, in creation order', async () => {
    const own = await stores.open(schemaName('facegate_visibility'));
    const make = (owner: string, applyScope: string[]) => insertSnapshot({ owner, applyScope }, own);
    const a1 = await make('A', ['B', 'C']);
    const b1 = await make('B', []);
    const c1 = await make('C', ['A', 'A', 'C']);
    const a2 = await make('A', []);
    const b2 = await make('B', ['D']);
    const visible = async (tenant: string, limit = 10) =>
      (await allPages(async (after) => (await own.listSnapshots(tenant, { after, limit })).map((p) => ({ ...p.snapshot, seq: p.seq })))).map(
        (s) => s.id,
      );
    expect(await visible('A')).toEqual([a1.id, c1.id, a2.id]);
    expect(await visible('A', 1)).toEqual([a1.id, c1.id, a2.id]);
    expect(await visible('B')).toEqual([a1.id, b1.id, b2.id]);
    expect(await visible('C', 2)).toEqual([a1.id, c1.id]);
    expect(await visible('D')).toEqual([b2.id]);
    expect(await visible('E')).toEqual([]);
    const [first] = await own.listSnapshots('C', { after: null, limit: 1 });
    expect(first.snapshot).toEqual(a1);
    await own.transaction((tx) => tx.deleteSnapshot(a1.id));
    expect(await visible('B')).toEqual([b1.id, b2.id]);
  });

  it('deleteSnapshot removes the record and all content, leaves other snapshots and operations', async () => {
    const c = await populatedCollection('delete-src');
    const doomed = await insertSnapshot({ owner: 'del', applyScope: ['other'] });
    const kept = await insertSnapshot({ owner: 'del' });
    const op = await store.transaction(async (tx) => {
      await take(tx, c, doomed.id, 9);
      await take(tx, c, kept.id, 9);
      return tx.insertOperation({ id: randomUUID(), kind: 'TAKE_SNAPSHOT', owner: 'del', snapshotId: doomed.id, target: null, createdAt: new Date() });
    });
    expect(await store.transaction((tx) => tx.deleteSnapshot(doomed.id))).toBe(true);
    expect(await store.getSnapshot(doomed.id)).toBeNull();
    for (const table of ['snapshot_users', 'snapshot_faces', 'snapshot_images']) {
      expect(await countRows(table, 'snapshot_id = $1', [doomed.id])).toBe(0);
    }
    expect((await store.listSnapshots('other', { after: null, limit: 10 })).map((p) => p.snapshot.id)).not.toContain(doomed.id);
    expect(await store.transaction((tx) => tx.deleteSnapshot(doomed.id))).toBe(false);
    expect(await store.getOperation(op.id)).toEqual(op);
    expect(await snapshotFaces(kept.id)).toEqual((await expectedContent(c.key)).faces);
  });
});
