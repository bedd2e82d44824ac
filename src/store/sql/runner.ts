/**
 * The {@link SqlRunner} the store's queries run on, whatever the backend
 * (sqlite/sqlite-statements.ts, postgres/runner.ts), with the statement
 * counter they share (tests assert batch lookups stay one statement per
 * chunk).
 *
 * The runner is asynchronous so that the same query classes run on
 * PostgreSQL (postgres-store.ts); on SQLite each call still executes
 * synchronously and returns a settled promise.
 */
import type { SqlDialect } from './helpers.js';

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
