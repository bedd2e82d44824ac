/**
 * The {@link SqlRunner} of the PostgreSQL store: runs the store's shared
 * query texts (written with `?` placeholders) on a `pg` pool or on one
 * pooled client, after renumbering the placeholders to `$1, $2, …`.
 *
 * Values: BIGINT (identity keys, sequences, epoch-millisecond times, counts)
 * comes back as a JS number, as on SQLite; a value beyond 2^53 throws rather
 * than losing precision. DOUBLE PRECISION is a number, BYTEA a Buffer, TEXT
 * a string. Parameters: numbers, strings, null, Buffers (BYTEA) and arrays
 * (for `= ANY(?)`), all bound, never spliced.
 */
import pg from 'pg';
import { POSTGRES_DIALECT } from '../sql/helpers.js';
import type { SqlRunner, StoreStats } from '../sql/runner.js';

/** A pool or a client: what a runner sends statements to. */
export interface Queryable {
  query(text: string, values: unknown[]): Promise<pg.QueryResult>;
}

/** Renumbering cache; the texts are fixed except for a bounded set of variants (see the query modules). */
const translated = new Map<string, string>();
const TRANSLATION_CACHE_LIMIT = 10_000;

/**
 * `?` → `$n`, left to right, outside string literals and quoted
 * identifiers. The shared texts never use PostgreSQL's `?` operators.
 */
export function toPostgresPlaceholders(sql: string): string {
  const cached = translated.get(sql);
  if (cached !== undefined) return cached;
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote !== null) {
      // A doubled quote ('' or "") closes and reopens: same result.
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  if (quote !== null) {
    throw new Error(
      `toPostgresPlaceholders: expected balanced ${quote} quotes, got an unterminated literal in ${JSON.stringify(sql.slice(0, 200))}`,
    );
  }
  if (translated.size >= TRANSLATION_CACHE_LIMIT) translated.clear();
  translated.set(sql, out);
  return out;
}

function parseBigint(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`PostgreSQL store: expected a BIGINT within ±2^53, got ${value}`);
  }
  return n;
}

/** Type parsers of the store's connections: BIGINT as a number (see the header). */
export function storeTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, parseBigint);
  return types;
}

/** A {@link SqlRunner} over a pool (committed reads) or one client (a transaction). */
export class PostgresStatements implements SqlRunner {
  readonly dialect = POSTGRES_DIALECT;

  constructor(
    private readonly db: Queryable,
    private readonly stats: StoreStats,
    private readonly isOpen: () => boolean,
  ) {}

  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly unknown[]): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly unknown[]): Promise<{ changes: number }> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  private query(sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    if (!this.isOpen()) {
      throw new Error('PostgreSQL store: expected an open store, got a closed one (query after close())');
    }
    this.stats.statements++;
    return this.db.query(toPostgresPlaceholders(sql), [...params]);
  }
}
