/**
 * A {@link SqlRunner} for the SQLite store's read-only connection that
 * remembers query results until the database changes.
 *
 * Turning rows into JavaScript objects is the largest part of serving a
 * 100-user page from better-sqlite3 (figures in BENCHMARKS.md). SQLite itself says when a cached
 * answer has gone stale: `PRAGMA data_version` changes on this connection
 * whenever any other connection — the store's writer or another process —
 * commits. Every read checks it first (one pragma, no I/O) and drops all cached results
 * when it moved, so a read never returns data older than the last commit,
 * exactly like an uncached read.
 *
 * Results are shared between callers: the store's queries only map rows to
 * new objects and never change them. Only collection, user and face reads
 * without BLOB columns are cached; snapshots, operations, idempotency
 * records, descriptors and image bytes are always read from the database.
 */
import type Database from 'better-sqlite3';
import type { SqlDialect } from '../sql/helpers.js';
import type { SqlRunner } from '../sql/runner.js';

/** Options of {@link SqliteReadCache}. */
export interface SqliteReadCacheOptions {
  /**
   * Rows kept in all cached results together; the least recently used
   * results go first.
   * @default 20000
   */
  maxRows?: number;
}

/** What is cached: the collection, user and face reads that pages are made of. */
const UNCACHEABLE = /\b(descriptor|bytes|images|idempotency|snapshots?|snapshot_\w+|operations)\b/;

interface Entry {
  rows: unknown[];
}

export class SqliteReadCache implements SqlRunner {
  private readonly dataVersion: Database.Statement;
  private version: number | undefined;
  private readonly results = new Map<string, Entry>();
  private readonly cacheable = new Map<string, boolean>();
  private rows = 0;
  private readonly maxRows: number;

  constructor(
    db: Database.Database,
    private readonly inner: SqlRunner,
    options: SqliteReadCacheOptions = {},
  ) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.maxRows = options.maxRows ?? 20_000;
  }

  get dialect(): SqlDialect {
    return this.inner.dialect;
  }

  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    const key = this.keyOf('all', sql, params);
    if (key === null) return this.inner.all<T>(sql, params);
    const hit = this.results.get(key);
    if (hit) return this.touch(key, hit).rows as T[];
    const rows = await this.inner.all<T>(sql, params);
    this.remember(key, rows);
    return rows;
  }

  async get<T>(sql: string, params: readonly unknown[]): Promise<T | undefined> {
    const key = this.keyOf('get', sql, params);
    if (key === null) return this.inner.get<T>(sql, params);
    const hit = this.results.get(key);
    if (hit) return this.touch(key, hit).rows[0] as T | undefined;
    const row = await this.inner.get<T>(sql, params);
    this.remember(key, row === undefined ? [] : [row]);
    return row;
  }

  run(sql: string, params: readonly unknown[]): Promise<{ changes: number }> {
    return this.inner.run(sql, params);
  }

  /** The cache key, or null for a statement that is not cached; drops everything if the database changed. */
  private keyOf(kind: string, sql: string, params: readonly unknown[]): string | null {
    let cacheable = this.cacheable.get(sql);
    if (cacheable === undefined) {
      cacheable = !UNCACHEABLE.test(sql);
      this.cacheable.set(sql, cacheable);
    }
    if (!cacheable) return null;
    let key = `${kind}\u0000${sql}`;
    for (const p of params) {
      if (typeof p === 'string') key += `\u0000s${p.length}:${p}`;
      else if (typeof p === 'number' || typeof p === 'bigint') key += `\u0000n${p}`;
      else if (p === null || p === undefined) key += '\u0000z';
      else return null;
    }
    return this.currentVersion() === undefined ? null : key; // undefined: a closed connection, which the uncached path reports
  }

  /**
   * SQLite's `data_version` for this connection now, having dropped every
   * cached result if it moved since the last read; undefined when the
   * connection is closed.
   */
  currentVersion(): number | undefined {
    let version: number;
    try {
      version = this.dataVersion.get() as number;
    } catch {
      return undefined;
    }
    if (version !== this.version) {
      this.version = version;
      this.results.clear();
      this.rows = 0;
    }
    return version;
  }

  private touch(key: string, entry: Entry): Entry {
    this.results.delete(key);
    this.results.set(key, entry);
    return entry;
  }

  private remember(key: string, rows: unknown[]): void {
    if (rows.length > this.maxRows / 4) return;
    this.results.set(key, { rows });
    this.rows += weight(rows);
    for (const [oldest, entry] of this.results) {
      if (this.rows <= this.maxRows) break;
      this.results.delete(oldest);
      this.rows -= weight(entry.rows);
    }
  }
}

/** A result's share of the budget: its rows, and at least 1 so empty answers are bounded too. */
const weight = (rows: unknown[]): number => Math.max(1, rows.length);
