/** Row shapes shared by the store's interfaces (store.ts, snapshot-store.ts, provider-record-store.ts). */

/** A face's box as ratios of the image's width and height, 0..1. */
export interface StoredBoundingBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Stored user status; the store is synchronous, so UPDATING/CREATING never occur. */
export type StoredUserStatus = 'CREATED' | 'ACTIVE';

/** One page request on a keyset: rows with sequence > `after`, at most `limit`. */
export interface KeysetPage {
  /** Exclusive lower bound on the sequence; null from the start. */
  after: number | null;
  limit: number;
}
