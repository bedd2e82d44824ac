/**
 * The {@link SqlRunner} the store's queries run on, and its SQLite
 * implementation: one better-sqlite3 connection with a prepared-statement
 * cache and a shared statement counter (tests assert batch lookups stay one
 * statement per chunk).
 *
 * The runner is asynchronous so that the same query classes run on
 * PostgreSQL (postgres-store.ts); on SQLite each call still executes
 * synchronously and returns a settled promise.
 */
import type Database from 'better-sqlite3';
import { SQLITE_DIALECT, type SqlDialect } from './helpers.js';

/** Counts of work done by a store's connections. */
export interface StoreStats {
  /** SQL statements executed, reads and writes, on all connections. */
  statements: number;
}

/**
 * The three ways the queries run SQL; parameters are always bound, never
 * spliced. Texts use `?` placeholders; a backend that numbers them
 * (PostgreSQL) renumbers. Numbers come back as JS numbers on every backend.
 */
export interface SqlRunner {
  /** Which backend: the few dialect-specific fragments come from here. */
  readonly dialect: SqlDialect;
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  get<T>(sql: string, params: readonly unknown[]): Promise<T | undefined>;
  run(sql: string, params: readonly unknown[]): Promise<{ changes: number }>;
}

/** A {@link SqlRunner} over one connection. */
export class SqliteStatements implements SqlRunner {
  readonly dialect = SQLITE_DIALECT;
  // Bounded: SQL texts are fixed except for `IN (…)` lists, whose length is
  // capped by STORE_BATCH_CHUNK, so at most a few thousand distinct texts.
  private readonly cache = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly stats: StoreStats,
    private readonly isOpen: () => boolean,
  ) {}

  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.prepare(sql).all(...params) as T[];
  }

  async get<T>(sql: string, params: readonly unknown[]): Promise<T | undefined> {
    return this.prepare(sql).get(...params) as T | undefined;
  }

  async run(sql: string, params: readonly unknown[]): Promise<{ changes: number }> {
    const { changes } = this.prepare(sql).run(...params);
    return { changes };
  }

  private prepare(sql: string): Database.Statement {
    if (!this.isOpen()) {
      throw new Error('SQLite store: expected an open store, got a closed one (query after close())');
    }
    this.stats.statements++;
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

/** A runner usable only while `isActive()` — a transaction handle must not outlive its transaction. */
export class GuardedRunner implements SqlRunner {
  constructor(
    private readonly inner: SqlRunner,
    private readonly isActive: () => boolean,
  ) {}

  get dialect(): SqlDialect {
    return this.inner.dialect;
  }

  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    this.check();
    return this.inner.all<T>(sql, params);
  }

  async get<T>(sql: string, params: readonly unknown[]): Promise<T | undefined> {
    this.check();
    return this.inner.get<T>(sql, params);
  }

  async run(sql: string, params: readonly unknown[]): Promise<{ changes: number }> {
    this.check();
    return this.inner.run(sql, params);
  }

  private check(): void {
    if (!this.isActive()) {
      throw new Error(
        'Store transaction: expected the tx to be used inside its transaction callback, got a use after commit or rollback (a missing await?)',
      );
    }
  }
}
