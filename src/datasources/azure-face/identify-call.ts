/**
 * Identify against a collection's LargePersonGroup, as searchUsersByImage
 * and identifyFaces make it. Azure's identify only sees what the last
 * finished training saw, so a search first waits until a training that
 * includes every earlier change has finished (./training.ts); past
 * `searchTrainingWaitMs` it answers THROTTLED. Identify takes 1..10 faceIds
 * a call (one billed transaction each); more are sent in batches of 10.
 * Confidence 0..1 is reported as similarity 0..100.
 */
import { DomainError } from '../../domain/errors.js';
import type { UserRecord } from '../../domain/records.js';
import type { CallOptions } from '../provider.js';
import type { AdapterDeps } from './adapter-deps.js';
import type { LoadedCollection } from './collection-cache.js';
import type { CollectionIndex } from './collection-index.js';
import { userRecord } from './contract-records.js';
import { hasCode } from './errors.js';
import type { IdentifyOut } from './face-api-shapes.js';
import { MAX_CANDIDATES } from './limits.js';

/** identify's faceIds per call (Azure's limit). */
export const IDENTIFY_BATCH = 10;

/** The candidate count for identify; over Azure's ceiling is a bug of the caller (callers refuse it as INVALID_INPUT first). */
function checkedCandidates(n: number): number {
  if (n > MAX_CANDIDATES) throw new RangeError(`identify: expected at most ${MAX_CANDIDATES} candidates, got ${n}`);
  return n;
}

/** A candidate user of a face, 0..100. */
export interface UserMatch {
  similarity: number;
  user: UserRecord;
}

/**
 * Identifies `faceIds` (detect faceIds still alive) in the collection's
 * group, after a bounded wait for training; one answer per faceId, in order.
 * `maxCandidates` 1..; `threshold` 0..100.
 */
export async function identifyInGroup(
  deps: AdapterDeps,
  { index, trainer }: LoadedCollection,
  faceIds: readonly string[],
  options: { maxCandidates: number; threshold: number },
  call: CallOptions | undefined,
): Promise<IdentifyOut[]> {
  const { collectionId } = index;
  const ctx = deps.callContext(collectionId);
  const waitMs = deps.options.searchTrainingWaitMs ?? 10_000;
  const stillTraining = () => stillTrainingError(deps, collectionId);
  const identify = (batch: string[]) =>
    deps.api.identify(collectionId, batch, checkedCandidates(options.maxCandidates), options.threshold / 100, call);
  const identifyRetrying = async (batch: string[]): Promise<IdentifyOut[]> => {
    try {
      return await identify(batch);
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
      return identify(batch);
    }
  };
  return deps.cache.call(ctx, async () => {
    if (!(await trainer.waitTrained(waitMs))) throw stillTraining();
    const results: IdentifyOut[] = [];
    for (let i = 0; i < faceIds.length; i += IDENTIFY_BATCH)
      results.push(...(await identifyRetrying(faceIds.slice(i, i + IDENTIFY_BATCH))));
    return results;
  });
}

/** A face's candidates as user matches at or above `threshold` (0..100), highest first, at most `max`; persons deleted since the training are dropped. */
export function userMatchesOf(index: CollectionIndex, result: IdentifyOut | undefined, threshold: number, max: number): UserMatch[] {
  const matches: UserMatch[] = [];
  for (const c of result?.candidates ?? []) {
    const userId = index.userByPerson.get(c.personId);
    const similarity = Math.round(c.confidence * 100 * 1000) / 1000;
    if (userId === undefined || similarity < threshold) continue;
    matches.push({ similarity, user: userRecord(index, userId) });
  }
  matches.sort((a, b) => b.similarity - a.similarity);
  return matches.slice(0, max);
}

/** THROTTLED for a search that stopped waiting for a training; the retry hint is the training poll interval, with a floor. */
export function stillTrainingError(deps: AdapterDeps, collectionId: string, kind = 'LargePersonGroup'): DomainError {
  const retryAfterMs = Math.max(deps.options.trainingPollMs ?? 1000, 1000);
  return new DomainError(
    'THROTTLED',
    `Collection "${collectionId}" of provider "${deps.name}" is being trained by Azure AI Face: expected searching to be possible, got training still running after ${deps.options.searchTrainingWaitMs ?? 10_000} ms; retry after ${retryAfterMs} ms`,
    { provider: deps.name, collectionId, retryAfterMs, providerCode: `${kind}TrainingNotFinished` },
  );
}
