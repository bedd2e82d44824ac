/**
 * Our page tokens: base64url JSON of the listing it came from, the filter
 * it was issued for and the sort key of the last item returned. Resuming
 * "after a key" (not an offset) keeps pages stable when items before the
 * position are deleted meanwhile.
 *
 * - collections: Azure's own `start` (the last LargePersonGroup id).
 * - users: [createdAt, userId]; faces: [indexedAt, ordinal, faceId].
 */
import { invalidInput } from '../../domain/errors.js';
import { compareKeys } from './collection-index.js';

/** The listings that issue page tokens; a token is only accepted by the listing that issued it. */
export type Listing = 'collections' | 'users' | 'faces';

interface Token {
  l: Listing;
  /** Sort key of the last item returned. */
  k: (string | number)[];
  /** Filter signature (faces). */
  f?: string;
}

/**
 * The largest `PageRequest.limit` handed to this adapter (INVALID_INPUT
 * above it): the adapter's own bound on one page request, the same as the
 * other adapters' (Rekognition's MaxResults ceiling). It is not the GraphQL
 * page limit: that one is the resolvers' and lives with them.
 */
export const MAX_PROVIDER_PAGE_REQUEST = 4096;

/** The token resuming `listing` after the item with sort key `key`; `filter` is the filter signature (faces). */
export function encodePageToken(listing: Listing, key: readonly (string | number)[], filter?: string): string {
  const token: Token = { l: listing, k: [...key], ...(filter !== undefined ? { f: filter } : {}) };
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

/** The key to resume after; undefined without a token; INVALID_INPUT (field `after`) for a token this listing did not issue. */
export function decodePageToken(listing: Listing, after: string | undefined, filter?: string): (string | number)[] | undefined {
  if (after === undefined || after === null) return undefined;
  const refuse = () => invalidInput('after', `a nextToken from a previous ${listing} page`, 'a token this listing did not issue');
  if (typeof after !== 'string' || after.length === 0 || after.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(after)) throw refuse();
  let parsed: Partial<Token>;
  try {
    parsed = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as Partial<Token>;
  } catch {
    throw refuse();
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    parsed.l !== listing ||
    parsed.f !== filter ||
    !Array.isArray(parsed.k) ||
    parsed.k.length === 0 ||
    !parsed.k.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))
  ) {
    throw refuse();
  }
  return parsed.k;
}

/** The page size, checked: an integer 1..{@link MAX_PROVIDER_PAGE_REQUEST}, else INVALID_INPUT (field `limit`). */
export function pageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PROVIDER_PAGE_REQUEST) {
    throw invalidInput('limit', `an integer 1..${MAX_PROVIDER_PAGE_REQUEST}`, String(limit));
  }
  return limit;
}

/** Index of the first item whose key sorts after `after` (binary search over sorted items). */
export function firstAfter<T>(
  items: readonly T[],
  key: (item: T) => readonly (string | number)[],
  after: readonly (string | number)[],
): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(key(items[mid]), after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
