/**
 * FindSimilar in a collection's face registry (the companion LargeFaceList),
 * as searchFaces and searchFacesByImage make it. Like identify with the
 * group, findsimilars only sees what the list's last finished training saw
 * (400 LargeFaceListNotTrained before one, 409
 * LargeFaceListTrainingNotFinished during one), so the list is trained on
 * demand: every face added or deleted marks it (./face-registry.ts,
 * ./faces.ts), and a search first waits, bounded, for a training that
 * includes every earlier change (THROTTLED past `searchTrainingWaitMs`).
 * An index rebuilt from Azure reads the list's training status once to
 * learn whether its last training includes the newest face.
 *
 * Mode matchFace: every face ranked by similarity, so that the caller's
 * threshold decides (matchPerson would apply Azure's own same-person bar).
 */
import type { CallOptions } from '../provider.js';
import type { AdapterDeps } from './adapter-deps.js';
import type { LoadedCollection } from './collection-cache.js';
import { lastSuccessfulTraining, type CollectionIndex } from './collection-index.js';
import { hasCode } from './errors.js';
import type { SimilarFaceOut } from './face-api-shapes.js';
import { stillTrainingError } from './identify-call.js';

/** findsimilars' maxNumOfCandidatesReturned ceiling. */
export const MAX_SIMILAR = 1000;

/** The registry faces most like detect faceId `faceId`, highest confidence (0..1) first; at most `max` (≤ 1000). */
export async function findSimilarInList(
  deps: AdapterDeps,
  { index, listTrainer }: LoadedCollection,
  faceId: string,
  max: number,
  call: CallOptions | undefined,
): Promise<SimilarFaceOut[]> {
  const { collectionId } = index;
  if (![...index.faces.values()].some((f) => f.inList)) return []; // an empty list cannot be trained
  const ctx = deps.callContext(collectionId);
  const waitMs = deps.options.searchTrainingWaitMs ?? 10_000;
  const stillTraining = () => stillTrainingError(deps, collectionId, 'LargeFaceList');
  const find = () => deps.api.findSimilar(collectionId, faceId, Math.min(max, MAX_SIMILAR), 'matchFace', call);
  return deps.cache.call(ctx, async () => {
    if (!index.list.known) await learnListTraining(deps, index, call);
    if (!(await listTrainer.waitTrained(waitMs))) throw stillTraining();
    try {
      return await find();
    } catch (e) {
      if (hasCode(e, 'LargeFaceListTrainingNotFinished')) {
        // A training this process did not start (another replica).
        if (!(await listTrainer.waitIdle(waitMs, call))) throw stillTraining();
      } else if (hasCode(e, 'LargeFaceListNotTrained')) {
        index.markListChanged();
        if (!(await listTrainer.waitTrained(waitMs))) throw stillTraining();
      } else {
        throw e;
      }
      return find();
    }
  });
}

/**
 * For a rebuilt index: marks the list changed unless its last successful training (Azure's
 * `lastSuccessfulTrainingDateTime`; `createdDateTime` is the list's own creation time) came after its newest face was indexed.
 */
async function learnListTraining(deps: AdapterDeps, index: CollectionIndex, call: CallOptions | undefined): Promise<void> {
  let trainedFrom: number | null = null;
  try {
    const status = await deps.api.getListTrainingStatus(index.collectionId, call);
    trainedFrom = lastSuccessfulTraining(status);
  } catch (e) {
    if (!hasCode(e, 'LargeFaceListNotTrained')) throw e;
  }
  const newest = Math.max(0, ...[...index.faces.values()].filter((f) => f.inList).map((f) => f.data?.indexedAt ?? Infinity));
  if (trainedFrom === null || !(newest < trainedFrom)) index.markListChanged();
  index.list.known = true;
}
