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

/** Largest page a list call returns (Rekognition's MaxResults ceiling). */
export const MAX_PAGE_SIZE = 4096;

/** How long a ClientRequestToken is remembered; Rekognition does not document its own. */
export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
