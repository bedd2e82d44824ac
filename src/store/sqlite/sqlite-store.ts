/**
 * The embedded store: one SQLite file (`<dataDir>/facegate.db`) through
 * better-sqlite3.
 *
 * Durability: WAL with `synchronous=FULL`. In WAL mode NORMAL already
 * survives a killed process (the WAL is in the OS page cache), but a power
 * loss can drop the last commits; FULL fsyncs the WAL on every commit, so an
 * acknowledged write is on disk before the caller hears about it. The cost is
 * one fsync per transaction, which batching several writes into one
 * transaction amortizes.
 *
 * Two connections: a writer used only inside {@link SqliteStore.transaction}
 * (serialized by an async mutex, `BEGIN IMMEDIATE … COMMIT/ROLLBACK`) and a
 * read-only reader for everything else. Because a transaction callback may
 * await, other requests run while it is open; with one shared connection
 * they would read its uncommitted writes. The reader sees only committed
 * data (WAL snapshot per statement).
 *
 * better-sqlite3 is synchronous: a statement blocks the event loop while it
 * runs. Queries are bounded (keyset pages, chunked id lists) to keep that short.
 *
 * Erasure: the file holds face descriptors and photos, and a deleted row's
 * bytes would otherwise stay in free pages of the file and in old frames of
 * the WAL. `secure_delete` overwrites deleted content with zeros; a
 * transaction that erased biometric data (faces, collections, snapshots,
 * retained images) is followed by a TRUNCATE checkpoint, which moves the
 * zeroed pages into the database and empties the WAL, so the bytes are gone
 * from disk when the call answers. Best effort: a reader of another process
 * can hold the checkpoint back; `journal_size_limit = 0` then truncates the
 * WAL at its next restart. The database and its -wal / -shm are 0600
 * (data-dir.ts).
 */
import { checkDataDir, restrictStoreFiles } from './data-dir.js';
import { storageFailure } from '../storage-errors.js';
import { CommittedReads } from '../sql/committed-reads.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AsyncMutex } from '../../lib/async-mutex.js';
import { MIGRATIONS } from '../sql/migrations.js';
import { SqliteQueries } from '../sql/queries.js';
import { GuardedRunner, type SqlRunner, type StoreStats } from '../sql/runner.js';
import { SqliteStatements } from './sqlite-statements.js';
import type { Store, StoreTx } from '../store.js';
import type { CollectionRef } from '../../domain/records.js';
import { SqliteReadCache } from './read-cache.js';
import { TransactionScope } from '../sql/transaction-scope.js';

/** File name of the database inside the data directory. */
export const SQLITE_FILE_NAME = 'facegate.db';

export interface SqliteStoreOptions {
  /**
   * How long a statement waits for a lock held by another process before
   * failing with SQLITE_BUSY. It blocks the event loop meanwhile; within one
   * process the mutex means it is never needed.
   * @default 5000
   */
  busyTimeoutMs?: number;
}

/** Opens (creating if needed) `<dataDir>/facegate.db` and brings its schema up to date. */
export async function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  checkDataDir(dataDir);
  return new SqliteStore(join(dataDir, SQLITE_FILE_NAME), options);
}

/** {@link Store} on SQLite. Create with {@link openSqliteStore}. */
export class SqliteStore extends CommittedReads implements Store {
  /** Statements executed so far (tests assert batch lookups stay one statement). */
  readonly stats: StoreStats = { statements: 0 };
  /** Absolute path of the database file. */
  readonly file: string;

  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly writerSql: SqliteStatements;
  protected readonly reads: SqliteQueries;
  private readonly readCache: SqliteReadCache;
  private readonly mutex = new AsyncMutex();
  // Marks async work running inside a transaction callback, to refuse nested
  // transactions (they would queue behind themselves forever).
  private readonly inTransaction = new TransactionScope();
  private closed = false;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    super();
    this.file = file;
    const busyTimeout = options.busyTimeoutMs ?? 5000;
    restrictStoreFiles(file);
    this.writer = new Database(file, { timeout: busyTimeout });
    try {
      const mode = this.writer.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') {
        throw new Error(`SQLite store ${file}: expected journal_mode wal, got ${String(mode)}`);
      }
      this.writer.pragma('synchronous = FULL');
      this.writer.pragma('foreign_keys = ON');
      this.writer.pragma('secure_delete = ON');
      this.writer.pragma('journal_size_limit = 0');
      migrate(this.writer, file);
      // Opened after the writer so the WAL and shared-memory files exist,
      // which a read-only connection needs.
      this.reader = new Database(file, { readonly: true, fileMustExist: true, timeout: busyTimeout });
      this.reader.pragma('foreign_keys = ON');
    } catch (e) {
      this.writer.close();
      throw e;
    }
    const isOpen = () => !this.closed;
    this.writerSql = new SqliteStatements(this.writer, this.stats, isOpen);
    this.readCache = new SqliteReadCache(this.reader, new SqliteStatements(this.reader, this.stats, isOpen));
    this.reads = new SqliteQueries(this.readCache);
  }

  /**
   * SQLite's `data_version` on the read connection: it moves with every
   * commit, of this process or another. Asked once per event-loop turn
   * (each ask is a statement step, and a page asks several times) and
   * again after each commit of this store's own: another process's commit
   * is seen from the next turn, as if it had come a moment later.
   */
  dataVersion(): number | undefined {
    if (this.closed) return undefined;
    if (this.turnVersion === undefined) {
      this.turnVersion = this.readCache.currentVersion();
      setImmediate(this.forgetTurnVersion);
    }
    return this.turnVersion;
  }

  private turnVersion: number | undefined;
  private readonly forgetTurnVersion = () => (this.turnVersion = undefined);

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.inTransaction.active) {
      throw new Error('Store.transaction: expected a call outside any transaction, got a nested call (use the tx you were given)');
    }
    this.assertOpen();
    const release = await this.mutex.acquire();
    try {
      this.assertOpen();
      this.writer.exec('BEGIN IMMEDIATE');
      let active = true;
      const hooks: (() => void)[] = [];
      const tx = new SqliteTransaction(new GuardedRunner(this.writerSql, () => active), (hook) => {
        if (!active) throw new Error('Store tx.afterCommit: expected an open transaction, got a finished one');
        hooks.push(hook);
      });
      let result: T;
      try {
        result = await this.inTransaction.run(() => fn(tx));
        active = false;
        this.writer.exec('COMMIT');
        this.turnVersion = undefined;
        if (tx.erased) this.checkpointErasure();
      } catch (e) {
        active = false;
        try {
          if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
        } catch {
          // SQLite rolls back by itself when it cannot (e.g. after SQLITE_FULL during COMMIT).
        }
        throw storageFailure(e) ?? e;
      }
      for (const hook of hooks) {
        try {
          hook();
        } catch (e) {
          // The commit stands; failing the caller now would report a write
          // that happened as one that did not.
          process.emitWarning(`Store afterCommit hook threw: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      return result;
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const release = await this.mutex.acquire();
    try {
      if (this.closed) return;
      this.closed = true;
      this.reader.close();
      this.writer.close();
    } finally {
      release();
    }
  }

  /**
   * After a commit that erased biometric data: copy the WAL's (zeroed) pages
   * into the database and truncate the WAL, so no old frame keeps the
   * erased bytes. Still under the write mutex, so no transaction of ours is
   * open. The commit stands whatever happens here: a failure (a reader of
   * another process holding the WAL, a full disk) is a warning, and the
   * next checkpoint does it.
   */
  private checkpointErasure(): void {
    try {
      const [result] = this.writer.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (result?.busy) process.emitWarning(`SQLite store ${this.file}: erasure checkpoint deferred, another connection is reading`);
    } catch (e) {
      process.emitWarning(`SQLite store ${this.file}: erasure checkpoint failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`SQLite store ${this.file}: expected an open store, got a closed one`);
  }
}

/** The writer's queries plus commit hooks; notes whether it erased biometric data (see {@link SqliteStore.transaction}). */
class SqliteTransaction extends SqliteQueries implements StoreTx {
  /** Set by every statement that deletes faces, descriptors or images (the store's, a snapshot's, a provider's). */
  erased = false;

  constructor(
    runner: SqlRunner,
    private readonly addHook: (hook: () => void) => void,
  ) {
    super(runner);
  }

  override deleteCollection(collectionKey: number): Promise<void> {
    this.erased = true;
    return super.deleteCollection(collectionKey);
  }

  override deleteFaces(collectionKey: number, faceSeqs: readonly number[]): Promise<void> {
    this.erased = true;
    return super.deleteFaces(collectionKey, faceSeqs);
  }

  override deleteSnapshot(id: string): Promise<boolean> {
    this.erased = true;
    return super.deleteSnapshot(id);
  }

  override clearSnapshotContent(snapshotId: string): Promise<void> {
    this.erased = true;
    return super.clearSnapshotContent(snapshotId);
  }

  override deleteProviderImages(ref: CollectionRef, sha256s: readonly string[]): Promise<void> {
    this.erased = true;
    return super.deleteProviderImages(ref, sha256s);
  }

  override deleteProviderCollection(ref: CollectionRef): Promise<void> {
    this.erased = true;
    return super.deleteProviderCollection(ref);
  }

  afterCommit(hook: () => void): void {
    this.addHook(hook);
  }
}

/** Applies pending {@link MIGRATIONS} in one IMMEDIATE transaction, so concurrent openers do not race. */
function migrate(db: Database.Database, file: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(
      `CREATE TABLE IF NOT EXISTS schema_version (
        version INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at INTEGER NOT NULL
      )`,
    );
    const current = (db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null }).v ?? 0;
    const latest = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
    if (current > latest) {
      throw new Error(`SQLite store ${file}: expected schema version ≤ ${latest}, got ${current} (written by a newer facegate)`);
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements) db.exec(statement);
      db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.description,
        Date.now(),
      );
    }
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}
