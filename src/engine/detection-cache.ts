/**
 * Remembers the detections of recently seen images by content hash. The
 * engine is deterministic, so the same bytes give the same faces: a client
 * retrying, re-indexing one photo under several externalImageIds, or
 * searching with the photo it just indexed pays ~0.6 s of inference once.
 * Concurrent requests for the same bytes share one inference.
 */
import { createHash } from 'node:crypto';
import type { DetectionResult, FaceEngineApi } from './types.js';

export class CachedEngine implements FaceEngineApi {
  private readonly entries = new Map<string, Promise<DetectionResult>>();

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

  detect(image: Uint8Array): Promise<DetectionResult> {
    const key = createHash('sha256').update(image).digest('hex');
    const hit = this.entries.get(key);
    if (hit) {
      // Re-insert: Map order is the LRU order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const pending = this.inner.detect(image);
    this.entries.set(key, pending);
    // Failures are not remembered (a full queue now may have room later).
    pending.catch(() => this.entries.delete(key));
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return pending;
  }

  close(): Promise<void> {
    this.entries.clear();
    return this.inner.close();
  }
}
