/**
 * Which detected faces IndexFaces indexes, following Rekognition: faces
 * under the minimum size are refused (SMALL_BOUNDING_BOX), faces below the
 * quality filter's bar with the measures that failed it (face-detail.ts),
 * and the remaining ones are kept largest first up to `maxFaces`, the rest
 * are EXCEEDS_MAX_FACES (Rekognition drops the lowest quality first, then
 * the smallest).
 */
import { DomainError } from '../../domain/errors.js';
import type { QualityFilterName } from '../../domain/face-details.js';
import type { DetectedFace } from '../../engine/types.js';
import type { IndexFacesOutcome } from '../provider.js';
import { qualityShortfalls } from './face-detail.js';
import { MIN_FACE_PIXELS } from './limits.js';

export interface FaceSelection {
  /** Faces to index, largest first. */
  indexed: DetectedFace[];
  unindexed: IndexFacesOutcome['unindexedFaces'];
}

/** True when a face is big enough to index or search. */
export function isLargeEnough(face: DetectedFace): boolean {
  return face.pixelWidth >= MIN_FACE_PIXELS && face.pixelHeight >= MIN_FACE_PIXELS;
}

/** Splits detected faces into indexed and unindexed ones. */
export function selectFaces(detected: readonly DetectedFace[], maxFaces: number, qualityFilter: QualityFilterName = 'NONE'): FaceSelection {
  // The engine promises largest first; sort anyway (stable) so the rule
  // does not depend on that promise.
  const faces = largestFirst(detected);
  const indexed: DetectedFace[] = [];
  const unindexed: FaceSelection['unindexed'] = [];
  for (const face of faces) {
    const shortfalls = isLargeEnough(face) ? qualityShortfalls(face, qualityFilter) : [];
    if (!isLargeEnough(face)) {
      unindexed.push({ boundingBox: { ...face.boundingBox }, reasons: ['SMALL_BOUNDING_BOX'] });
    } else if (shortfalls.length > 0) {
      unindexed.push({ boundingBox: { ...face.boundingBox }, reasons: shortfalls });
    } else if (indexed.length >= maxFaces) {
      unindexed.push({ boundingBox: { ...face.boundingBox }, reasons: ['EXCEEDS_MAX_FACES'] });
    } else {
      indexed.push(face);
    }
  }
  return { indexed, unindexed };
}

/**
 * The face to search with: the largest one that is big enough, or null;
 * null too when that face is below `qualityFilter`'s bar (Rekognition
 * searches the largest face or none). @default NONE
 */
export function searchableFace(detected: readonly DetectedFace[], qualityFilter: QualityFilterName = 'NONE'): DetectedFace | null {
  const face = largestFirst(detected).find(isLargeEnough);
  return face && qualityShortfalls(face, qualityFilter).length === 0 ? face : null;
}

/** The faces sorted largest first (stable: the rule does not depend on the engine's order). */
export function largestFirst(detected: readonly DetectedFace[]): DetectedFace[] {
  return [...detected].sort((a, b) => area(b) - area(a));
}

function area(face: DetectedFace): number {
  return face.pixelWidth * face.pixelHeight;
}

/** {@link searchableFace}, or NO_FACE_DETECTED naming `field` (the image) and `provider`. */
export function requireSearchableFace(
  detected: readonly DetectedFace[],
  qualityFilter: QualityFilterName,
  provider: string,
  field: string,
): DetectedFace {
  const face = searchableFace(detected, qualityFilter);
  if (face) return face;
  const got =
    detected.length === 0
      ? 'none'
      : `${detected.length} face(s), none at least ${MIN_FACE_PIXELS} px${qualityFilter === 'NONE' ? '' : ` and passing quality filter ${qualityFilter}`}`;
  throw new DomainError('NO_FACE_DETECTED', `${field}: expected an image with a usable face, got ${got}`, { field, provider });
}
