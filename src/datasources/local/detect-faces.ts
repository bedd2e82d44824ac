/**
 * DetectFaces and CompareFaces on the local engine: images that belong to
 * no collection, so nothing is stored and no detection is remembered.
 */
import { similarity } from '../../engine/similarity.js';
import type { CallOptions, CompareFacesInput, CompareFacesOutcome, DetectFacesInput, DetectFacesOutcome } from '../provider.js';
import { detectFaces as detect } from './detection.js';
import { engineAttributesFor, qualityShortfalls, toFaceDetail } from './face-detail.js';
import { largestFirst, requireSearchableFace } from './face-selection.js';
import type { LocalDeps } from './local-deps.js';

/** Rekognition's DetectFaces answers at most this many faces. */
const MAX_DETECTED_FACES = 100;

/** Every face of the image, largest first (at most 100), with the attributes asked for; [] when there is none. */
export async function detectFaces(deps: LocalDeps, input: DetectFacesInput, call?: CallOptions): Promise<DetectFacesOutcome> {
  const detection = await detect(deps, null, input.image, call, engineAttributesFor(input.attributes));
  return {
    faces: largestFirst(detection.faces)
      .slice(0, MAX_DETECTED_FACES)
      .map((f) => toFaceDetail(f, input.attributes)),
  };
}

/**
 * The largest face of the source image (NO_FACE_DETECTED without one)
 * against every face of the target that passes the quality filter:
 * matches at or above the threshold, highest first; the rest unmatched.
 */
export async function compareFaces(deps: LocalDeps, input: CompareFacesInput, call?: CallOptions): Promise<CompareFacesOutcome> {
  const [source, target] = await Promise.all([detect(deps, null, input.sourceImage, call), detect(deps, null, input.targetImage, call)]);
  const sourceFace = requireSearchableFace(source.faces, 'NONE', deps.name, 'sourceImage');
  const faceMatches: CompareFacesOutcome['faceMatches'] = [];
  const unmatchedFaces: CompareFacesOutcome['unmatchedFaces'] = [];
  for (const face of largestFirst(target.faces).slice(0, MAX_DETECTED_FACES)) {
    if (qualityShortfalls(face, input.qualityFilter).length > 0) continue;
    const s = similarity(sourceFace.descriptor, face.descriptor);
    if (s >= input.similarityThreshold) faceMatches.push({ similarity: s, face: toFaceDetail(face) });
    else unmatchedFaces.push(toFaceDetail(face));
  }
  faceMatches.sort((a, b) => b.similarity - a.similarity);
  return { sourceFace: toFaceDetail(sourceFace), faceMatches, unmatchedFaces };
}
