/**
 * Which detected faces IndexFaces indexes, following Rekognition: faces
 * under the minimum size are refused (SMALL_BOUNDING_BOX), the remaining
 * ones are kept largest first up to `maxFaces`, the rest are
 * EXCEEDS_MAX_FACES.
 */
import type { DetectedFace } from '../../engine/types.js';
import type { IndexFacesOutcome } from '../provider.js';
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
export function selectFaces(detected: readonly DetectedFace[], maxFaces: number): FaceSelection {
  // The engine promises largest first; sort anyway (stable) so the rule
  // does not depend on that promise.
  const faces = [...detected].sort((a, b) => area(b) - area(a));
  const indexed: DetectedFace[] = [];
  const unindexed: FaceSelection['unindexed'] = [];
  for (const face of faces) {
    if (!isLargeEnough(face)) {
      unindexed.push({ boundingBox: { ...face.boundingBox }, reasons: ['SMALL_BOUNDING_BOX'] });
    } else if (indexed.length >= maxFaces) {
      unindexed.push({ boundingBox: { ...face.boundingBox }, reasons: ['EXCEEDS_MAX_FACES'] });
    } else {
      indexed.push(face);
    }
  }
  return { indexed, unindexed };
}

/** The face to search with: the largest one that is big enough, or null. */
export function searchableFace(detected: readonly DetectedFace[]): DetectedFace | null {
  const faces = [...detected].sort((a, b) => area(b) - area(a));
  return faces.find(isLargeEnough) ?? null;
}

function area(face: DetectedFace): number {
  return face.pixelWidth * face.pixelHeight;
}
