/**
 * Relay cursors over providers' opaque page tokens.
 *
 * Providers only hand out a token per page (Rekognition NextToken, Azure
 * `start`), so an edge's cursor is "the page that starts at token t, after
 * skipping s items". The last edge of a page carries the provider's next
 * token directly, so paging forward costs no re-reads.
 */
import type { Page, PageRequest } from '../datasources/provider.js';
import { invalidInput } from '../errors.js';
import type { Connection, Edge } from '../schema/connection.types.js';

/** Largest `first` accepted on any list. */
export const MAX_PAGE_SIZE = 500;

interface Cursor {
  /** Provider token where the page started; absent for the first page. */
  t?: string;
  /** Items to skip after that token. */
  s: number;
}

const encode = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

function decode(cursor: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (Number.isInteger(c.s) && (c.s as number) >= 0 && (c.s as number) <= MAX_PAGE_SIZE && (c.t === undefined || typeof c.t === 'string')) {
      return { t: c.t, s: c.s as number };
    }
  } catch {
    // fall through: not one of our cursors
  }
  throw invalidInput('after', 'a cursor from a previous page', 'an unknown cursor');
}

/** Fetches one page of `first` items after `after` and wraps it as a connection. */
export async function paginate<T, N>(
  args: { first: number; after?: string | null },
  fetch: (page: PageRequest) => Promise<Page<T>>,
  toNode: (item: T) => N,
): Promise<Connection<N>> {
  if (!Number.isInteger(args.first) || args.first < 0 || args.first > MAX_PAGE_SIZE) {
    throw invalidInput('first', `an integer in 0..${MAX_PAGE_SIZE}`, String(args.first));
  }
  const start = args.after ? decode(args.after) : { s: 0 };
  const want = start.s + args.first;
  // first: 0 still reads one item, to answer hasNextPage.
  const page = await fetch({ limit: Math.max(1, want), after: start.t });
  const items = page.items.slice(start.s, want);
  const endsPage = page.items.length === want;
  const edges = items.map(
    (item, i) =>
      new PageEdge(toNode(item), i === items.length - 1 && endsPage && page.nextToken ? { t: page.nextToken, s: 0 } : { t: start.t, s: start.s + i + 1 }),
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
    private readonly position: Cursor,
  ) {}

  get cursor(): string {
    return encode(this.position);
  }
}

/** Pages a list already in memory (e.g. a user's ≤ 100 faces). */
export function paginateArray<T, N>(args: { first: number; after?: string | null }, all: readonly T[], toNode: (item: T) => N): Promise<Connection<N>> {
  return paginate(args, async ({ limit, after }) => {
    const from = after ? Number(after) : 0;
    if (!Number.isInteger(from) || from < 0) throw invalidInput('after', 'a cursor from a previous page', 'an unknown cursor');
    const items = all.slice(from, from + limit);
    return { items, nextToken: from + limit < all.length ? String(from + limit) : undefined };
  }, toNode);
}
