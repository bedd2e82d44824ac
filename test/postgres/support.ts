/**
 * Shared helpers of the PostgreSQL store tests: the compiled store (dist/,
 * built by `tsc -p tsconfig.build.json`), typed through its sources; the
 * database URL; whether the server is reachable; a schema per test file.
 *
 * Unreachable server, or a role or database missing (the probe connects as
 * the tests do and runs a query): the files skip, saying why, unless
 * CI=true, where that is a broken pipeline and the files fail
 * (`support/environment.ts`).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { environmentAllows } from '../support/environment.js';
import type * as MigrationsModule from '../../src/store/sql/migrations.js';
import type * as PostgresStoreModule from '../../src/store/postgres/postgres-store.js';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';

/** URL of a compiled module; a non-literal specifier so tsc does not look for its types. */
const distUrl = (path: string): string => new URL(`../../dist/${path}`, import.meta.url).href;

export const { openPostgresStore } = (await import(distUrl('src/store/postgres/postgres-store.js'))) as typeof PostgresStoreModule;
export const { MIGRATIONS, postgresStatements, toPostgresDdl } = (await import(
  distUrl('src/store/sql/migrations.js')
)) as typeof MigrationsModule;

/** Override with FACEGATE_TEST_DATABASE_URL. */
export const DATABASE_URL = process.env.FACEGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await client.end().catch(() => {});
  }
}

/** False when the database is unreachable outside CI (a failure under CI=true): describe.skipIf(!pgAvailable). */
export const pgAvailable = environmentAllows(
  `PostgreSQL at ${DATABASE_URL.replace(/\/\/[^@/]*@/, '//***@')} (set FACEGATE_TEST_DATABASE_URL)`,
  await probe(),
);

/** A fresh schema name (not created yet): the store creates it. */
export function schemaName(prefix = 'facegate_test'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Runs `fn` on a one-off admin connection (not the store's). */
export async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Stores opened in a file, closed and their schemas dropped at the end:
 * `const stores = storeTracker(); … afterAll(stores.cleanup)`.
 */
export function storeTracker() {
  const stores: PostgresStore[] = [];
  const schemas = new Set<string>();
  return {
    async open(schema: string, options: { poolSize?: number } = {}): Promise<PostgresStore> {
      schemas.add(schema);
      const store = await openPostgresStore(DATABASE_URL, { schema, poolSize: options.poolSize ?? 4 });
      stores.push(store);
      return store;
    },
    /** Registers a schema created some other way, to drop it at cleanup. */
    track(schema: string): void {
      schemas.add(schema);
    },
    async cleanup(): Promise<void> {
      await Promise.all(stores.map((s) => s.close()));
      if (schemas.size === 0 || !pgAvailable) return;
      await admin(async (client) => {
        for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      });
    },
  };
}

/**
 * Holds `schema`.`table` in SHARE mode on a connection of the test's own: reads go on, writes (an apply's
 * chunk) wait for `release()`. Pauses a gateway's job at a known point without a hook in the gateway:
 * `waiting()` says when another connection waits for the lock, i.e. the paused work reached it.
 */
export async function holdTable(schema: string, table: string): Promise<{ waiting(): Promise<boolean>; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE "${schema}"."${table}" IN SHARE MODE`);
  return {
    async waiting() {
      const r = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = $1::regclass`, [
        `"${schema}"."${table}"`,
      ]);
      return r.rows[0].n > 0;
    },
    async release() {
      await client.query('COMMIT').catch(() => {});
      await client.end();
    },
  };
}

/**
 * Backends waiting for a lock while they hold one on a table of `schema`: how a
 * test sees that a transaction of its store reached a lock another one holds
 * (its first touch of a table locks the table, so only this schema's work counts).
 */
export async function lockWaiters(schema: string): Promise<number> {
  return admin(async (client) => {
    const r = await client.query<{ n: number }>(
      `SELECT count(DISTINCT w.pid)::int AS n FROM pg_locks w JOIN pg_locks h ON h.pid = w.pid AND h.granted
        WHERE NOT w.granted AND h.relation IN (SELECT oid FROM pg_class WHERE relnamespace = $1::regnamespace)`,
      [`"${schema}"`],
    );
    return r.rows[0].n;
  });
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
