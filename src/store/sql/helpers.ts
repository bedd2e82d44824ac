/**
 * Small helpers shared by the store's SQL modules: placeholder lists,
 * id-list chunking, the "one row back" check, and the {@link SqlDialect}
 * that lets one set of query texts run on SQLite and on PostgreSQL.
 */
import type { StoredBoundingBox } from '../rows.js';
import { STORE_BATCH_CHUNK } from '../store.js';
import { globForLike, globForSqlite } from '../../lib/glob.js';

/** The row a `… RETURNING` or single-row lookup must produce, or an error naming the statement. */
/** A face's box columns, as every face table stores them. */
export interface BoxColumns {
  bbox_left: number;
  bbox_top: number;
  bbox_width: number;
  bbox_height: number;
}

/** The box of a face row (ratios of the image, 0..1). */
export function boxOf(row: BoxColumns): StoredBoundingBox {
  return { left: row.bbox_left, top: row.bbox_top, width: row.bbox_width, height: row.bbox_height };
}

export function required<T>(row: T | undefined, what: string): T {
  if (row === undefined) throw new Error(`${what}: expected one row back, got none`);
  return row;
}

/** `?, ?, …` with `n` placeholders. */
export function marks(n: number): string {
  return new Array<string>(n).fill('?').join(', ');
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** Splits an id list into statements of at most {@link STORE_BATCH_CHUNK} ids. */
export function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += STORE_BATCH_CHUNK) out.push(items.slice(i, i + STORE_BATCH_CHUNK));
  return out;
}

/** A SQL fragment with its parameters, in placeholder order. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/**
 * What differs between the backends in the store's query texts; everything
 * else is one text for both (`?` placeholders, which the PostgreSQL runner
 * renumbers to `$n`).
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /**
   * `column` matches one of `values` (non-empty, at most one chunk).
   * SQLite: `column IN (?, ?, …)`, one parameter per value. PostgreSQL:
   * `column = ANY(?)` with one array parameter, so the text (and its plan)
   * does not depend on the list's length.
   */
  in(column: string, values: readonly unknown[]): SqlFragment;
  /**
   * True when concurrent writers exist (PostgreSQL, several replicas):
   * queries then lock rows they are about to delete conditionally, in a
   * statement of their own (`SELECT … FOR UPDATE`), so the condition is
   * evaluated on a snapshot taken after every concurrent writer of those
   * rows has committed. SQLite has one writer; it skips those statements.
   */
  readonly lockRows: boolean;
  /**
   * `column` matches one of the glob patterns `globs` (`*`: any run of
   * characters; lib/glob.ts), case-sensitively. SQLite: `GLOB`; PostgreSQL:
   * `LIKE … ESCAPE '\'` (SQLite's LIKE ignores ASCII case). No pattern: false.
   */
  matchesAny(column: string, globs: readonly string[]): SqlFragment;
}

export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  in: (column, values) => ({ sql: `${column} IN (${marks(values.length)})`, params: [...values] }),
  lockRows: false,
  matchesAny: (column, globs) =>
    globs.length === 0
      ? { sql: '1 = 0', params: [] }
      : { sql: `(${globs.map(() => `${column} GLOB ?`).join(' OR ')})`, params: globs.map(globForSqlite) },
};

export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  in: (column, values) => ({ sql: `${column} = ANY(?)`, params: [[...values]] }),
  lockRows: true,
  matchesAny: (column, globs) =>
    globs.length === 0
      ? { sql: '1 = 0', params: [] }
      : { sql: `(${globs.map(() => `${column} LIKE ? ESCAPE '\\'`).join(' OR ')})`, params: globs.map(globForLike) },
};
