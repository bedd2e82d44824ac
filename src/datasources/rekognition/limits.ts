/**
 * Rekognition's documented request bounds the adapter pages and batches by
 * (see ../shared/reference/providers.md, from the service model), and the
 * adapter's own bound on the pages it is asked for.
 */

/** Largest MaxResults of ListCollections and ListFaces; also the FaceIds cap of ListFaces and DeleteFaces. */
export const MAX_LIST_RESULTS = 4096;

/** Largest MaxResults of ListUsers. */
export const MAX_USERS_RESULTS = 500;

/**
 * The largest `PageRequest.limit` this adapter accepts: a list call asking
 * for more fails with INVALID_INPUT on field `limit` (see paging.ts). It
 * mirrors {@link MAX_LIST_RESULTS}, the MaxResults ceiling of
 * ListCollections and ListFaces (0..4096), so any page of collections or
 * faces can be asked for in one call; a users page over ListUsers' 500 is
 * collected from several. The same bound as the local provider's. This is the adapter's own
 * bound, not the GraphQL page limit: that one is the resolvers'
 * (resolvers/pagination.ts), and the page requests they make stay under
 * this.
 */
export const MAX_PAGE_REQUEST = 4096;

/** IndexFaces indexes at most this many faces when `maxFaces` is not given (Rekognition's own default, 100). */
export const DEFAULT_MAX_FACES = 100;
