/**
 * compareFaces (Rekognition CompareFaces) on Azure: detect both images with
 * faceIds, then Verify face-to-face of the source's largest face against
 * each target face that passes the quality filter (bars from
 * qualityForRecognition). Similarity = Verify's confidence × 100; a target
 * face at or above `similarityThreshold` is a match. Billed: 2 detects +
 * one verify per compared target face (up to 100).
 */
import { DomainError } from '../../domain/errors.js';
import { passesQualityFilter, type FaceDetailRecord } from '../../domain/face-details.js';
import { mapLimit } from '../../lib/map-limit.js';
import type { CallOptions } from '../provider.js';
import type { CompareFacesInput, CompareFacesOutcome } from '../face-operations.js';
import type { AdapterDeps } from './adapter-deps.js';
import { detectImage } from './detect-image.js';
import { faceDetail } from './face-detail.js';
import { noFaceDetected } from './no-face.js';

const DEFAULT_SET: ReadonlySet<never> = new Set();

export async function compareFaces(
  deps: AdapterDeps,
  input: CompareFacesInput,
  call: CallOptions | undefined,
): Promise<CompareFacesOutcome> {
  const ctx = deps.callContext();
  const source = await detectImage(deps, input.sourceImage, { faceIds: true, attributes: DEFAULT_SET, ctx }, call);
  const sourceFace = source.faces[0];
  if (!sourceFace?.faceId) throw noFaceDetected('sourceImage');
  const target = await detectImage(deps, input.targetImage, { faceIds: true, attributes: DEFAULT_SET, ctx }, call);
  const compared = target.faces
    .map((face) => ({ face, detail: faceDetail(face, target.size, DEFAULT_SET) }))
    .filter(({ detail }) => passesQualityFilter(detail.quality, input.qualityFilter));
  const similarities = await mapLimit(compared, deps.concurrency, async ({ face }) => {
    if (!face.faceId) throw missingFaceId(deps.name);
    const verdict = await deps.cache.call(ctx, () => deps.api.verifyFaces(sourceFace.faceId as string, face.faceId as string, call));
    return Math.round(verdict.confidence * 100 * 1000) / 1000;
  });
  const faceMatches: CompareFacesOutcome['faceMatches'] = [];
  const unmatchedFaces: FaceDetailRecord[] = [];
  compared.forEach(({ detail }, i) => {
    if (similarities[i] >= input.similarityThreshold) faceMatches.push({ similarity: similarities[i], face: detail });
    else unmatchedFaces.push(detail);
  });
  faceMatches.sort((a, b) => b.similarity - a.similarity);
  return { sourceFace: faceDetail(sourceFace, source.size, DEFAULT_SET), faceMatches, unmatchedFaces };
}

/** PROVIDER_UNAVAILABLE for a detect answer that left out a faceId it was asked for. */
export function missingFaceId(provider: string): DomainError {
  return new DomainError(
    'PROVIDER_UNAVAILABLE',
    `Azure Face Detect (provider "${provider}"): expected a faceId for every face (returnFaceId=true), got a face without one`,
    { provider, operation: 'Detect' },
  );
}
