/**
 * Our page tokens over Rekognition's NextTokens.
 *
 * A token is base64url JSON naming the listing it came from (so a users
 * token is refused by listFaces, and a token of the unfiltered face list by
 * the unassociated one) and Rekognition's own NextToken. The emulated
 * "unassociated faces" listing may stop in the middle of a Rekognition page;
 * its token then records where that page started (`t`), the page size it was
 * read with (`m`) and the last face handed out (`f`, with its position `n`
 * as a fallback), so the next call re-reads that page and continues after it.
 */
import { invalidInput } from '../../domain/errors.js';
import { MAX_PAGE_REQUEST } from './limits.js';

/** Which listing a token belongs to. */
export type Listing = 'collections' | 'users' | 'faces' | 'user-faces' | 'unassociated-faces';

export interface PageToken {
  l: Listing;
  /** Rekognition NextToken to send; absent for the first page. */
  t?: string;
  /** Only for a mid-page stop: the MaxResults the page was read with. */
  m?: number;
  /** Only for a mid-page stop: the last FaceId already returned. */
  f?: string;
  /** Only for a mid-page stop: how many items of that page were consumed. */
  n?: number;
  /** For `user-faces`: the user filter it was issued for. */
  u?: string;
}

export function encodePageToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

/**
 * Decodes `after` for `listing` (and user filter `userId`); undefined
 * without a token. INVALID_INPUT on field `after` when it is not a token
 * this listing issued.
 */
export function decodePageToken(listing: Listing, after: string | undefined, userId?: string): PageToken | undefined {
  if (after === undefined) return undefined;
  const refuse = () => invalidInput('after', `a nextToken from a previous ${listing} page`, 'a token this listing did not issue');
  if (typeof after !== 'string' || after.length === 0 || !/^[A-Za-z0-9_-]+$/.test(after)) throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  const t = parsed as Partial<PageToken>;
  const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
  const optionalCount = (v: unknown) => v === undefined || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_PAGE_REQUEST);
  if (
    typeof t !== 'object' ||
    t === null ||
    t.l !== listing ||
    !optionalString(t.t) ||
    !optionalString(t.f) ||
    !optionalString(t.u) ||
    !optionalCount(t.m) ||
    !optionalCount(t.n) ||
    (listing === 'user-faces' && t.u !== userId)
  ) {
    throw refuse();
  }
  return t as PageToken;
}
