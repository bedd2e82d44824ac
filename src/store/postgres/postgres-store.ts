/**
 * The store on PostgreSQL, for scale-out: several gateway replicas share one
 * database. Same {@link Store} contract as the embedded SQLite store, and the
 * same SQL: both run the query classes of sqlite-queries.ts and
 * sqlite-snapshot-queries.ts through an async {@link SqlRunner}; this
 * backend's runner renumbers `?` placeholders to `$n` and its dialect turns
 * id lists into `= ANY(?)` (postgres-runner.ts). The schema comes from the
 * same {@link MIGRATIONS}, mapped to PostgreSQL types by
 * {@link postgresStatements}.
 *
 * Connections: two pools of `poolSize` connections each. One serves reads
 * of committed data (every Store read method; each statement may run on a
 * different connection). The other serves transactions: one client per
 * transaction, `BEGIN` … `COMMIT` (READ COMMITTED), `ROLLBACK` when the
 * callback throws. Separate pools so that transactions queued behind a
 * collection lock can never starve reads, and a callback that reads through
 * the store (not its tx) cannot deadlock against a full pool.
 *
 * Serialization: where the SQLite store serializes all transactions with
 * one writer, this store serializes transactions per collection, across
 * replicas, with transaction-scoped advisory locks taken on a collection's
 * first touch — see postgres-transaction.ts for exactly what is and is not
 * serialized. Transactions on different collections run concurrently.
 *
 * afterCommit hooks run synchronously once COMMIT has succeeded. Hooks of
 * transactions that locked a common collection run in their commit order
 * within this process: such a transaction takes an in-process gate per
 * collection before sending COMMIT and releases it after its hooks, and the
 * next transaction on that collection cannot reach its own COMMIT before
 * the previous COMMIT released the advisory lock. Hooks never see other
 * replicas' commits: in-process caches are per replica.
 *
 * Durability: commits use the server's `synchronous_commit`, whose default
 * (`on`) returns from COMMIT only once the WAL record is flushed to disk
 * (and, with synchronous standbys configured, acknowledged by them); the
 * store does not override it. {@link PostgresStore.synchronousCommit}
 * reports the effective value, and opening warns when it is `off` (commits
 * acknowledged before they are durable).
 *
 * Migrations run at open in one transaction under an advisory lock keyed by
 * the schema, so replicas starting together apply them once; PostgreSQL DDL
 * is transactional, so a failed migration leaves nothing half-applied.
 *
 * Difference from SQLite worth knowing: on PostgreSQL a failed statement
 * aborts the whole transaction. A callback that catches a store error and
 * carries on gets "current transaction is aborted" from its next statement,
 * and if it returns normally the commit fails loudly rather than committing
 * part of the work.
 */
import { storageFailure } from '../storage-errors.js';
import { CommittedReads } from '../sql/committed-reads.js';
import pg from 'pg';
import { AsyncMutex } from '../../lib/async-mutex.js';
import { MIGRATIONS, postgresStatements } from '../sql/migrations.js';
import { PostgresStatements, storeTypes } from './runner.js';
import { PostgresTransaction } from './transaction.js';
import { StoreQueries } from '../sql/queries.js';
import { GuardedRunner, type StoreStats } from '../sql/runner.js';
import type { Store, StoreTx } from '../store.js';
import { TransactionScope } from '../sql/transaction-scope.js';

export interface PostgresStoreOptions {
  /**
   * Connections of each of the store's two pools (committed reads;
   * transactions), so up to twice this many per replica.
   * @default 10
   */
  poolSize?: number;
  /**
   * Schema holding the store's tables; created if missing and set as the
   * `search_path` of every connection. Lower-case letters, digits and `_`.
   * @default 'public'
   */
  schema?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Connects, brings the schema up to date (idempotently, once across replicas) and returns the store. */
export async function openPostgresStore(databaseUrl: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`PostgreSQL store: expected a schema name matching ${SCHEMA_NAME}, got ${JSON.stringify(schema)}`);
  }
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new Error(`PostgreSQL store: expected poolSize to be a positive integer, got ${poolSize}`);
  }
  const store = new PostgresStore(databaseUrl, schema, poolSize);
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

/** {@link Store} on PostgreSQL. Create with {@link openPostgresStore}. */
export class PostgresStore extends CommittedReads implements Store {
  /** Statements executed so far by this store's runners (tests assert batch lookups stay one statement). */
  readonly stats: StoreStats = { statements: 0 };
  readonly schema: string;
  /** The session's effective `synchronous_commit`, read at open. */
  synchronousCommit = '';

  private readonly readPool: pg.Pool;
  private readonly txPool: pg.Pool;
  protected readonly reads: StoreQueries;
  private readonly commitGates = new KeyedMutex();
  private readonly inTransaction = new TransactionScope();
  private readonly running = new Set<Promise<void>>();
  private closing = false;
  private closed = false;
  private closeDone: Promise<void> | undefined;

  /** Use {@link openPostgresStore}, which also migrates. */
  constructor(databaseUrl: string, schema: string, poolSize: number) {
    super();
    this.schema = schema;
    const config: pg.PoolConfig = {
      ...connectionConfig(databaseUrl, schema),
      max: poolSize,
      types: storeTypes(),
      application_name: 'facegate',
    };
    this.readPool = new pg.Pool(config);
    this.txPool = new pg.Pool(config);
    for (const pool of [this.readPool, this.txPool]) {
      // An idle client's connection dropped (server restart, network): the
      // pool discards it and opens another on demand. Without a listener the
      // 'error' event would crash the process.
      pool.on('error', (e) => process.emitWarning(`PostgreSQL store: idle connection failed: ${e.message}`));
    }
    this.reads = new StoreQueries(new PostgresStatements(this.readPool, this.stats, () => !this.closed));
  }

  /** Applies pending {@link MIGRATIONS}; called once by {@link openPostgresStore}. */
  async migrate(): Promise<void> {
    const client = await this.txPool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        await client.query(`SELECT pg_advisory_xact_lock(('x' || left(md5($1), 16))::bit(64)::bigint)`, [
          `facegate migrations ${this.schema}`,
        ]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
        const { rows: where } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
        if (where[0]?.schema !== this.schema) {
          throw new Error(
            `PostgreSQL store: expected search_path to select schema ${this.schema}, got ${String(where[0]?.schema)} (does the database URL set options=-c search_path?)`,
          );
        }
        await client.query(
          `CREATE TABLE IF NOT EXISTS schema_version (
            version INTEGER PRIMARY KEY,
            description TEXT NOT NULL,
            applied_at BIGINT NOT NULL
          )`,
        );
        const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
        const current = rows[0]?.v ?? 0;
        const latest = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
        if (current > latest) {
          throw new Error(
            `PostgreSQL store (schema ${this.schema}): expected schema version ≤ ${latest}, got ${current} (written by a newer facegate)`,
          );
        }
        for (const migration of MIGRATIONS) {
          if (migration.version <= current) continue;
          for (const statement of postgresStatements(migration)) await client.query(statement);
          await client.query('INSERT INTO schema_version (version, description, applied_at) VALUES ($1, $2, $3)', [
            migration.version,
            migration.description,
            Date.now(),
          ]);
        }
        const { rows: sync } = await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
        this.synchronousCommit = sync[0]?.synchronous_commit ?? '';
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw storageFailure(e) ?? e;
      }
    } finally {
      client.release(broken);
    }
    if (this.synchronousCommit === 'off') {
      process.emitWarning(
        'PostgreSQL store: synchronous_commit is off: a server crash can lose acknowledged commits (expected on, the default)',
      );
    }
  }

  /** Always undefined: other replicas commit without telling this one, and asking the server costs a round trip. */
  dataVersion(): undefined {
    return undefined;
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.inTransaction.active) {
      throw new Error('Store.transaction: expected a call outside any transaction, got a nested call (use the tx you were given)');
    }
    this.assertOpen();
    const result = this.runTransaction(fn);
    const settled = result.then(
      () => {},
      () => {},
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return result;
  }

  /** Refuses new transactions, waits for running ones, then closes both pools. */
  close(): Promise<void> {
    this.closeDone ??= (async () => {
      this.closing = true;
      while (this.running.size > 0) await Promise.all([...this.running]);
      this.closed = true;
      await Promise.all([this.readPool.end(), this.txPool.end()]);
    })();
    return this.closeDone;
  }

  private async runTransaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const client = await this.txPool.connect();
    // A connection whose ROLLBACK failed is in an unknown state: destroy it.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN').catch((e: Error) => {
        broken = e;
        throw e;
      });
      let active = true;
      const hooks: (() => void)[] = [];
      const tx = new PostgresTransaction(
        new GuardedRunner(new PostgresStatements(client, this.stats, () => !this.closed), () => active),
        (hook) => {
          if (!active) throw new Error('Store tx.afterCommit: expected an open transaction, got a finished one');
          hooks.push(hook);
        },
      );
      let result: T;
      let releaseGates: (() => void) | undefined;
      try {
        result = await this.inTransaction.run(() => fn(tx));
        active = false;
        if (hooks.length > 0) releaseGates = await this.commitGates.acquire(tx.lockedCollections);
        const commit = await client.query('COMMIT');
        if (commit.command !== 'COMMIT') {
          throw new Error(
            `Store transaction: expected COMMIT to commit, got ${commit.command}: a statement failed earlier in the transaction and PostgreSQL rolled it all back (was a store error caught inside the callback?)`,
          );
        }
      } catch (e) {
        active = false;
        releaseGates?.();
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw storageFailure(e) ?? e;
      }
      try {
        for (const hook of hooks) {
          try {
            hook();
          } catch (e) {
            // The commit stands; failing the caller now would report a write
            // that happened as one that did not.
            process.emitWarning(`Store afterCommit hook threw: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      } finally {
        releaseGates?.();
      }
      return result;
    } finally {
      client.release(broken);
    }
  }

  private assertOpen(): void {
    if (this.closing) {
      throw new Error(`PostgreSQL store (schema ${this.schema}): expected an open store, got a closed one`);
    }
  }
}

/**
 * The pool's connection settings: the URL plus `-c search_path=<schema>` as
 * a startup option, so every connection has it before its first statement.
 * pg lets a URL's own `options` parameter replace the config's, so those
 * are merged here (ours last, so ours win); a connection string that is not
 * a URL is passed as is, and the current_schema() check at open catches an
 * override there.
 */
function connectionConfig(databaseUrl: string, schema: string): { connectionString: string; options: string } {
  const ours = `-c search_path=${schema}`;
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return { connectionString: databaseUrl, options: ours };
  }
  const theirs = url.searchParams.get('options');
  if (theirs === null) return { connectionString: databaseUrl, options: ours };
  url.searchParams.delete('options');
  return { connectionString: url.toString(), options: `${theirs} ${ours}` };
}

/** FIFO mutexes by name; several names are taken in sorted order, so holders never wait for each other in a cycle. */
class KeyedMutex {
  private readonly mutexes = new Map<string, AsyncMutex>();

  async acquire(names: Iterable<string>): Promise<() => void> {
    const held: [string, AsyncMutex, () => void][] = [];
    for (const name of [...names].sort()) {
      let mutex = this.mutexes.get(name);
      if (!mutex) this.mutexes.set(name, (mutex = new AsyncMutex()));
      held.push([name, mutex, await mutex.acquire()]);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const [name, mutex, release] of held.reverse()) {
        release();
        if (mutex.pending === 0 && this.mutexes.get(name) === mutex) this.mutexes.delete(name);
      }
    };
  }
}
