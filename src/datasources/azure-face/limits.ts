/**
 * The adapter's own bounds: the contract's (Rekognition's) limits it
 * reproduces on Azure, and the page sizes it asks Azure for.
 */

/** Faces a user may own: the contract's (Rekognition's) cap; Azure's own is 248. */
export const MAX_FACES_PER_USER = 100;

/** indexFaces indexes at most this many faces when `maxFaces` is not given. */
export const DEFAULT_MAX_FACES = 100;

/** Faces smaller than this are not indexed or searched (as the local provider). */
export const MIN_FACE_PIXELS = 40;

/** identify's maxNumOfCandidatesReturned ceiling. */
export const MAX_CANDIDATES = 100;

/** `top` of one Azure start/top listing call (Azure's largest). */
export const AZURE_PAGE = 1000;

/**
 * How long one training may run before it counts as stuck: Azure documents
 * "up to about 30 minutes for 1M persons" (a LargePersonGroup's largest);
 * twice that, because training time is not guaranteed (shared capacity,
 * region load) and giving up costs more than waiting: the round ends
 * FAILED and the next one trains from the start, while a longer wait costs
 * only status polls (one GET per `trainingPollMs`).
 */
export const DEFAULT_TRAINING_TIMEOUT_MS = 60 * 60 * 1000;

/**
 * How long a v1.0 snapshot take or apply is followed: Azure documents a take
 * of "several hours for 1M persons" and an apply of "up to 1 hour"; 24 hours
 * leaves the other half of Azure's 48-hour snapshot lifetime for the apply.
 */
export const DEFAULT_SNAPSHOT_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** Azure deletes a v1.0 snapshot this long after its take (the longest a take may be followed is below it). */
export const AZURE_SNAPSHOT_LIFETIME_MS = 48 * 60 * 60 * 1000;

/** Users or faces per page of a snapshot copy. */
export const SNAPSHOT_CHUNK = 100;
