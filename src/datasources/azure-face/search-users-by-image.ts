/**
 * searchUsersByImage: detect → (bounded wait for training) → identify of
 * the image's largest face (./identify-call.ts). Azure reports no face
 * confidence, so the searched face is at 100. Billed: one detect, plus one
 * identify when some user has faces.
 */
import { invalidInput } from '../../domain/errors.js';
import { passesQualityFilter, type FaceDetailRecord } from '../../domain/face-details.js';
import type { CallOptions, SearchUsersByImageInput, SearchUsersByImageOutcome } from '../provider.js';
import type { AdapterDeps } from './adapter-deps.js';
import { checkCollectionId } from './collection-id.js';
import { detectImage, modelOf } from './detect-image.js';
import { faceDetail } from './face-detail.js';
import { identifyInGroup, userMatchesOf } from './identify-call.js';
import { MAX_CANDIDATES, MIN_FACE_PIXELS } from './limits.js';

const NO_ATTRIBUTES: ReadonlySet<never> = new Set();

/**
 * detect → (bounded wait for training) → identify of the largest face of
 * at least 40 px, when it passes `qualityFilter` (default NONE,
 * Rekognition's for this call; bars from qualityForRecognition). Every
 * other face of the image is in `unsearchedFaces`; when the largest does
 * not qualify, nothing is searched (`searchedFace: null`) and every face is
 * unsearched. `maxUsers` over 100 (identify's maxNumOfCandidatesReturned
 * ceiling; Azure has no paging of candidates) is INVALID_INPUT naming the
 * limit, before any call — never silently capped.
 */
export async function searchUsersByImage(
  deps: AdapterDeps,
  input: SearchUsersByImageInput,
  call: CallOptions | undefined,
): Promise<SearchUsersByImageOutcome> {
  const { collectionId, userMatchThreshold, maxUsers } = input;
  const qualityFilter = input.qualityFilter ?? 'NONE';
  if (!Number.isInteger(maxUsers) || maxUsers < 1 || maxUsers > MAX_CANDIDATES)
    throw invalidInput(
      'input.maxUsers',
      `an integer 1..${MAX_CANDIDATES} (Azure AI Face's identify returns at most ${MAX_CANDIDATES} candidates)`,
      String(maxUsers),
    );
  if (!(userMatchThreshold >= 0 && userMatchThreshold <= 100))
    throw invalidInput('userMatchThreshold', 'a number 0..100', String(userMatchThreshold));
  checkCollectionId(collectionId);
  const loaded = await deps.cache.index(collectionId, call);
  const ctx = deps.callContext(collectionId);
  const { size, faces } = await detectImage(
    deps,
    input.image,
    { faceIds: true, attributes: NO_ATTRIBUTES, ctx, recognitionModel: modelOf(loaded.index) },
    call,
  );
  const details: FaceDetailRecord[] = faces.map((f) => faceDetail(f, size, NO_ATTRIBUTES));
  const at = faces.findIndex((f) => f.faceRectangle.width >= MIN_FACE_PIXELS && f.faceRectangle.height >= MIN_FACE_PIXELS);
  const face = faces[at];
  if (!face?.faceId || !passesQualityFilter(details[at].quality, qualityFilter)) {
    return { userMatches: [], searchedFace: null, unsearchedFaces: details };
  }
  const searchedFace = { boundingBox: details[at].boundingBox, confidence: details[at].confidence };
  const unsearchedFaces = details.filter((_, i) => i !== at);
  if (!loaded.index.hasUserFaces()) return { userMatches: [], searchedFace, unsearchedFaces };
  const results = await identifyInGroup(deps, loaded, [face.faceId], { maxCandidates: maxUsers, threshold: userMatchThreshold }, call);
  return { userMatches: userMatchesOf(loaded.index, results[0], userMatchThreshold, maxUsers), searchedFace, unsearchedFaces };
}
