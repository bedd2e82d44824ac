/**
 * The PostgreSQL store: the shared store behaviour (store-behaviour.ts) on
 * PostgreSQL, plus what only PostgreSQL has: its schema and column types,
 * the DDL derived from the one migration list, the server's
 * synchronous_commit, migrating once under an advisory lock when replicas
 * open a fresh schema together, option validation, commits that fail after
 * a swallowed statement error, committed reads on their own pool, and close
 * waiting for a running transaction. Concurrency across two stores
 * (replicas) is in ../postgres/postgres-replicas.test.ts.
 *
 * Each store gets its own schema, dropped at the end; skips when PostgreSQL
 * is unreachable (fails in CI), see ../postgres/support.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import {
  DATABASE_URL,
  MIGRATIONS,
  admin,
  lockWaiters,
  openPostgresStore,
  pgAvailable,
  postgresStatements,
  schemaName,
  storeTracker,
  toPostgresDdl,
} from '../postgres/support.js';
import { collection, storeBehaviour, type StoreHarness } from './store-behaviour.js';

const stores = storeTracker();
afterAll(() => stores.cleanup());

/** Locations are schemas, created by the store and dropped at the end. */
const postgres: StoreHarness = {
  backend: 'PostgreSQL',
  available: pgAvailable,
  capabilities: new Set(['replicas']),
  violation: { unique: { code: '23505' }, check: { code: '23514' }, foreignKey: { code: '23503' } },
  location: () => schemaName(),
  open: (schema) => stores.open(schema),
  query: (schema, sql, params = []) =>
    admin(async (client) => {
      await client.query(`SET search_path TO "${schema}"`);
      return (await client.query(sql, params)).rows as Record<string, unknown>[];
    }),
  lockWaiters: (schema) => lockWaiters(schema),
};

storeBehaviour(postgres);

const count = async (schema: string, table: string): Promise<number> =>
  Number((await postgres.query(schema, `SELECT COUNT(*) AS n FROM ${table}`))[0].n);

describe.skipIf(!pgAvailable)('PostgreSQL only: schema and migrations', () => {
  const schema = schemaName();
  let store: PostgresStore;
  beforeAll(async () => {
    if (pgAvailable) store = await stores.open(schema);
  });

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
      new Set([
        'schema_version',
        'collections',
        'users',
        'images',
        'faces',
        'idempotency',
        'snapshots',
        'snapshot_visibility',
        'snapshot_users',
        'snapshot_images',
        'snapshot_faces',
        'operations',
        'provider_records',
        'provider_images',
        'association_changes',
      ]),
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

  it('migrates once when several replicas open a fresh schema at the same time', async () => {
    const s = schemaName('facegate_race');
    const opened = await Promise.all([1, 2, 3, 4].map(() => stores.open(s, { poolSize: 1 })));
    expect(opened).toHaveLength(4);
    expect(await count(s, 'schema_version')).toBe(MIGRATIONS.length);
    await collection(opened[0], 'shared', 'p');
    expect(await opened[3].getCollection({ provider: 'p', collectionId: 'shared' })).not.toBeNull();
  });

  it('refuses bad options', async () => {
    await expect(openPostgresStore(DATABASE_URL, { schema: 'Bad-Name' })).rejects.toThrow(/expected a schema name/);
    await expect(openPostgresStore(DATABASE_URL, { poolSize: 0 })).rejects.toThrow(/expected poolSize to be a positive integer/);
  });
});

describe.skipIf(!pgAvailable)('PostgreSQL only: transactions and pools', () => {
  it('fails the commit, writing nothing, when the callback swallowed a failed statement', async () => {
    const store = await stores.open(schemaName());
    await collection(store, 'dup');
    await expect(
      store.transaction(async (tx) => {
        await tx.insertCollection({ provider: 'local', collectionId: 'written-before', faceModelVersion: null, createdAt: new Date() });
        await tx
          .insertCollection({ provider: 'local', collectionId: 'dup', faceModelVersion: null, createdAt: new Date() })
          .catch(() => {});
      }),
    ).rejects.toThrow(/expected COMMIT to commit, got ROLLBACK/);
    expect(await store.getCollection({ provider: 'local', collectionId: 'written-before' })).toBeNull();
  });

  it('serves committed reads from their own pool: never queued behind transactions, even from inside one', async () => {
    const own = await stores.open(schemaName('facegate_pools'), { poolSize: 1 });
    const c = await collection(own, 'pools', 'p');
    const ref = { provider: 'p', collectionId: 'pools' };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const holder = own.transaction(async (tx) => {
      await tx.insertUser(c.key, 'holder', new Date());
      // The only transaction connection is busy: a store read still runs.
      expect((await own.getCollection(ref))?.userCount).toBe(0);
      holding();
      await gate;
    });
    // Asks the full pool for a connection (in this call) and waits for the holder's.
    const queued = own.transaction((tx) => tx.insertUser(c.key, 'queued', new Date()));
    await held;
    expect(await own.getUser(c.key, 'holder')).toBeNull();
    release();
    await Promise.all([holder, queued]);
    expect((await own.getCollection(ref))?.userCount).toBe(2);
  });

  it('close waits for a running transaction, then refuses new ones', async () => {
    const own = await stores.open(schemaName('facegate_close'));
    let started!: () => void;
    const inside = new Promise<void>((r) => (started = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = own.transaction(async (tx) => {
      started();
      await gate;
      return tx.insertCollection({ provider: 'p', collectionId: 'late', faceModelVersion: null, createdAt: new Date() });
    });
    await inside;
    let closed = false;
    const closing = own.close().then(() => (closed = true));
    // Closing refuses new transactions at once, while the running one is still held at the gate.
    await expect(own.transaction(async () => 1)).rejects.toThrow(/expected an open store/);
    expect(closed).toBe(false);
    release();
    expect((await running).collectionId).toBe('late');
    await closing;
    await expect(own.transaction(async () => 1)).rejects.toThrow(/expected an open store/);
    await expect(own.getCollection({ provider: 'p', collectionId: 'late' })).rejects.toThrow(/query after close/);
  });
});
