/**
 * Remembers the detections of recently seen images by content hash. The
 * engine is deterministic, so the same bytes give the same faces: a client
 * retrying, re-indexing one photo under several externalImageIds, or
 * searching with the photo it just indexed pays ~0.6 s of inference once.
 * Concurrent requests for the same bytes share one inference.
 */
import { createHash } from 'node:crypto';
import type { DetectionResult, DetectOptions, FaceEngineApi } from './types.js';

/** One detection, shared by every caller of the same bytes; aborted only when all of them have gone. */
interface Entry {
  result: Promise<DetectionResult>;
  controller: AbortController;
  /** Callers still waiting without an abortable signal count as Infinity. */
  waiting: number;
}

export class CachedEngine implements FaceEngineApi {
  private readonly entries = new Map<string, Entry>();

  /** @param maxEntries images remembered, least recently used dropped first. @default 256 */
  constructor(
    private readonly inner: FaceEngineApi,
    private readonly maxEntries = 256,
  ) {}

  get modelVersion(): string {
    return this.inner.modelVersion;
  }

  get queueDepth(): number {
    return this.inner.queueDepth;
  }

  detect(image: Uint8Array, options: DetectOptions = {}): Promise<DetectionResult> {
    const key = createHash('sha256').update(image).digest('hex');
    let entry = this.entries.get(key);
    if (entry) {
      // Re-insert: Map order is the LRU order.
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      const controller = new AbortController();
      const result = this.inner.detect(image, { signal: controller.signal });
      entry = { result, controller, waiting: 0 };
      this.entries.set(key, entry);
      // Failures (an abort included) are not remembered: a full queue now may have room later.
      result.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
      while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    }
    return this.follow(entry, options.signal);
  }

  /** The entry's result for one caller; the shared detection is aborted when its last waiting caller aborts. */
  private follow(entry: Entry, signal: AbortSignal | undefined): Promise<DetectionResult> {
    if (!signal) {
      entry.waiting = Infinity;
      return entry.result;
    }
    signal.throwIfAborted();
    entry.waiting++;
    return new Promise<DetectionResult>((resolve, reject) => {
      const onAbort = () => {
        if (--entry.waiting === 0) entry.controller.abort(signal.reason);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.result.then(resolve, reject).finally(() => {
        signal.removeEventListener('abort', onAbort);
      });
    });
  }

  close(): Promise<void> {
    this.entries.clear();
    return this.inner.close();
  }
}
