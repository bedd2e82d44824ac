/**
 * Public types of the local face engine. The engine decodes images, detects
 * faces, computes 128-d descriptors and searches them; it knows nothing of
 * collections, users or GraphQL.
 */

/** Ratios of the (orientation-corrected) image's width and height, 0..1. */
export interface BoundingBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** One face found in an image. */
export interface DetectedFace {
  boundingBox: BoundingBox;
  /** Face size in pixels of the orientation-corrected image (for minimum-size rules). */
  pixelWidth: number;
  pixelHeight: number;
  /** Detector confidence, 0..100 (Rekognition's scale). */
  confidence: number;
  /** 128-d face descriptor; compare with {@link similarity}. */
  descriptor: Float32Array;
  /**
   * Five points derived from the 68-point landmarks, in this order: left eye
   * centre, right eye centre (the subject's left and right, as Rekognition's
   * eyeLeft / eyeRight), nose tip, left and right mouth corner; ratios of the
   * image like {@link boundingBox} (clamped to 0..1 like it, for a face cut by the image's edge).
   */
  landmarks: readonly { x: number; y: number }[];
  /**
   * Head pose estimated from the landmarks' 2-D geometry, degrees (method and
   * signs: ./face-geometry.ts; coarse, about ±10°).
   */
  pose: { roll: number; yaw: number; pitch: number };
  /**
   * Measured on the face box's pixels, each 0..100: brightness the mean luma;
   * sharpness from the variance of the Laplacian of luma on the box resampled
   * to 112×112 (scale: ./face-pipeline.ts SHARPNESS_SCALE).
   */
  quality: { brightness: number; sharpness: number };
  /** Present only when {@link DetectOptions.attributes} asked for it. */
  attributes?: FaceAttributes;
}

/** What the engine's optional networks say of a face (face-api's age-gender and expression nets; a liveness model if shipped). */
export interface FaceAttributes {
  /** Estimated age in years (ENGINE_ATTRIBUTES 'age'). */
  age?: number;
  /** ENGINE_ATTRIBUTES 'gender'. */
  gender?: { value: 'male' | 'female'; probability: number };
  /** Each of face-api's seven expressions with its probability 0..1 (ENGINE_ATTRIBUTES 'expressions'). */
  expressions?: Record<'neutral' | 'happy' | 'sad' | 'angry' | 'fearful' | 'disgusted' | 'surprised', number>;
  /** Probability 0..1 that the face is a live person rather than a photo or screen (ENGINE_ATTRIBUTES 'liveness'). */
  liveness?: number;
}

/** The optional networks a detection may run; each costs inference time, so only what is asked for runs. */
export type EngineAttribute = 'age' | 'gender' | 'expressions' | 'liveness';

/** What {@link FaceEngine.detect} returns: faces sorted largest first. */
export interface DetectionResult {
  /** Orientation-corrected image size in pixels. */
  imageWidth: number;
  imageHeight: number;
  faces: DetectedFace[];
}

/** Why the engine refused an image or a request. */
export type EngineErrorCode =
  /** Empty, truncated, not of an accepted format, over the byte or pixel limit. */
  | 'INVALID_IMAGE'
  /** The inference queue is full; retry later. */
  | 'QUEUE_FULL'
  /** The engine is closed or a worker failed to start. */
  | 'UNAVAILABLE';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** For QUEUE_FULL: a hint of when to retry. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** Options for {@link FaceEngine}. */
export interface EngineOptions {
  /** Inference worker threads. @default os.availableParallelism() */
  workers?: number;
  /** Images waiting beyond those being processed before QUEUE_FULL. @default 64 */
  maxQueue?: number;
  /** Largest accepted encoded image. @default 5 MiB (Rekognition's limit) */
  maxImageBytes?: number;
  /** Largest accepted decoded image, in pixels (decompression-bomb guard). @default 40 million */
  maxImagePixels?: number;
  /**
   * Faces below this detector confidence (0..100) are not reported.
   * @default 50 (face-api's SSD default; every face of the test photos scores ≥ 62)
   */
  minConfidence?: number;
  /**
   * Longest image side fed to the networks; larger images are downscaled
   * (boxes and pixel sizes still refer to the original). @default 2048
   */
  maxInferenceSide?: number;
  /** An inference taking longer is abandoned and its worker replaced. @default 60000 */
  jobTimeoutMs?: number;
  /**
   * How faces are found and described: 'face-crops' (a second, padded
   * detection pass when the first finds nothing; each face described on its
   * own grey-margined cut-out) or 'whole-image' (face-api's chain on the
   * whole image, the engine before issue 21; for benchmarks). Descriptors
   * of the two differ slightly, so a collection should keep one.
   * @default 'face-crops'
   */
  pipeline?: PipelineKind;
  /**
   * Image formats accepted, by magic number and header; a GIF or a
   * multi-page TIFF is read at its first frame. Byte and pixel limits apply
   * to every format alike. @default ['jpeg', 'png', 'webp', 'gif', 'tiff']
   */
  formats?: readonly DecodableFormat[];
}

/** Image formats the engine can decode (sharp's libvips); {@link EngineOptions.formats} narrows them. */
export type DecodableFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff';

/** How the engine finds and describes faces; see {@link EngineOptions.pipeline} and ./face-pipeline.ts. */
export type PipelineKind = 'face-crops' | 'whole-image';

/**
 * Who may share a remembered detection ({@link FaceEngineApi.forget}): only
 * callers with the same group and the same caller. Opaque to the engine;
 * the local provider uses its instance and collection as the group and the
 * tenant as the caller.
 */
export interface DetectionScope {
  /** Detections forgotten together. */
  group: string;
  /** Who, within the group, may be answered from a detection made for another call. */
  caller: string;
}

/** Options of one detection. */
export interface DetectOptions {
  /** Aborting drops the image if it still waits for a worker (rejecting with the signal's reason); inference under way finishes. */
  signal?: AbortSignal;
  /** Where the detection may be remembered and shared; none: it is neither answered from nor kept in a cache. @default undefined */
  scope?: DetectionScope;
  /** Optional networks to run on every face (see {@link FaceAttributes}); an engine that lacks one leaves it out of {@link FaceEngineApi.attributes}. @default none */
  attributes?: ReadonlySet<EngineAttribute>;
}

/** Contract of the engine; the implementation lives in ./index.ts. */
export interface FaceEngineApi {
  /** Detect every face, largest first. Rejects with EngineError. Workers start lazily on first use. */
  detect(image: Uint8Array, options?: DetectOptions): Promise<DetectionResult>;
  /** Model identifier, reported as the collection's faceModelVersion. */
  readonly modelVersion: string;
  /** The optional networks this engine has (what {@link DetectOptions.attributes} may ask for). */
  readonly attributes?: ReadonlySet<EngineAttribute>;
  /** Images queued or in flight (for metrics and back-pressure). */
  readonly queueDepth: number;
  /**
   * Drops what is remembered of `group`'s detections: of the images with
   * these SHA-256 hashes (hex), or all of them. An engine that remembers
   * nothing leaves it out.
   */
  forget?(group: string, imageSha256s?: readonly string[]): void;
  close(): Promise<void>;
}
