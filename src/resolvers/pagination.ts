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

/** Provider calls one {@link paginateFilled} page may make. */
export const MAX_FILL_CALLS = 8;

/** Largest page {@link paginateFilled} asks a provider for (the adapters take up to 4096). */
const MAX_FILL_REQUEST = 1000;

/**
 * Like {@link paginate}, for a listing whose provider pages may come back
 * short while more follow: the provider leaves out what the caller may not
 * see (a tenant's collections), and `keep` checks it again. A short page with
 * `hasNextPage: true`, or an empty last page, would tell the caller that
 * hidden items exist; so provider pages are read from the cursor on until the
 * page holds `first` items, then on until one more kept item is seen (which
 * answers hasNextPage truthfully) or the provider has no more; at most
 * `maxCalls` calls. The first call asks for exactly the items the page needs
 * (a full local page then ends where the provider's page ends, so the page's
 * last cursor is the provider's next token); later calls ask for what is
 * missing scaled by the share of items kept so far (a cloud adapter
 * describes every item it returns), at most {@link MAX_FILL_REQUEST}.
 *
 * Cursors stay "skip s kept items from provider token t", t being the token
 * of the provider page an item came from (or the next one, after its last
 * kept item), so the last cursor of a page never skips more than `first`.
 * When the call bound runs out first, the page is what was found (possibly
 * nothing), `hasNextPage` is true and `endCursor` points after everything
 * read, so the next request goes on from there: the one case in which a
 * short page is answered (a provider holding thousands of hidden items for
 * every visible one).
 */
export async function paginateFilled<T, N>(
  args: PageArgs,
  maxPageSize: number,
  fetch: (page: PageRequest) => Promise<Page<T>>,
  keep: (item: T) => boolean,
  toNode: (item: T) => N,
  maxCalls = MAX_FILL_CALLS,
): Promise<Connection<N>> {
  const { start, want } = window(args, maxPageSize);
  const first = want - start.s;
  const found: { item: T; cursor: Cursor }[] = [];
  let token = start.t;
  let skip = start.s;
  let more = true;
  let read = 0;
  let kept = 0;
  for (let calls = 0; found.length <= first && more && calls < maxCalls; calls++) {
    // The page's items, or once it is full, one more to answer hasNextPage.
    const missing = found.length < first ? skip + first - found.length : 1;
    const scaled = kept === 0 ? missing * 4 ** calls : Math.ceil((missing * read) / kept);
    const page = await fetch({ limit: Math.max(1, Math.min(MAX_FILL_REQUEST, scaled)), after: token });
    const items = page.items.filter(keep);
    read += page.items.length;
    kept += items.length;
    items.forEach((item, k) => {
      if (skip > 0) {
        skip--;
        return;
      }
      const lastOfPage = k === items.length - 1 && page.nextToken !== undefined;
      found.push({ item, cursor: lastOfPage ? { t: page.nextToken, s: 0 } : { t: token, s: k + 1 } });
    });
    more = page.nextToken !== undefined;
    token = page.nextToken;
  }
  const boundReached = more && found.length <= first;
  const onPage = found.slice(0, first);
  // Out of calls: no kept item was read after the page's last one, so its cursor may jump past everything read.
  const end: Cursor | undefined = boundReached ? { t: token, s: 0 } : onPage.at(-1)?.cursor;
  const edges = onPage.map(({ item, cursor }, i) => {
    const at = i === onPage.length - 1 && end ? end : cursor;
    return new PageEdge(toNode(item), at.t, at.s);
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: found.length > first || boundReached,
      get endCursor() {
        return end ? encode(end) : null;
      },
    },
  };
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

/**
 * An edge whose cursor is encoded only when a query selects it, and then
 * once: a page reused across requests (caches/reused-pages.ts) keeps its
 * edges, and their cursors with them.
 */
class PageEdge<N> implements Edge<N> {
  private encoded: string | undefined = undefined;

  constructor(
    readonly node: N,
    private readonly token: string | undefined,
    private readonly skip: number,
  ) {}

  get cursor(): string {
    return (this.encoded ??= encode({ t: this.token, s: this.skip }));
  }
}
