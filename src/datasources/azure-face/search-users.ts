/**
 * searchUsersByImage: detect → (bounded wait for training) → identify.
 * Azure's identify only sees what the last finished training saw, so a
 * search first waits until a training that includes every earlier change
 * has finished (./training.ts); past `searchTrainingWaitMs` it answers
 * THROTTLED. Identify's confidence (0..1) is reported as similarity × 100;
 * Azure reports no face confidence, so the searched face is at 100.
 */
import { DomainError, invalidInput } from '../../domain/errors.js';
import type { CallOptions, SearchUsersByImageInput, SearchUsersByImageOutcome } from '../provider.js';
import type { AdapterDeps } from './adapter-deps.js';
import { checkCollectionId } from './collection-id.js';
import { userRecord } from './contract-records.js';
import { hasCode } from './errors.js';
import type { IdentifyOut } from './face-api-shapes.js';
import { byArea, ratioBox } from './face-geometry.js';
import { requireImageSize } from './image-size.js';
import { MAX_CANDIDATES, MIN_FACE_PIXELS } from './limits.js';

/**
 * detect → (bounded wait for training) → identify of the largest face of
 * at least 40 px. No face → no matches and `searchedFace: null`. At most
 * 100 users (identify's candidate ceiling).
 */
export async function searchUsersByImage(
  deps: AdapterDeps,
  input: SearchUsersByImageInput,
  call: CallOptions | undefined,
): Promise<SearchUsersByImageOutcome> {
  const { collectionId, userMatchThreshold, maxUsers } = input;
  if (!Number.isInteger(maxUsers) || maxUsers < 1) throw invalidInput('maxUsers', 'an integer ≥ 1', String(maxUsers));
  if (!(userMatchThreshold >= 0 && userMatchThreshold <= 100))
    throw invalidInput('userMatchThreshold', 'a number 0..100', String(userMatchThreshold));
  checkCollectionId(collectionId);
  const size = requireImageSize(input.image);
  const { index, trainer } = await deps.cache.index(collectionId, call);
  const ctx = deps.callContext(collectionId);
  const waitMs = deps.options.searchTrainingWaitMs ?? 10_000;
  // The faceId must outlive the waits for training below (two at most) and the identify call.
  const faceIdTtlSeconds = (2 * waitMs + 2 * (deps.options.requestTimeoutMs ?? 30_000)) / 1000 + 60;
  const detected = await deps.cache.call(ctx, () =>
    deps.api.detect(input.image, { returnFaceId: true, detectionModel: deps.detectionModel, quality: false, faceIdTtlSeconds }, call),
  );
  const face = byArea(detected).find((f) => f.faceRectangle.width >= MIN_FACE_PIXELS && f.faceRectangle.height >= MIN_FACE_PIXELS);
  if (!face?.faceId) return { userMatches: [], searchedFace: null, unsearchedFaces: [] };
  const searchedFace = { boundingBox: ratioBox(face.faceRectangle, size), confidence: 100 };
  if (!index.hasUserFaces()) return { userMatches: [], searchedFace, unsearchedFaces: [] };

  const stillTraining = () => stillTrainingError(deps, collectionId);
  const identify = () =>
    deps.api.identify(collectionId, [face.faceId as string], Math.min(maxUsers, MAX_CANDIDATES), userMatchThreshold / 100, call);
  const results = await deps.cache.call(ctx, async (): Promise<IdentifyOut[]> => {
    try {
      if (!(await trainer.waitTrained(waitMs))) throw stillTraining();
      return await identify();
    } catch (e) {
      if (hasCode(e, 'LargePersonGroupTrainingNotFinished')) {
        // A training this process did not start (another replica, a rebuild).
        if (!(await trainer.waitIdle(waitMs, call))) throw stillTraining();
      } else if (hasCode(e, 'LargePersonGroupNotTrained')) {
        // Trained state lost behind our back (e.g. the group was re-created): train again.
        index.markChanged([...index.users.keys()]);
        if (!(await trainer.waitTrained(waitMs))) throw stillTraining();
      } else {
        throw e;
      }
      return identify();
    }
  });
  const userMatches: SearchUsersByImageOutcome['userMatches'] = [];
  for (const c of results[0]?.candidates ?? []) {
    const userId = index.userByPerson.get(c.personId);
    const similarity = Math.round(c.confidence * 100 * 1000) / 1000;
    if (userId === undefined || similarity < userMatchThreshold) continue; // a person deleted since the training
    userMatches.push({ similarity, user: userRecord(index, userId) });
  }
  userMatches.sort((a, b) => b.similarity - a.similarity);
  return { userMatches: userMatches.slice(0, maxUsers), searchedFace, unsearchedFaces: [] }; // TODO(issue 20): unsearchedFaces
}

/** THROTTLED for a search that stopped waiting for a training; the retry hint is the training poll interval, with a floor. */
function stillTrainingError(deps: AdapterDeps, collectionId: string): DomainError {
  const retryAfterMs = Math.max(deps.options.trainingPollMs ?? 1000, 1000);
  return new DomainError(
    'THROTTLED',
    `Collection "${collectionId}" of provider "${deps.name}" is being trained by Azure AI Face: expected identification to be possible, got training still running after ${deps.options.searchTrainingWaitMs ?? 10_000} ms; retry after ${retryAfterMs} ms`,
    { provider: deps.name, collectionId, retryAfterMs, providerCode: 'LargePersonGroupTrainingNotFinished' },
  );
}
