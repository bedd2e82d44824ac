/**
 * The "unassociated faces" listing, which Rekognition does not have:
 * emulated by paging through ListFaces and keeping faces without a UserId
 * (faithful, no data loss, slower on collections where most faces belong
 * to users — the cost grows with the associated faces skipped over).
 *
 * A page may end in the middle of a Rekognition page; its token then says
 * where (page-token.ts) and the next call re-reads that page.
 */
import type { FaceRecord } from '../../domain/records.js';
import type { CallOptions, Page } from '../provider.js';
import { listFacesPage } from './face-pages.js';
import { MAX_LIST_RESULTS } from './limits.js';
import { decodePageToken, encodePageToken, type Listing, type PageToken } from './page-token.js';
import { withToken } from './paging.js';
import type { RekognitionDeps } from './rekognition-deps.js';

/** Pages read by the unassociated-faces emulation hold at least this many faces (fewer round trips). */
const UNASSOCIATED_SCAN_PAGE = 500;

/** Up to `limit` faces without a user, after `after`; `limit` is already checked. */
export async function listUnassociatedFaces(
  deps: RekognitionDeps,
  collectionId: string,
  limit: number,
  after: string | undefined,
  call: CallOptions | undefined,
): Promise<Page<FaceRecord>> {
  const listing: Listing = 'unassociated-faces';
  const start = decodePageToken(listing, after);
  const ctx = deps.calls.context('ListFaces', { collectionId });
  const items: FaceRecord[] = [];
  let token = start?.t;
  // A mid-page resume re-reads the page with the size it was first read with.
  let resume: PageToken | undefined = start?.f !== undefined ? start : undefined;
  for (;;) {
    const size = resume?.m ?? Math.min(MAX_LIST_RESULTS, Math.max(limit - items.length, UNASSOCIATED_SCAN_PAGE));
    const page = await listFacesPage(deps, ctx, call, { CollectionId: collectionId, MaxResults: size, NextToken: token });
    let from = 0;
    if (resume) {
      const at = page.items.findIndex((f) => f.faceId === resume?.f);
      // The last face handed out is gone (deleted meanwhile): the faces
      // after it moved up by one. (Further deletions before it in the same
      // page would shift more; this is as good as offsets get.)
      from = at !== -1 ? at + 1 : Math.min(Math.max((resume.n ?? 1) - 1, 0), page.items.length);
      resume = undefined;
    }
    for (let i = from; i < page.items.length; i++) {
      const face = page.items[i];
      if (face.userId !== null) continue;
      items.push(face);
      if (items.length < limit) continue;
      const more = page.items.slice(i + 1).some((f) => f.userId === null);
      if (more) return { items, nextToken: encodePageToken({ l: listing, t: token, m: size, f: face.faceId, n: i + 1 }) };
      return withToken(items, listing, page.next);
    }
    if (!page.next) return { items };
    token = page.next;
  }
}
