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

/** Users or faces per page of a snapshot copy. */
export const SNAPSHOT_CHUNK = 100;
