/**
 * Face detection for one provider call, on the engine shared by the
 * process, with the engine's failures as domain errors.
 *
 * The engine remembers recent detections (engine/detection-cache.ts) per
 * {@link DetectionScope}: this instance's collection and the call's tenant.
 * The collection, because the provider layer knows it and deleting faces
 * or the collection must drop what was remembered of them
 * ({@link forgetDetections}); the tenant (from the request's CallOptions),
 * because a cached answer is fast, and its speed must tell no tenant what
 * another one processed, even in a collection both are granted. A call
 * without a tenant (a snapshot job) is not cached.
 */
import type { DetectionResult, DetectionScope, EngineAttribute } from '../../engine/types.js';
import type { CallOptions } from '../provider.js';
import { fromEngineError } from './errors.js';
import type { LocalDeps } from './local-deps.js';

/**
 * The engine's detection; `call`'s signal drops it from the engine's queue
 * when the call is no longer wanted. `collectionId` null: an image that
 * belongs to no collection (detect, compare), which is not remembered.
 * `attributes`: the optional networks to run (those of
 * `deps.engine.attributes`; others are ignored). @default none
 */
export async function detectFaces(
  deps: Pick<LocalDeps, 'engine' | 'name'>,
  collectionId: string | null,
  image: Uint8Array,
  call: CallOptions | undefined,
  attributes?: ReadonlySet<EngineAttribute>,
): Promise<DetectionResult> {
  const scope: DetectionScope | undefined =
    call?.tenant === undefined || collectionId === null ? undefined : { group: groupOf(deps, collectionId), caller: call.tenant };
  try {
    return await deps.engine.detect(image, { signal: call?.signal, scope, ...(attributes?.size ? { attributes } : {}) });
  } catch (e) {
    throw fromEngineError(e, deps.name);
  }
}

/** The detection-cache group of one collection of this instance. */
const groupOf = (deps: Pick<LocalDeps, 'name'>, collectionId: string): string => `${deps.name}\0${collectionId}`;

/**
 * Drops what the engine remembers of a collection's detections, of these
 * images (SHA-256 hex) or all: after faces or the collection are deleted,
 * once that committed. A face without a retained image drops them all.
 */
export function forgetDetections(
  deps: Pick<LocalDeps, 'engine' | 'name'>,
  collectionId: string,
  imageSha256s?: readonly (string | null)[],
): void {
  const all = !imageSha256s || imageSha256s.some((s) => s === null);
  deps.engine.forget?.(groupOf(deps, collectionId), all ? undefined : (imageSha256s as string[]));
}
