/**
 * The local face engine: a lazily started pool of inference worker threads
 * behind a bounded queue, plus descriptor similarity and an exact vector
 * index. Knows nothing of collections, users or GraphQL.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  checkEncoded,
  DECODABLE_FORMATS,
  decodeImage,
  probeImage,
  type DecodeLimits,
  type DecodedImage,
  type ImageInfo,
} from './decode.js';
import type { RawFace, WorkerInit, WorkerResponse, WorkerStats } from './protocol.js';
import {
  EngineError,
  type BoundingBox,
  type DetectedFace,
  type DetectionResult,
  type DetectOptions,
  type EngineAttribute,
  type EngineOptions,
  type FaceEngineApi,
} from './types.js';

export * from './types.js';
export * from './similarity.js';
export { VectorIndex, type VectorIndexOptions, type VectorMatch } from './vector-index.js';
export { ANN_DEFAULTS, AnnIndex, type AnnMatch, type AnnIndexOptions, type AnnQuantization, type AnnSnapshotMeta } from './ann-index.js';
export type { WorkerStats } from './protocol.js';

const require = createRequire(import.meta.url);
const FACE_API_VERSION = (require('@vladmandic/face-api/package.json') as { version: string }).version;

/** Identifies the descriptors' model: descriptors of different versions must not be compared. */
export const MODEL_VERSION = `face-api-${FACE_API_VERSION}/ssd_mobilenetv1+faceRecognitionNet`;

/** The optional networks every {@link FaceEngine} has: face-api's age-gender and expression nets. */
export const ENGINE_ATTRIBUTES: ReadonlySet<EngineAttribute> = new Set<EngineAttribute>(['age', 'gender', 'expressions']);

/** Compiled next to this module (dist/src/engine/worker.js). */
const WORKER_URL = new URL('./worker.js', import.meta.url);

const MiB = 1024 * 1024;
/** Bound on a worker's start-up (~2 s normally; generous for a loaded machine). */
const START_TIMEOUT_MS = 120_000;

interface Job {
  id: number;
  image: Uint8Array;
  info: ImageInfo;
  /** Optional networks to run, those of {@link ENGINE_ATTRIBUTES} asked for. */
  attributes: EngineAttribute[];
  resolve(r: DetectionResult): void;
  reject(e: Error): void;
  settled: boolean;
  /** Pixels, between decoding and dispatch only. */
  decoded?: DecodedImage;
  /** Size of the pixels sent (after downscaling). */
  sent?: { width: number; height: number };
}

interface Slot {
  worker: Worker;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  job?: Job;
  timer?: NodeJS.Timeout;
  stats?: WorkerStats;
  /** Why it failed, from init-error or the error event. */
  failure?: string;
  referenced: boolean;
}

/**
 * Face detection and description on local CPUs.
 *
 * Workers start on the first valid image (or {@link start}), not in the
 * constructor: a gateway that never sees an image must not pay ~2 s of CPU
 * and ~0.5 GB RSS a worker.
 *
 * Pipeline: header validation (size, format, pixel limit) before an image
 * takes a queue slot → queue of encoded images → decode stage on the main
 * thread that keeps at most `workers` decoded images ready ahead of the
 * workers (so decoding overlaps inference, a truncated image is refused in
 * milliseconds when the engine is not backlogged, and a full queue holds only
 * encoded bytes) → one image per worker. At most `workers + maxQueue` images
 * are accepted at once; the rest are refused with QUEUE_FULL and a retry
 * hint. A worker that crashes or hangs is replaced and its image rejected
 * (UNAVAILABLE); nothing waits forever.
 */
export class FaceEngine implements FaceEngineApi {
  readonly modelVersion = MODEL_VERSION;
  readonly attributes = ENGINE_ATTRIBUTES;
  /** Worker threads in the pool. */
  readonly workers: number;
  private readonly maxQueue: number;
  private readonly limits: DecodeLimits;
  private readonly init: WorkerInit;
  private readonly jobTimeoutMs: number;
  private readonly slots: Slot[] = [];
  /** Validated, still encoded, waiting for the decode stage. */
  private readonly waiting: Job[] = [];
  /**
   * Ids of accepted images still being probed, oldest first. Probes finish
   * in any order; an image waits for the probes of the images accepted
   * before it, so images are inferred in the order detect() was called.
   */
  private readonly probing = new Set<number>();
  /** Decoded, waiting for a worker; at most `workers` images with the ones being decoded. */
  private readonly decodedJobs: Job[] = [];
  private decoding = 0;
  /** Jobs between acceptance and settlement (probing, waiting, decoding, inferring). */
  private accepted = 0;
  private nextId = 1;
  private closed = false;
  /** Moving average of inference time, for QUEUE_FULL's retry hint. */
  private avgInferenceMs = 1000;
  private lastStartFailure?: string;
  private readyWaiters: { resolve(): void; reject(e: Error): void }[] = [];
  private restarts = 0;

  constructor(options: EngineOptions = {}) {
    this.workers = positiveInt(options.workers ?? os.availableParallelism(), 'workers');
    this.maxQueue = nonNegativeInt(options.maxQueue ?? 64, 'maxQueue');
    this.limits = {
      maxImageBytes: positiveInt(options.maxImageBytes ?? 5 * MiB, 'maxImageBytes'),
      maxImagePixels: positiveInt(options.maxImagePixels ?? 40_000_000, 'maxImagePixels'),
      maxInferenceSide: positiveInt(options.maxInferenceSide ?? 2048, 'maxInferenceSide'),
      formats: options.formats ?? DECODABLE_FORMATS,
    };
    const minConfidence = options.minConfidence ?? 50;
    if (!(minConfidence >= 0 && minConfidence <= 100)) throw new RangeError('minConfidence must be within 0..100');
    this.init = { minConfidence: minConfidence / 100, maxResults: 100, pipeline: options.pipeline ?? 'face-crops' };
    this.jobTimeoutMs = positiveInt(options.jobTimeoutMs ?? 60_000, 'jobTimeoutMs');
  }

  /** Images accepted and not yet answered: being validated, queued or in inference. */
  get queueDepth(): number {
    return this.accepted;
  }

  /** Whether at least one worker is loaded and serving. */
  get started(): boolean {
    return this.slots.some((s) => s.state === 'idle' || s.state === 'busy');
  }

  /** Worker threads alive, loading or serving (0 until the first valid image). */
  get liveWorkers(): number {
    return this.slots.filter((s) => s.state !== 'dead').length;
  }

  /** Workers inferring an image right now. */
  get busyWorkers(): number {
    return this.slots.filter((s) => s.state === 'busy').length;
  }

  /** Workers replaced after a crash or time-out since construction. */
  get workerRestarts(): number {
    return this.restarts;
  }

  /** Last memory report of each live worker (for metrics and benchmarks). */
  workerStats(): WorkerStats[] {
    return this.slots.flatMap((s) => (s.stats && s.state !== 'dead' ? [s.stats] : []));
  }

  /**
   * Starts the workers now instead of on the first image and resolves when
   * all of them are ready (e.g. from a readiness probe that wants no cold
   * start on the first request). Rejects with UNAVAILABLE if they cannot load.
   */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    this.ensurePool();
    if (this.started && !this.slots.some((s) => s.state === 'starting')) return Promise.resolve();
    const ready = new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    this.updateRefs();
    return ready;
  }

  async detect(image: Uint8Array, options: DetectOptions = {}): Promise<DetectionResult> {
    const { signal } = options;
    signal?.throwIfAborted();
    if (this.closed) throw closedError();
    checkEncoded(image, this.limits);
    if (this.accepted >= this.workers + this.maxQueue) {
      const ahead = this.accepted - this.workers + 1;
      const retryAfterMs = Math.ceil((this.avgInferenceMs * Math.max(1, ahead)) / this.workers);
      throw new EngineError(
        'QUEUE_FULL',
        `face engine busy: expected at most ${this.workers + this.maxQueue} images in flight (${this.workers} in inference + queue of ${this.maxQueue}), got one more; retry in ~${retryAfterMs} ms`,
        retryAfterMs,
      );
    }
    this.accepted++;
    const id = this.nextId++;
    this.probing.add(id);
    try {
      let result: Promise<DetectionResult>;
      let drop: () => void;
      try {
        const info: ImageInfo = await probeImage(image, this.limits);
        if (this.closed) throw closedError();
        signal?.throwIfAborted();
        const attributes = [...(options.attributes ?? [])].filter((a) => ENGINE_ATTRIBUTES.has(a)).sort();
        const job: Job = { id, image, info, attributes, resolve: () => undefined, reject: () => undefined, settled: false };
        result = new Promise<DetectionResult>((resolve, reject) => Object.assign(job, { resolve, reject }));
        // An image not yet sent to a worker is dropped (pump skips settled jobs); one in inference finishes.
        drop = () => job.sent === undefined && settle(job, signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        signal?.addEventListener('abort', drop, { once: true });
        let at = this.waiting.length;
        while (at > 0 && this.waiting[at - 1].id > id) at--;
        this.waiting.splice(at, 0, job);
      } finally {
        // Only once this image is in `waiting` (or refused): until then the images accepted after it wait for it.
        this.probing.delete(id);
        this.pump();
      }
      return await result.finally(() => signal?.removeEventListener('abort', drop));
    } finally {
      this.accepted--;
    }
  }

  /** Rejects everything pending with UNAVAILABLE and terminates the workers. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of [...this.waiting.splice(0), ...this.decodedJobs.splice(0)]) settle(job, closedError());
    for (const w of this.readyWaiters.splice(0)) w.reject(closedError());
    const exits: Promise<number>[] = [];
    for (const slot of this.slots) {
      if (slot.job) settle(slot.job, closedError());
      clearTimeout(slot.timer);
      if (slot.state !== 'dead') exits.push(slot.worker.terminate());
    }
    await Promise.all(exits);
  }

  /** @internal Terminates one busy (else any) worker, as a crash would; for tests. */
  async killWorkerForTest(): Promise<boolean> {
    const slot = this.slots.find((s) => s.state === 'busy') ?? this.slots.find((s) => s.state !== 'dead');
    if (!slot) return false;
    await slot.worker.terminate();
    return true;
  }

  // --- pool ---------------------------------------------------------------

  private ensurePool(): void {
    if (this.closed) return;
    while (this.slots.length < this.workers) this.spawn();
  }

  private spawn(): void {
    const worker = new Worker(WORKER_URL, { workerData: this.init });
    const slot: Slot = { worker, state: 'starting', referenced: true };
    this.slots.push(slot);
    // A worker that neither loads nor fails would leave callers waiting forever.
    slot.timer = setTimeout(() => {
      if (slot.state !== 'starting') return;
      slot.failure = `did not load within ${START_TIMEOUT_MS} ms`;
      void worker.terminate();
    }, START_TIMEOUT_MS);
    slot.timer.unref();
    worker.on('message', (m: WorkerResponse) => this.onMessage(slot, m));
    worker.on('error', (e: Error) => {
      slot.failure ??= e.message;
    });
    worker.on('exit', (code: number) => this.onExit(slot, code));
    this.updateRefs();
  }

  private onMessage(slot: Slot, m: WorkerResponse): void {
    switch (m.type) {
      case 'ready':
        clearTimeout(slot.timer);
        slot.state = 'idle';
        slot.stats = m.stats;
        this.lastStartFailure = undefined;
        this.notifyReady();
        this.pump();
        break;
      case 'init-error':
        slot.failure = m.message;
        break;
      case 'result':
      case 'error': {
        const job = slot.job;
        if (!job || job.id !== m.id) return;
        clearTimeout(slot.timer);
        slot.job = undefined;
        slot.state = 'idle';
        if (m.type === 'result') {
          slot.stats = m.stats;
          this.avgInferenceMs = 0.8 * this.avgInferenceMs + 0.2 * m.ms;
          settle(job, undefined, toResult(job, m.faces));
        } else {
          settle(job, new EngineError('UNAVAILABLE', `face inference failed: ${m.message}`));
        }
        this.pump();
        break;
      }
    }
  }

  private onExit(slot: Slot, code: number): void {
    const wasServing = slot.state === 'idle' || slot.state === 'busy';
    slot.state = 'dead';
    clearTimeout(slot.timer);
    this.slots.splice(this.slots.indexOf(slot), 1);
    if (slot.job) {
      settle(
        slot.job,
        new EngineError(
          'UNAVAILABLE',
          `face inference worker exited (code ${code}${slot.failure ? `: ${slot.failure}` : ''}) while processing this image; it has been replaced, retry`,
        ),
      );
      slot.job = undefined;
    }
    if (this.closed) return;
    if (wasServing) {
      this.restarts++;
      this.ensurePool();
      return;
    }
    // Failed while loading: do not respawn in a loop. Fail whoever waits if no
    // worker is left to serve; the next detect() tries to start again.
    this.lastStartFailure = slot.failure ?? `exit code ${code}`;
    if (!this.slots.some((s) => s.state !== 'dead')) {
      const err = new EngineError('UNAVAILABLE', `face engine failed to start: ${this.lastStartFailure}`);
      for (const job of [...this.waiting.splice(0), ...this.decodedJobs.splice(0)]) settle(job, err);
      for (const w of this.readyWaiters.splice(0)) w.reject(err);
    } else {
      this.notifyReady();
    }
    this.updateRefs();
  }

  /** Resolves start() once no worker is still loading and at least one serves. */
  private notifyReady(): void {
    if (this.started && !this.slots.some((s) => s.state === 'starting')) {
      for (const w of this.readyWaiters.splice(0)) w.resolve();
    }
  }

  private pump(): void {
    // Decode stage: keep up to `workers` images decoded ahead.
    const oldestProbing = this.probing.size > 0 ? (this.probing.values().next().value as number) : Infinity;
    while (this.waiting.length > 0 && this.waiting[0].id < oldestProbing && this.decoding + this.decodedJobs.length < this.workers) {
      const job = this.waiting.shift() as Job;
      if (job.settled) continue;
      this.decoding++;
      decodeImage(job.image, this.limits, job.info).then(
        (decoded) => {
          this.decoding--;
          if (this.closed) settle(job, closedError());
          if (!job.settled) {
            job.decoded = decoded;
            this.decodedJobs.push(job);
            this.ensurePool(); // only a decodable image starts the workers
          }
          this.pump();
        },
        (e: unknown) => {
          this.decoding--;
          settle(job, e instanceof Error ? e : new Error(String(e)));
          this.pump();
        },
      );
    }
    // Dispatch stage.
    while (this.decodedJobs.length > 0) {
      const slot = this.slots.find((s) => s.state === 'idle');
      if (!slot) break;
      const job = this.decodedJobs.shift() as Job;
      const decoded = job.decoded as DecodedImage;
      job.decoded = undefined; // postMessage copies; do not keep a second copy alive
      if (job.settled) continue;
      slot.state = 'busy';
      slot.job = job;
      job.sent = { width: decoded.width, height: decoded.height };
      slot.timer = setTimeout(() => this.onTimeout(slot, job), this.jobTimeoutMs);
      slot.worker.postMessage({
        type: 'detect',
        id: job.id,
        width: decoded.width,
        height: decoded.height,
        data: decoded.data,
        attributes: job.attributes,
      });
    }
    this.updateRefs();
  }

  private onTimeout(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    settle(
      job,
      new EngineError('UNAVAILABLE', `face inference took longer than ${this.jobTimeoutMs} ms; the worker has been replaced, retry`),
    );
    slot.failure = 'timed out';
    void slot.worker.terminate();
  }

  /**
   * Workers keep the process alive only while they have work: an idle pool
   * must not stop a script or test from exiting, a busy one must not let it
   * exit under an awaited detect().
   */
  private updateRefs(): void {
    const wanted = this.waiting.length + this.decoding + this.decodedJobs.length > 0;
    for (const s of this.slots) {
      const ref = s.state === 'busy' || (s.state === 'starting' && (wanted || this.readyWaiters.length > 0));
      if (ref !== s.referenced) {
        if (ref) s.worker.ref();
        else s.worker.unref();
        s.referenced = ref;
      }
    }
  }
}

function toResult(job: Job, raw: RawFace[]): DetectionResult {
  const { width: iw, height: ih } = job.info;
  const sw = job.sent?.width ?? iw;
  const sh = job.sent?.height ?? ih;
  const faces: DetectedFace[] = raw.map((f) => {
    const left = clamp01(f.x / sw);
    const top = clamp01(f.y / sh);
    const right = clamp01((f.x + f.width) / sw);
    const bottom = clamp01((f.y + f.height) / sh);
    const boundingBox: BoundingBox = { left, top, width: right - left, height: bottom - top };
    const face: DetectedFace = {
      boundingBox,
      pixelWidth: Math.round(boundingBox.width * iw),
      pixelHeight: Math.round(boundingBox.height * ih),
      confidence: Math.min(100, Math.max(0, f.score * 100)),
      descriptor: f.descriptor,
      landmarks: f.landmarks.map((p) => ({ x: clamp01(p.x / sw), y: clamp01(p.y / sh) })),
      pose: f.pose,
      quality: f.quality,
    };
    if (f.attributes) face.attributes = f.attributes;
    return face;
  });
  faces.sort((a, b) => b.pixelWidth * b.pixelHeight - a.pixelWidth * a.pixelHeight || b.confidence - a.confidence);
  return { imageWidth: iw, imageHeight: ih, faces };
}

function settle(job: Job, error: Error | undefined, result?: DetectionResult): void {
  if (job.settled) return;
  job.settled = true;
  if (error) job.reject(error);
  else job.resolve(result as DetectionResult);
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : Number.isFinite(v) ? v : 0);
const closedError = (): EngineError => new EngineError('UNAVAILABLE', 'face engine is closed');

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}
function nonNegativeInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  return v;
}
