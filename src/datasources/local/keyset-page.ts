/**
 * A contract page from store rows read by keyset: the store is asked for
 * one row more than the page holds, and that extra row only says whether a
 * next page exists.
 */
import type { Page } from '../provider.js';
import { encodePageToken, type PageListing } from './page-token.js';

/**
 * The first `limit` of `rows` as records, with a token after the last of
 * them when `rows` holds more (read `limit + 1` rows to know).
 */
export function toPage<R, T>(
  rows: readonly R[],
  limit: number,
  listing: PageListing,
  seqOf: (row: R) => number,
  map: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const page: Page<T> = { items: items.map(map) };
  if (rows.length > limit) page.nextToken = encodePageToken(listing, seqOf(items[items.length - 1]));
  return page;
}
