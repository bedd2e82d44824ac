/**
 * The detect every face operation starts with: the image's faces largest
 * first, with the landmarks and attributes the DEFAULT set and the asked
 * attributes need on the instance's detection model (./face-detail.ts),
 * and faceIds when the operation goes on to verify, identify or
 * findsimilars (Limited Access: 403 UnsupportedFeature → FORBIDDEN without
 * approval). One billed transaction.
 */
import type { FaceAttributeName } from '../../domain/face-details.js';
import type { CallOptions } from '../provider.js';
import type { AdapterDeps } from './adapter-deps.js';
import type { CallContext } from './errors.js';
import type { DetectedFaceOut } from './face-api-shapes.js';
import { azureAttributes } from './face-detail.js';
import { byArea } from './face-geometry.js';
import { requireImageSize, type ImageSize } from './image-size.js';
import type { CollectionIndex } from './collection-index.js';
import { RECOGNITION_MODEL } from './transport.js';

/** An image's faces as detect found them. */
export interface DetectedImage {
  size: ImageSize;
  /** Largest first. */
  faces: DetectedFaceOut[];
}

export interface DetectImageOptions {
  /** Ask for faceIds (they live {@link faceIdTtlSeconds}). */
  faceIds: boolean;
  /** Attributes beyond the DEFAULT set. */
  attributes: ReadonlySet<FaceAttributeName>;
  /**
   * The recognition model of the container the faceIds go to (identify, verify and findsimilars refuse faceIds of
   * another model). @default the model facegate creates containers with (recognition_04)
   */
  recognitionModel?: string;
  ctx: CallContext;
}

/** Detects `image`'s faces; INVALID_IMAGE for bytes whose size cannot be read (before any call). */
export async function detectImage(
  deps: AdapterDeps,
  image: Uint8Array,
  options: DetectImageOptions,
  call: CallOptions | undefined,
): Promise<DetectedImage> {
  const size = requireImageSize(image);
  const detected = await deps.cache.call(options.ctx, () =>
    deps.api.detect(
      image,
      {
        returnFaceId: options.faceIds,
        detectionModel: deps.detectionModel,
        recognitionModel: options.recognitionModel,
        attributes: azureAttributes(deps.detectionModel, options.attributes),
        landmarks: true,
        faceIdTtlSeconds: options.faceIds ? faceIdTtlSeconds(deps) : undefined,
      },
      call,
    ),
  );
  return { size, faces: byArea(detected) };
}

/**
 * The recognition model of a collection's containers: its LargePersonGroup's (a group created outside
 * facegate keeps its own; the companion list facegate adds to it is created with the same), or facegate's
 * own when Azure did not say.
 */
export function modelOf(index: Pick<CollectionIndex, 'faceModelVersion'>): string {
  return index.faceModelVersion ?? RECOGNITION_MODEL;
}

/**
 * How long a faceId must live: through the waits for training (two at most)
 * and the calls that use it, with a minute to spare (Azure allows 60..86400 s).
 */
export function faceIdTtlSeconds(deps: AdapterDeps): number {
  const waitMs = deps.options.searchTrainingWaitMs ?? 10_000;
  return (2 * waitMs + 2 * (deps.options.requestTimeoutMs ?? 30_000)) / 1000 + 60;
}
