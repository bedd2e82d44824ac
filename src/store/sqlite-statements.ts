/**
 * Runs SQL on one better-sqlite3 connection with a prepared-statement cache
 * and a shared statement counter (tests assert batch lookups stay one
 * statement per chunk).
 */
import type Database from 'better-sqlite3';

/** Counts of work done by a store's connections. */
export interface StoreStats {
  /** SQL statements executed, reads and writes, on all connections. */
  statements: number;
}

/** The three ways the queries run SQL; parameters are always bound, never spliced. */
export interface SqlRunner {
  all<T>(sql: string, params: readonly unknown[]): T[];
  get<T>(sql: string, params: readonly unknown[]): T | undefined;
  run(sql: string, params: readonly unknown[]): { changes: number };
}

/** A {@link SqlRunner} over one connection. */
export class SqliteStatements implements SqlRunner {
  // Bounded: SQL texts are fixed except for `IN (…)` lists, whose length is
  // capped by STORE_BATCH_CHUNK, so at most a few thousand distinct texts.
  private readonly cache = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly stats: StoreStats,
    private readonly isOpen: () => boolean,
  ) {}

  all<T>(sql: string, params: readonly unknown[]): T[] {
    return this.prepare(sql).all(...params) as T[];
  }

  get<T>(sql: string, params: readonly unknown[]): T | undefined {
    return this.prepare(sql).get(...params) as T | undefined;
  }

  run(sql: string, params: readonly unknown[]): { changes: number } {
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

  all<T>(sql: string, params: readonly unknown[]): T[] {
    this.check();
    return this.inner.all<T>(sql, params);
  }

  get<T>(sql: string, params: readonly unknown[]): T | undefined {
    this.check();
    return this.inner.get<T>(sql, params);
  }

  run(sql: string, params: readonly unknown[]): { changes: number } {
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
