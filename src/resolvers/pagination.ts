/**
 * Relay cursors over providers' opaque page tokens.
 *
 * Providers only hand out a token per page (Rekognition NextToken, Azure
 * `start`), so an edge's cursor is "the page that starts at token t, after
 * skipping s items". The last edge of a page carries the provider's next
 * token directly, so paging forward costs no re-reads.
 *
 * The largest `first` is not decided here: every call is given the
 * gateway's `maxPageSize` (the config's `limits.maxPageSize`, read through
 * the request context), the same number the query cost rule assumes.
 */
import type { Page, PageRequest } from '../datasources/provider.js';
import { invalidInput } from '../domain/errors.js';
import type { Connection, Edge } from '../schema/connection.types.js';

interface Cursor {
  /** Provider token where the page started; absent for the first page. */
  t?: string;
  /** Items to skip after that token. */
  s: number;
}

const encode = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

/** The cursor `cursor` encodes; its skip is at most `maxPageSize`. */
function decode(cursor: string, maxPageSize: number): Cursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (Number.isInteger(c.s) && (c.s as number) >= 0 && (c.s as number) <= maxPageSize && (c.t === undefined || typeof c.t === 'string')) {
      return { t: c.t, s: c.s as number };
    }
  } catch {
    // fall through: not one of our cursors
  }
  throw invalidInput('after', 'a cursor from a previous page', 'an unknown cursor');
}

/** A list field's paging arguments, as the client sent them. */
export interface PageArgs {
  first: number;
  after?: string | null;
}

/**
 * Fetches one page of `first` items after `after` and wraps it as a
 * connection. `maxPageSize`: the largest `first` accepted (the request
 * context's); a larger one is INVALID_INPUT before any fetch.
 */
export async function paginate<T, N>(
  args: PageArgs,
  maxPageSize: number,
  fetch: (page: PageRequest) => Promise<Page<T>>,
  toNode: (item: T) => N,
): Promise<Connection<N>> {
  const { start, want } = window(args, maxPageSize);
  // first: 0 still reads one item, to answer hasNextPage.
  return connectionOf(start, want, await fetch({ limit: Math.max(1, want), after: start.t }), toNode);
}

/** Pages a list already in memory (e.g. a user's ≤ 100 faces), without a promise per list; `maxPageSize` as for {@link paginate}. */
export function paginateArray<T, N>(args: PageArgs, maxPageSize: number, all: readonly T[], toNode: (item: T) => N): Connection<N> {
  const { start, want } = window(args, maxPageSize);
  const from = start.t ? Number(start.t) : 0;
  if (!Number.isInteger(from) || from < 0) throw invalidInput('after', 'a cursor from a previous page', 'an unknown cursor');
  const limit = Math.max(1, want);
  const page = { items: all.slice(from, from + limit), nextToken: from + limit < all.length ? String(from + limit) : undefined };
  return connectionOf(start, want, page, toNode);
}

/** Checks `first`, decodes `after`: where the page starts and how many items it needs from there. */
function window(args: PageArgs, maxPageSize: number): { start: Cursor; want: number } {
  if (!Number.isInteger(args.first) || args.first < 0 || args.first > maxPageSize) {
    throw invalidInput('first', `an integer in 0..${maxPageSize}`, String(args.first));
  }
  const start = args.after ? decode(args.after, maxPageSize) : { s: 0 };
  return { start, want: start.s + args.first };
}

function connectionOf<T, N>(start: Cursor, want: number, page: Page<T>, toNode: (item: T) => N): Connection<N> {
  const items = page.items.slice(start.s, want);
  const endsPage = page.items.length === want;
  const edges = items.map((item, i) =>
    i === items.length - 1 && endsPage && page.nextToken
      ? new PageEdge(toNode(item), page.nextToken, 0)
      : new PageEdge(toNode(item), start.t, start.s + i + 1),
  );
  const last = edges.at(-1);
  return {
    edges,
    pageInfo: {
      hasNextPage: page.items.length > want || page.nextToken !== undefined,
      get endCursor() {
        return last?.cursor ?? null;
      },
    },
  };
}

/** An edge whose cursor is encoded only when a query selects it. */
class PageEdge<N> implements Edge<N> {
  constructor(
    readonly node: N,
    private readonly token: string | undefined,
    private readonly skip: number,
  ) {}

  get cursor(): string {
    return encode({ t: this.token, s: this.skip });
  }
}
