/**
 * Contract pages over Rekognition's NextTokens: the checked page size, the
 * reading of as many provider pages as one contract page needs, and the
 * page token handed back (page-token.ts).
 */
import { invalidInput } from '../../domain/errors.js';
import type { Page } from '../provider.js';
import { MAX_PAGE_REQUEST } from './limits.js';
import { encodePageToken, type Listing } from './page-token.js';

/** The page size asked for, checked: an integer 1..{@link MAX_PAGE_REQUEST}; INVALID_INPUT (field `limit`) otherwise. */
export function pageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_REQUEST) {
    throw invalidInput('limit', `an integer 1..${MAX_PAGE_REQUEST}`, String(limit));
  }
  return limit;
}

/** A page of `items`, with our token around Rekognition's when more follow. */
export function withToken<T>(items: T[], listing: Listing, providerToken: string | undefined): Page<T> {
  return providerToken === undefined ? { items } : { items, nextToken: encodePageToken({ l: listing, t: providerToken }) };
}

/**
 * Reads pages of at most `cap` items until `limit` items or the end. Each
 * call asks for exactly the items still missing, so the provider's token
 * after the last page is exactly where the next page starts.
 */
export async function collect<T>(
  limit: number,
  startToken: string | undefined,
  cap: number,
  fetch: (maxResults: number, token: string | undefined) => Promise<{ items: T[]; next?: string }>,
): Promise<{ items: T[]; nextToken?: string }> {
  const items: T[] = [];
  let token = startToken;
  do {
    const page = await fetch(Math.min(cap, limit - items.length), token);
    items.push(...page.items);
    token = page.next;
  } while (token !== undefined && items.length < limit);
  return token === undefined ? { items } : { items, nextToken: token };
}
