/**
 * Opaque pagination tokens over the store's keyset sequences. A token is
 * base64url of `<listing>:<seq>`; the listing name keeps a users token from
 * being accepted by listFaces.
 */
import { invalidInput } from '../../domain/errors.js';
import { MAX_PAGE_REQUEST } from './limits.js';

/** Which listing a token belongs to. */
export type PageListing = 'collections' | 'users' | 'faces';

/** The token that resumes `listing` after the row with sequence `seq`. */
export function encodePageToken(listing: PageListing, seq: number): string {
  return Buffer.from(`${listing}:${seq}`, 'utf8').toString('base64url');
}

/** The sequence a token resumes after, null without a token; INVALID_INPUT (field `after`) when it is not ours. */
export function decodePageToken(listing: PageListing, token: string | undefined): number | null {
  if (token === undefined || token === null) return null;
  const expected = `a nextToken from a previous ${listing} page`;
  if (typeof token !== 'string' || token.length === 0 || token.length > 255 || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw invalidInput('after', expected, describe(token));
  }
  const match = /^([a-z]+):([1-9][0-9]{0,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match || match[1] !== listing || !Number.isSafeInteger(Number(match[2]))) {
    throw invalidInput('after', expected, describe(token));
  }
  return Number(match[2]);
}

/** The page size asked for, checked: an integer 1..{@link MAX_PAGE_REQUEST}; INVALID_INPUT (field `limit`) otherwise. */
export function pageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_REQUEST) {
    throw invalidInput('limit', `an integer 1..${MAX_PAGE_REQUEST}`, String(limit));
  }
  return limit;
}

function describe(token: unknown): string {
  if (typeof token !== 'string') return typeof token;
  const shown = token.length > 40 ? `${token.slice(0, 40)}…` : token;
  return `"${shown}" (not a token this listing issued)`;
}
