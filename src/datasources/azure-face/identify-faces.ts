/**
 * identifyFaces (Azure Identify, CompreFace recognize): detect every face
 * of the image with faceIds, then identify the largest `maxFaces` that
 * pass the quality filter (bars from qualityForRecognition) in batches of
 * 10 faceIds (./identify-call.ts: bounded wait for the group's training,
 * THROTTLED past it). Faces beyond `maxFaces` or below the bar are
 * unsearched. A collection where no user has faces is not asked (every
 * face gets no match). Billed: 1 detect + ⌈searched / 10⌉ identify.
 */
import type { CallOptions } from '../provider.js';
import { passesQualityFilter, type FaceDetailRecord } from '../../domain/face-details.js';
import type { IdentifyFacesInput, IdentifyFacesOutcome } from '../face-operations.js';
import type { AdapterDeps } from './adapter-deps.js';
import { checkCollectionId } from './collection-id.js';
import { missingFaceId } from './compare-faces.js';
import { detectImage, modelOf } from './detect-image.js';
import type { IdentifyOut } from './face-api-shapes.js';
import { faceDetail } from './face-detail.js';
import { identifyInGroup, userMatchesOf } from './identify-call.js';

const DEFAULT_SET: ReadonlySet<never> = new Set();

export async function identifyFaces(
  deps: AdapterDeps,
  input: IdentifyFacesInput,
  call: CallOptions | undefined,
): Promise<IdentifyFacesOutcome> {
  const { collectionId } = input;
  checkCollectionId(collectionId);
  const loaded = await deps.cache.index(collectionId, call);
  const ctx = deps.callContext(collectionId);
  const { size, faces } = await detectImage(
    deps,
    input.image,
    { faceIds: true, attributes: DEFAULT_SET, ctx, recognitionModel: modelOf(loaded.index) },
    call,
  );
  const searched: { faceId: string; detail: FaceDetailRecord }[] = [];
  const unsearchedFaces: FaceDetailRecord[] = [];
  for (const face of faces) {
    const detail = faceDetail(face, size, DEFAULT_SET);
    if (searched.length >= input.maxFaces || !passesQualityFilter(detail.quality, input.qualityFilter)) unsearchedFaces.push(detail);
    else if (!face.faceId) throw missingFaceId(deps.name);
    else searched.push({ faceId: face.faceId, detail });
  }
  const results =
    searched.length > 0 && loaded.index.hasUserFaces()
      ? await identifyInGroup(
          deps,
          loaded,
          searched.map((s) => s.faceId),
          { maxCandidates: input.maxUsersPerFace, threshold: input.userMatchThreshold },
          call,
        )
      : [];
  return {
    faces: searched.map((s) => ({
      face: s.detail,
      userMatches: userMatchesOf(loaded.index, answerFor(results, s.faceId), input.userMatchThreshold, input.maxUsersPerFace),
    })),
    unsearchedFaces,
  };
}

/** identify's answer for `faceId` (Azure answers one per faceId; matched by id, not position). */
const answerFor = (results: readonly IdentifyOut[], faceId: string) => results.find((r) => r.faceId.toLowerCase() === faceId.toLowerCase());
