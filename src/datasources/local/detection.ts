/**
 * Face detection for one provider call, on the engine shared by the
 * process, with the engine's failures as domain errors.
 */
import type { DetectionResult } from '../../engine/types.js';
import type { CallOptions } from '../provider.js';
import { fromEngineError } from './errors.js';
import type { LocalDeps } from './local-deps.js';

/** The engine's detection; `call`'s signal drops it from the engine's queue when the call is no longer wanted. */
export async function detectFaces(
  deps: Pick<LocalDeps, 'engine' | 'name'>,
  image: Uint8Array,
  call: CallOptions | undefined,
): Promise<DetectionResult> {
  try {
    return await deps.engine.detect(image, { signal: call?.signal });
  } catch (e) {
    throw fromEngineError(e, deps.name);
  }
}
