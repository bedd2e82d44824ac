/**
 * Remembers the detections of recently seen images by content hash. The
 * engine is deterministic, so the same bytes give the same faces: a client
 * retrying, re-indexing one photo under several externalImageIds, or
 * searching with the photo it just indexed pays ~0.6 s of inference once.
 * Concurrent requests for the same bytes share one inference.
 *
 * An entry holds face descriptors, and whether a detection is answered at
 * once tells its caller that the same bytes were processed recently. So
 * entries are kept apart by {@link DetectionScope}: the key is the scope's
 * group and caller (the local provider: its instance and collection, and
 * the tenant) with the hash, so one tenant's timing says nothing of another
 * tenant's photos; and {@link CachedEngine.forget} drops a group's entries
 * when the faces that used them are deleted. A detection without a scope
 * (background work) is neither answered from nor kept in the cache.
 *
 * A detection made with optional networks ({@link DetectOptions.attributes})
 * answers a later call asking for the same ones or fewer (the extra
 * attributes removed); a call asking for more runs a new detection with both
 * sets, which replaces the entry.
 */
import { createHash } from 'node:crypto';
import type { DetectionResult, DetectionScope, DetectOptions, EngineAttribute, FaceEngineApi } from './types.js';

/** One detection, shared by every caller of the same bytes in one scope; aborted only when all of them have gone. */
interface Entry {
  result: Promise<DetectionResult>;
  controller: AbortController;
  /** Callers still waiting without an abortable signal count as Infinity. */
  waiting: number;
  /** For {@link CachedEngine.forget}. */
  group: string;
  sha256: string;
  /** The optional networks this detection ran. */
  attributes: ReadonlySet<EngineAttribute>;
}

const NONE: ReadonlySet<EngineAttribute> = new Set();

/** `result` with only the attributes `asked` for (a copy; the cached result is shared). */
function only(result: DetectionResult, asked: ReadonlySet<EngineAttribute>): DetectionResult {
  const faces = result.faces.map((face) => {
    const { attributes, ...rest } = face;
    if (!attributes || asked.size === 0) return rest;
    const kept = Object.fromEntries(Object.entries(attributes).filter(([k]) => asked.has(k as EngineAttribute)));
    return { ...rest, attributes: kept };
  });
  return { ...result, faces };
}

/** The cache key: NUL cannot occur in a provider name, a collection id or a tenant, so no two scopes collide. */
const keyOf = (scope: DetectionScope, sha256: string): string => `${scope.group}\0${scope.caller}\0${sha256}`;

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

  get attributes(): ReadonlySet<EngineAttribute> | undefined {
    return this.inner.attributes;
  }

  detect(image: Uint8Array, options: DetectOptions = {}): Promise<DetectionResult> {
    const { scope } = options;
    const asked = options.attributes ?? NONE;
    if (!scope) return this.inner.detect(image, { signal: options.signal, attributes: asked });
    const sha256 = createHash('sha256').update(image).digest('hex');
    const key = keyOf(scope, sha256);
    let entry = this.entries.get(key);
    if (entry && [...asked].every((a) => entry?.attributes.has(a))) {
      // Re-insert: Map order is the LRU order.
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      const attributes = new Set([...asked, ...(entry?.attributes ?? NONE)]);
      const controller = new AbortController();
      const result = this.inner.detect(image, { signal: controller.signal, attributes });
      this.entries.delete(key);
      entry = { result, controller, waiting: 0, group: scope.group, sha256, attributes };
      this.entries.set(key, entry);
      // Failures (an abort included) are not remembered: a full queue now may have room later.
      result.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
      while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    }
    const answer = this.follow(entry, options.signal);
    return entry.attributes.size === asked.size ? answer : answer.then((r) => only(r, asked));
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

  /**
   * Drops `group`'s entries (of the images with these hashes, or all): the
   * local provider calls it when faces or a collection are deleted. A scan
   * of at most `maxEntries`, on deletes only. A detection still running is
   * dropped too: its callers get their answer, later ones infer again.
   */
  forget(group: string, imageSha256s?: readonly string[]): void {
    const only = imageSha256s ? new Set(imageSha256s) : undefined;
    for (const [key, entry] of this.entries) {
      if (entry.group === group && (!only || only.has(entry.sha256))) this.entries.delete(key);
    }
  }

  close(): Promise<void> {
    this.entries.clear();
    return this.inner.close();
  }
}
