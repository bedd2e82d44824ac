/**
 * The SQLite {@link SqlRunner}: one better-sqlite3 connection with a
 * prepared-statement cache. Each call runs synchronously and returns a
 * settled promise, so the shared queries run unchanged on both backends.
 */
import type Database from 'better-sqlite3';
import { SQLITE_DIALECT } from '../sql/helpers.js';
import type { SqlRunner, StoreStats } from '../sql/runner.js';

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
