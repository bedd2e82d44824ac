/**
 * Faces: read from the collection's index; indexed into and deleted from
 * the face registry (./face-registry.ts), their source images retained
 * while a face references them (Azure keeps none, and associating a face
 * re-extracts it from its image).
 */
import { createHash } from 'node:crypto';
import { DomainError, invalidInput } from '../../domain/errors.js';
import type { FaceRecord } from '../../domain/records.js';
import type {
  CallOptions,
  DeleteFacesOutcome,
  FaceFilter,
  IndexFacesInput,
  IndexFacesOutcome,
  Page,
  PageRequest,
  UnindexedReason,
} from '../provider.js';
import type { AdapterDeps } from './adapter-deps.js';
import type { AdapterParts } from './adapter-parts.js';
import { checkCollectionId } from './collection-id.js';
import { faceKey, type CollectionIndex, type IndexedFace } from './collection-index.js';
import { faceRecord } from './contract-records.js';
import type { DetectedFaceOut, FaceRectangle } from './face-api-shapes.js';
import { faceDetail } from './face-detail.js';
import { sameRect } from './face-geometry.js';
import { detectImage } from './detect-image.js';
import { addToList } from './face-registry.js';
import { requireImageSize } from './image-size.js';
import { DEFAULT_MAX_FACES, MIN_FACE_PIXELS } from './limits.js';
import { decodePageToken, encodePageToken, firstAfter, pageLimit } from './page-token.js';
import { RECOGNITION_MODEL } from './transport.js';
import { passesQualityFilter, type FaceDetailRecord, type QualityFilterName } from '../../domain/face-details.js';

/** Faces in index order: all, one user's, or the unassociated ones (not both filters). */
export async function listFaces(
  deps: AdapterDeps,
  collectionId: string,
  filter: FaceFilter,
  page: PageRequest,
  call: CallOptions | undefined,
): Promise<Page<FaceRecord>> {
  const limit = pageLimit(page.limit);
  if (filter.userId !== undefined && filter.unassociated === true)
    throw invalidInput('unassociated', 'not true together with userId', 'both');
  const signature = filter.userId !== undefined ? `u:${filter.userId}` : filter.unassociated === true ? 'unassociated' : undefined;
  const after = decodePageToken('faces', page.after, signature);
  checkCollectionId(collectionId);
  const { index } = await deps.cache.index(collectionId, call);
  const faces =
    filter.userId !== undefined
      ? index.facesOf(filter.userId)
      : filter.unassociated === true
        ? index.sortedFaces().filter((f) => f.userId === null)
        : index.sortedFaces();
  const from = after === undefined ? 0 : firstAfter(faces, faceKey, after);
  const items = faces.slice(from, from + limit);
  const result: Page<FaceRecord> = { items: items.map((f) => faceRecord(collectionId, f)) };
  if (from + limit < faces.length) result.nextToken = encodePageToken('faces', faceKey(items[items.length - 1]), signature);
  return result;
}

/** The faces' records in the order asked; null for an unknown face. */
export async function getFaces(
  deps: AdapterDeps,
  collectionId: string,
  faceIds: readonly string[],
  call: CallOptions | undefined,
): Promise<(FaceRecord | null)[]> {
  checkCollectionId(collectionId);
  const { index } = await deps.cache.index(collectionId, call);
  return faceIds.map((id) => {
    const face = index.faces.get(id);
    return face ? faceRecord(collectionId, face) : null;
  });
}

/** How many faces each user has (0 for an unknown user). */
export async function countUserFaces(
  deps: AdapterDeps,
  collectionId: string,
  userIds: readonly string[],
  call: CallOptions | undefined,
): Promise<number[]> {
  checkCollectionId(collectionId);
  const { index } = await deps.cache.index(collectionId, call);
  return userIds.map((id) => index.faceCountOf(id));
}

/** Each user's faces in index order. */
export async function listUserFaces(
  deps: AdapterDeps,
  collectionId: string,
  userIds: readonly string[],
  call: CallOptions | undefined,
): Promise<FaceRecord[][]> {
  checkCollectionId(collectionId);
  const { index } = await deps.cache.index(collectionId, call);
  return userIds.map((id) => index.facesOf(id).map((f) => faceRecord(collectionId, f)));
}

/**
 * detect (landmarks, headPose, blur, qualityForRecognition and the asked
 * attributes), then one registry entry per face to index (add-face with
 * targetFace on the companion list). With a quality filter other than
 * NONE (default AUTO, Rekognition's for IndexFaces), faces under 40 px are
 * SMALL_BOUNDING_BOX and faces below the bar (passesQualityFilter on
 * qualityForRecognition) are LOW_FACE_QUALITY, with what Azure saw of why:
 * LOW_SHARPNESS for blur level high, LOW_BRIGHTNESS for under-exposure
 * (detection_01). Every reason is kept. The same image with the same
 * externalImageId returns the faces indexed from it before. Billed: 1
 * detect + 1 add-face per new face.
 */
export function indexFaces(deps: AdapterDeps, input: IndexFacesInput, call: CallOptions | undefined): Promise<IndexFacesOutcome> {
  const { collectionId, image } = input;
  const externalImageId = input.externalImageId ?? null;
  const maxFaces = input.maxFaces ?? DEFAULT_MAX_FACES;
  const qualityFilter = input.qualityFilter ?? 'AUTO';
  const attributes = input.detectionAttributes ?? NO_ATTRIBUTES;
  if (!Number.isInteger(maxFaces) || maxFaces < 1) throw invalidInput('maxFaces', 'an integer ≥ 1', String(maxFaces));
  checkCollectionId(collectionId);
  const size = requireImageSize(image);
  return deps.cache.locked(collectionId, async () => {
    const { index } = await deps.cache.index(collectionId, call);
    const ctx = deps.callContext(collectionId);
    const detected = await detectImage(deps, image, { faceIds: false, attributes, ctx }, call);
    const selected: { rect: FaceRectangle; detail: FaceDetailRecord }[] = [];
    const unindexedFaces: IndexFacesOutcome['unindexedFaces'] = [];
    for (const face of detected.faces) {
      const detail = faceDetail(face, size, attributes);
      const reasons = qualityFilter === 'NONE' ? [] : filterReasons(face, detail, qualityFilter);
      if (reasons.length === 0 && selected.length >= maxFaces) reasons.push('EXCEEDS_MAX_FACES');
      if (reasons.length > 0) unindexedFaces.push({ boundingBox: detail.boundingBox, reasons });
      else selected.push({ rect: face.faceRectangle, detail });
    }
    const sha256 = createHash('sha256').update(image).digest('hex');
    const earlier = index.sortedFaces().filter((f) => f.data?.sha256 === sha256 && f.data.externalImageId === externalImageId);
    const faces: IndexedFace[] = [];
    const indexedAt = deps.now();
    let retained = false;
    for (const [ordinal, { rect: r }] of selected.entries()) {
      const repeat = earlier.find((f) => sameRect(f.data?.rect, r));
      if (repeat) {
        faces.push(repeat);
        continue;
      }
      if (!retained) {
        await deps.images.put(collectionId, sha256, image);
        retained = true;
      }
      faces.push(
        await deps.cache.call(ctx, () =>
          addToList(deps, index, image, { externalImageId, sha256, rect: r, size, indexedAt, ordinal }, call),
        ),
      );
    }
    const records = faces.map((f) => faceRecord(collectionId, f));
    return { faces: records, faceDetails: selected.map((s) => s.detail), unindexedFaces, faceModelVersion: RECOGNITION_MODEL };
  });
}

const NO_ATTRIBUTES: ReadonlySet<never> = new Set();

/** Why a quality filter other than NONE refuses a face; empty when it passes. */
function filterReasons(face: DetectedFaceOut, detail: FaceDetailRecord, filter: QualityFilterName): UnindexedReason[] {
  const reasons: UnindexedReason[] = [];
  const r = face.faceRectangle;
  if (r.width < MIN_FACE_PIXELS || r.height < MIN_FACE_PIXELS) reasons.push('SMALL_BOUNDING_BOX');
  if (!passesQualityFilter(detail.quality, filter)) {
    reasons.push('LOW_FACE_QUALITY');
    if (face.faceAttributes?.blur?.blurLevel === 'high') reasons.push('LOW_SHARPNESS');
    if (face.faceAttributes?.exposure?.exposureLevel === 'underExposure') reasons.push('LOW_BRIGHTNESS');
  }
  return reasons;
}

/** Deletes unassociated faces' registry entries; associated faces are refused (ASSOCIATED_TO_AN_EXISTING_USER). */
export function deleteFaces(
  deps: AdapterDeps,
  collectionId: string,
  faceIds: readonly string[],
  call: CallOptions | undefined,
): Promise<DeleteFacesOutcome> {
  checkCollectionId(collectionId);
  return deps.cache.locked(collectionId, async () => {
    const { index } = await deps.cache.index(collectionId, call);
    const outcome: DeleteFacesOutcome = { deletedFaceIds: [], unsuccessfulFaceDeletions: [] };
    const deletedShas: string[] = [];
    for (const faceId of [...new Set(faceIds)]) {
      const face = index.faces.get(faceId);
      if (face?.userId === null && face.data) deletedShas.push(face.data.sha256);
      if (!face) {
        outcome.unsuccessfulFaceDeletions.push({ faceId, userId: null, reasons: ['FACE_NOT_FOUND'] });
      } else if (face.userId !== null) {
        outcome.unsuccessfulFaceDeletions.push({ faceId, userId: face.userId, reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] });
      } else {
        try {
          await deps.cache.call(deps.callContext(collectionId), () => deps.api.deleteListFace(collectionId, faceId, call));
          outcome.deletedFaceIds.push(faceId);
        } catch (e) {
          if (!(e instanceof DomainError && e.details.providerCode === 'PersistedFaceNotFound')) throw e;
          outcome.unsuccessfulFaceDeletions.push({ faceId, userId: null, reasons: ['FACE_NOT_FOUND'] });
        }
        index.removeFace(faceId);
        index.markListChanged();
      }
    }
    await pruneImages(deps, index, outcome.deletedFaceIds.length > 0 ? deletedShas : []);
    return outcome;
  });
}

/** Forgets retained images of `sha256s` that no face of the collection references any more. */
async function pruneImages(parts: AdapterParts, index: CollectionIndex, sha256s: readonly string[]): Promise<void> {
  if (sha256s.length === 0) return;
  const used = new Set([...index.faces.values()].map((f) => f.data?.sha256));
  const unused = [...new Set(sha256s)].filter((sha) => !used.has(sha));
  await parts.images
    .delete(index.collectionId, unused)
    .catch((e: unknown) => parts.warn('could not delete unused retained images', e, index.collectionId));
}
