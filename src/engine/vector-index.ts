/**
 * Exact nearest-neighbour search over 128-d face descriptors.
 *
 * Brute force on purpose: at the scale of one collection (≤ ~10^5–10^6 faces)
 * a linear scan over one contiguous float32 slab takes a few milliseconds, is
 * exact (1:N answers never disagree with 1:1 ones), needs no training or
 * rebuilds, and supports O(1) deletes. An ANN structure only pays off well
 * beyond what one gateway process holds.
 */
import { DESCRIPTOR_LENGTH, distanceToSimilarity, similarityToDistance } from './similarity.js';
import {
  DIM,
  OUT_CAPACITY,
  OUT_OFFSET,
  QUERY_OFFSET,
  SLAB_OFFSET,
  VECTOR_BYTES,
  WASM_PAGE as PAGE,
  createMemory,
  scalarKernel,
  simdAvailable,
  simdKernel,
  type DistanceKernel,
  type WasmMemory,
} from './simd-kernel.js';

/** One search hit. */
export interface VectorMatch {
  id: string;
  /** 0..100, see {@link distanceToSimilarity}; equals `similarity(query, stored)`. */
  similarity: number;
}

/** Options for {@link VectorIndex}. */
export interface VectorIndexOptions {
  /** Descriptors to reserve room for up front. @default 1024 */
  initialCapacity?: number;
  /**
   * Use the WebAssembly SIMD distance kernel. `false` forces the scalar JS
   * kernel (for comparison in benchmarks and tests).
   * @default true where available
   */
  simd?: boolean;
}

/**
 * In-memory index of descriptors keyed by string id.
 *
 * Storage is one WasmMemory: the descriptors are a contiguous
 * float32 slab inside it, which grows by 1.25× (so at most a quarter of it
 * is slack) and grows in place — V8 reserves address space for wasm
 * memories, so growing never holds two copies. Mass deletes shrink it by
 * copying into a smaller memory (wasm memories cannot shrink in place).
 */
export class VectorIndex {
  private memory: WasmMemory;
  private f32: Float32Array;
  private kernel: DistanceKernel;
  private capacity: number;
  private readonly minCapacity: number;
  private readonly useSimd: boolean;
  private readonly ids: string[] = [];
  private readonly slots = new Map<string, number>();
  private idChars = 0;

  constructor(opts: VectorIndexOptions = {}) {
    this.useSimd = (opts.simd ?? true) && simdAvailable();
    const requested = Math.max(1, Math.floor(opts.initialCapacity ?? 1024));
    this.memory = createMemory(pagesFor(requested));
    // Whole pages are allocated anyway; count their room as capacity.
    this.minCapacity = capacityOf(this.memory);
    this.capacity = this.minCapacity;
    this.f32 = new Float32Array(this.memory.buffer);
    this.kernel = this.bindKernel();
  }

  /** Number of descriptors held. */
  get size(): number {
    return this.ids.length;
  }

  /**
   * Estimated bytes held: the wasm memory (slab with spare capacity) plus the
   * ids and the id → slot map at V8's usual 64-bit object sizes (checked
   * against heap deltas in bench/engine.bench.ts).
   */
  get bytes(): number {
    // per id: array slot 8 + string header ~24 + 1 byte a char (ASCII) + Map entry ~40
    return this.memory.buffer.byteLength + this.ids.length * (8 + 24 + 40) + this.idChars;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** A copy of the stored descriptor, or undefined. */
  get(id: string): Float32Array | undefined {
    const slot = this.slots.get(id);
    if (slot === undefined) return undefined;
    const at = (SLAB_OFFSET + slot * VECTOR_BYTES) / 4;
    return this.f32.slice(at, at + DIM);
  }

  /** Ids in slot order (which changes on removes). */
  keys(): IterableIterator<string> {
    return this.ids.values();
  }

  /** Adds a descriptor, replacing the one stored under `id` if any. */
  add(id: string, descriptor: Float32Array): void {
    checkVector(descriptor, 'descriptor');
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      if (slot === this.capacity) this.resize(Math.max(slot + 1, Math.ceil(this.capacity * 1.25)));
      this.ids.push(id);
      this.slots.set(id, slot);
      this.idChars += id.length;
    }
    this.f32.set(descriptor, (SLAB_OFFSET + slot * VECTOR_BYTES) / 4);
  }

  /** Removes `id` in O(1) by moving the last descriptor into its slot. */
  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const last = this.ids.length - 1;
    if (slot !== last) {
      const lastId = this.ids[last];
      const to = (SLAB_OFFSET + slot * VECTOR_BYTES) / 4;
      const from = (SLAB_OFFSET + last * VECTOR_BYTES) / 4;
      this.f32.copyWithin(to, from, from + DIM);
      this.ids[slot] = lastId;
      this.slots.set(lastId, slot);
    }
    this.ids.pop();
    this.slots.delete(id);
    this.idChars -= id.length;
    // Hysteresis (shrink at ¼ full to ½) so add/remove at a boundary does not thrash.
    if (this.capacity > this.minCapacity && this.ids.length < this.capacity / 4) {
      this.resize(Math.max(this.minCapacity, Math.ceil(this.capacity / 2)));
    }
    return true;
  }

  /** Removes everything and returns to the initial capacity. */
  clear(): void {
    this.ids.length = 0;
    this.slots.clear();
    this.idChars = 0;
    this.resize(this.minCapacity);
  }

  /**
   * The `k` most similar descriptors with similarity ≥ `minSimilarity`,
   * highest similarity first. Exact: every stored descriptor is compared.
   */
  search(query: Float32Array, k: number, minSimilarity = 0): VectorMatch[] {
    checkVector(query, 'query');
    const n = this.ids.length;
    k = Math.min(Math.floor(k), n);
    if (!(k > 0)) return [];
    const maxDist = similarityToDistance(minSimilarity);
    // The kernel sums in float32; a little slack keeps borderline hits, which
    // the exact float64 re-check below then decides.
    const threshold = maxDist === Infinity ? Infinity : maxDist * maxDist * (1 + 1e-4) + 1e-6;

    const f32 = this.f32;
    f32.set(query, QUERY_OFFSET / 4);

    // Max-heap of the best k (squared distance, slot).
    const heapD = new Float64Array(k);
    const heapS = new Int32Array(k);
    let heapN = 0;
    let bound = threshold;

    const out = OUT_OFFSET / 4;
    for (let start = 0; start < n; start += OUT_CAPACITY) {
      const count = Math.min(OUT_CAPACITY, n - start);
      this.kernel(SLAB_OFFSET + start * VECTOR_BYTES, count);
      for (let i = 0; i < count; i++) {
        const s = f32[out + i];
        if (s > bound) continue;
        const slot = start + i;
        if (heapN < k) {
          let c = heapN++;
          while (c > 0) {
            const p = (c - 1) >> 1;
            if (heapD[p] >= s) break;
            heapD[c] = heapD[p];
            heapS[c] = heapS[p];
            c = p;
          }
          heapD[c] = s;
          heapS[c] = slot;
          if (heapN === k && heapD[0] < bound) bound = heapD[0];
        } else {
          let c = 0;
          for (;;) {
            const l = 2 * c + 1;
            if (l >= k) break;
            const r = l + 1;
            const m = r < k && heapD[r] > heapD[l] ? r : l;
            if (heapD[m] <= s) break;
            heapD[c] = heapD[m];
            heapS[c] = heapS[m];
            c = m;
          }
          heapD[c] = s;
          heapS[c] = slot;
          bound = heapD[0];
        }
      }
    }

    // Re-score the few hits in float64 so results equal similarity(query, stored).
    const hits: { id: string; similarity: number; d: number }[] = [];
    for (let i = 0; i < heapN; i++) {
      const d = this.exactDistance(query, heapS[i]);
      const sim = distanceToSimilarity(d);
      if (sim >= minSimilarity) hits.push({ id: this.ids[heapS[i]], similarity: sim, d });
    }
    hits.sort((a, b) => a.d - b.d);
    return hits.map(({ id, similarity }) => ({ id, similarity }));
  }

  private exactDistance(query: Float32Array, slot: number): number {
    const f32 = this.f32;
    const base = (SLAB_OFFSET + slot * VECTOR_BYTES) / 4;
    let sum = 0;
    for (let j = 0; j < DIM; j++) {
      const d = f32[base + j] - query[j];
      sum += d * d;
    }
    return Math.sqrt(sum);
  }

  private bindKernel(): DistanceKernel {
    return this.useSimd ? simdKernel(this.memory) : scalarKernel(this.memory);
  }

  private resize(capacity: number): void {
    const pages = pagesFor(capacity);
    const current = this.memory.buffer.byteLength / PAGE;
    if (pages === current) return;
    if (pages > current) {
      this.memory.grow(pages - current);
    } else if (pages < current) {
      const next = createMemory(pages);
      const used = SLAB_OFFSET / 4 + this.ids.length * DIM;
      new Float32Array(next.buffer).set(this.f32.subarray(0, used));
      this.memory = next;
      this.kernel = this.bindKernel();
    }
    this.f32 = new Float32Array(this.memory.buffer);
    this.capacity = capacityOf(this.memory);
  }
}

function capacityOf(memory: WasmMemory): number {
  return Math.floor((memory.buffer.byteLength - SLAB_OFFSET) / VECTOR_BYTES);
}

function pagesFor(capacity: number): number {
  return Math.ceil((SLAB_OFFSET + capacity * VECTOR_BYTES) / PAGE);
}

function checkVector(v: Float32Array, name: string): void {
  if (v.length !== DESCRIPTOR_LENGTH) {
    throw new RangeError(`${name} must have ${DESCRIPTOR_LENGTH} values, got ${v.length}`);
  }
  for (let i = 0; i < DESCRIPTOR_LENGTH; i++) {
    if (!Number.isFinite(v[i])) throw new RangeError(`${name}[${i}] is not a finite number`);
  }
}
