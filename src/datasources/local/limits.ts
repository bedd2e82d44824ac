/**
 * Rekognition's documented limits, reproduced by the local provider.
 */

/** Faces one user may own (AssociateFaces → ServiceQuotaExceededException beyond). */
export const MAX_FACES_PER_USER = 100;

/** Faces one collection may hold (Rekognition: 20 million). */
export const MAX_FACES_PER_COLLECTION = 20_000_000;

/** IndexFaces indexes at most this many faces when `maxFaces` is not given. */
export const DEFAULT_MAX_FACES = 100;

/** Faces narrower or shorter than this many pixels are not indexed or searched (SMALL_BOUNDING_BOX). */
export const MIN_FACE_PIXELS = 40;

/**
 * The largest `PageRequest.limit` this adapter accepts: a list call asking
 * for more fails with INVALID_INPUT on field `limit` (see page-token.ts).
 * 4096, Rekognition's MaxResults ceiling of ListCollections and ListFaces,
 * so the local provider takes the same page requests as the `rekognition`
 * one. This is the adapter's own bound, not the GraphQL page limit: that
 * one is the resolvers' (resolvers/pagination.ts), and the page requests
 * they make stay under this.
 */
export const MAX_PAGE_REQUEST = 4096;

/** How long a ClientRequestToken is remembered; Rekognition does not document its own. */
export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
