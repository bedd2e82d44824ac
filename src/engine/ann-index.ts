/**
 * Approximate nearest-neighbour search over 128-d face descriptors: an HNSW
 * graph (usearch, pinned at 2.25.3, the last release whose engines accept
 * Node 20) over quantized vectors, for collections too large for
 * {@link VectorIndex}'s linear scan.
 *
 * Why quantized: a million float32 descriptors are 512 MB before any graph;
 * f16 halves that with a distance error of ~1e-4 (descriptor components are
 * within ±0.5, f16 keeps 11 bits), far below the gaps that decide a match,
 * and i8 quarters it. The index returns candidates with their approximate
 * similarity; callers that report similarities rerank them exactly against
 * the stored float32 descriptors (user-face-index.ts does, from the store).
 *
 * Ids are strings, as in {@link VectorIndex}; usearch wants integer keys,
 * so each id gets a key (a slot number, reused after a remove).
 *
 * Persistence: {@link save} writes the graph and the id table as two files
 * under a generation token, the table last by rename (atomic), so a reader
 * either sees the previous complete pair or the new one, never a mix.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { Index as UsearchIndex, MetricKind, ScalarKind } from 'usearch';
import { DESCRIPTOR_LENGTH, distanceToSimilarity, similarityToDistance } from './similarity.js';
import type { VectorMatch } from './vector-index.js';

/** How stored vectors are quantized: bytes a descriptor 256 (f16) or 128 (i8). */
export type AnnQuantization = 'f16' | 'i8';

/** Options for {@link AnnIndex}. */
export interface AnnIndexOptions {
  /** @default 'f16' (recall ≥ 0.99 at the default expansion, see BENCHMARKS.md) */
  quantization?: AnnQuantization;
  /** HNSW links a node keeps per layer (M). @default 16 */
  connectivity?: number;
  /** Candidates kept while inserting (efConstruction). @default 128 */
  expansionAdd?: number;
  /**
   * Candidates kept while searching (ef); a search of k > ef uses k.
   * Higher: better recall, slower search. @default 256
   */
  expansionSearch?: number;
}

/** One search hit of {@link AnnIndex}: a {@link VectorMatch} with the label stored with the id. */
export interface AnnMatch extends VectorMatch {
  /** What the caller stored with the id (user-face-index.ts: the face's user), or null. */
  label: string | null;
}

/** What a saved index records beside its vectors: the caller's mark of the store state it reflects. */
export interface AnnSnapshotMeta {
  /** Opaque to the index (user-face-index.ts: the collection's change number). */
  mark: number;
}

/** The id table written next to the graph. */
interface IdTable extends AnnSnapshotMeta {
  format: typeof FORMAT;
  quantization: AnnQuantization;
  connectivity: number;
  /** Generation of the graph file this table goes with. */
  generation: string;
  /** Id by key; null for a free key. */
  ids: (string | null)[];
  /** Label by key; null for none. */
  labels: (string | null)[];
}

const FORMAT = 'facegate-ann-1';
/** usearch's i8 quantization maps [-1, 1] to [-127, 127]: its squared distances are 127² times the float ones. */
const I8_SCALE = 127 * 127;

/** The defaults of {@link AnnIndexOptions}. */
export const ANN_DEFAULTS = { quantization: 'f16', connectivity: 16, expansionAdd: 128, expansionSearch: 256 } as const;
const defaults = ANN_DEFAULTS;

/** An HNSW index of descriptors keyed by string id. */
export class AnnIndex {
  private readonly index: UsearchIndex;
  private readonly quantization: AnnQuantization;
  private readonly connectivity: number;
  private readonly keyOf = new Map<string, number>();
  private readonly idOf: (string | null)[] = [];
  private readonly labelOf: (string | null)[] = [];
  private readonly freeKeys: number[] = [];

  constructor(opts: AnnIndexOptions = {}) {
    this.quantization = opts.quantization ?? defaults.quantization;
    this.connectivity = opts.connectivity ?? defaults.connectivity;
    this.index = new UsearchIndex({
      dimensions: DESCRIPTOR_LENGTH,
      metric: MetricKind.L2sq,
      quantization: this.quantization === 'i8' ? ScalarKind.I8 : ScalarKind.F16,
      connectivity: this.connectivity,
      expansion_add: opts.expansionAdd ?? defaults.expansionAdd,
      expansion_search: opts.expansionSearch ?? defaults.expansionSearch,
      multi: false,
    });
  }

  /** Number of descriptors held. */
  get size(): number {
    return this.keyOf.size;
  }

  /**
   * Estimated bytes held: per vector its quantized copy, its base-layer
   * links (2M × 4 B) and usearch's node header, plus the id table at V8's
   * usual sizes (bench/search.bench.ts reports the measured RSS beside it).
   */
  get bytes(): number {
    const vector = this.quantization === 'i8' ? DESCRIPTOR_LENGTH : DESCRIPTOR_LENGTH * 2;
    const links = 2 * this.connectivity * 4 + 16;
    // per id: string ~24 + 36 chars (a UUID) + Map entry ~40 + two array slots 16
    return this.idOf.length * (vector + links + 16) + this.keyOf.size * (24 + 36 + 40);
  }

  has(id: string): boolean {
    return this.keyOf.has(id);
  }

  /** Ids held, in key order. */
  keys(): IterableIterator<string> {
    return this.keyOf.keys();
  }

  /** The label stored with `id`, or null (none, or no such id). */
  label(id: string): string | null {
    const key = this.keyOf.get(id);
    return key === undefined ? null : this.labelOf[key];
  }

  /** Adds a descriptor with an optional label, replacing what is stored under `id` if any. */
  add(id: string, descriptor: Float32Array, label: string | null = null): void {
    checkVector(descriptor, 'descriptor');
    this.remove(id);
    const key = this.freeKeys.pop() ?? this.idOf.length;
    this.index.add(BigInt(key), descriptor);
    this.idOf[key] = id;
    this.labelOf[key] = label;
    this.keyOf.set(id, key);
  }

  /**
   * Adds many descriptors at once (`matrix`: ids.length × 128, row-major),
   * inserting on `threads` threads (0: usearch's choice). Ids must not be held yet.
   */
  addMany(ids: readonly string[], matrix: Float32Array, threads = 0, labels?: readonly (string | null)[]): void {
    if (matrix.length !== ids.length * DESCRIPTOR_LENGTH) {
      throw new RangeError(`matrix must have ${ids.length} × ${DESCRIPTOR_LENGTH} values, got ${matrix.length}`);
    }
    if (ids.length === 0) return;
    const keys = new BigUint64Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      if (this.keyOf.has(ids[i])) throw new RangeError(`id ${JSON.stringify(ids[i])} is already held`);
      const key = this.freeKeys.pop() ?? this.idOf.length;
      keys[i] = BigInt(key);
      this.idOf[key] = ids[i];
      this.labelOf[key] = labels?.[i] ?? null;
      this.keyOf.set(ids[i], key);
    }
    this.index.add(keys, matrix, threads);
  }

  /** Removes `id`; usearch marks its node deleted and reuses it on a later add. */
  remove(id: string): boolean {
    const key = this.keyOf.get(id);
    if (key === undefined) return false;
    this.index.remove(BigInt(key));
    this.keyOf.delete(id);
    this.idOf[key] = null;
    this.labelOf[key] = null;
    this.freeKeys.push(key);
    return true;
  }

  /**
   * About the `k` most similar descriptors with similarity ≥ `minSimilarity`,
   * highest first. Similarities are from the quantized vectors (within ~0.1
   * of the exact ones near the match threshold for f16); rerank for exact ones.
   */
  search(query: Float32Array, k: number, minSimilarity = 0): AnnMatch[] {
    checkVector(query, 'query');
    k = Math.min(Math.floor(k), this.keyOf.size);
    if (!(k > 0)) return [];
    const found = this.index.search(query, k, 1);
    const maxDist = similarityToDistance(minSimilarity);
    const scale = this.quantization === 'i8' ? I8_SCALE : 1;
    const out: AnnMatch[] = [];
    for (let i = 0; i < found.keys.length; i++) {
      const key = Number(found.keys[i]);
      const id = this.idOf[key];
      if (id === null || id === undefined) continue;
      const d = Math.sqrt(Math.max(0, found.distances[i]) / scale);
      if (d > maxDist) break;
      out.push({ id, similarity: distanceToSimilarity(d), label: this.labelOf[key] ?? null });
    }
    return out;
  }

  /**
   * Writes the index to `<base>.json` (the id table and `meta`) and
   * `<base>.<generation>.usearch` (the graph), the table last and by rename.
   * Returns the files written.
   */
  save(base: string, meta: AnnSnapshotMeta): string[] {
    const generation = randomUUID();
    const graph = `${base}.${generation}.usearch`;
    this.index.save(`${graph}.tmp`);
    renameSync(`${graph}.tmp`, graph);
    let previous: string | undefined;
    try {
      previous = (JSON.parse(readFileSync(`${base}.json`, 'utf8')) as IdTable).generation;
    } catch {
      previous = undefined;
    }
    const table: IdTable = {
      format: FORMAT,
      quantization: this.quantization,
      connectivity: this.connectivity,
      generation,
      mark: meta.mark,
      ids: this.idOf.map((id) => id ?? null),
      labels: this.idOf.map((_, key) => this.labelOf[key] ?? null),
    };
    writeFileSync(`${base}.json.tmp`, JSON.stringify(table), { mode: 0o600 });
    renameSync(`${base}.json.tmp`, `${base}.json`);
    if (previous && previous !== generation) {
      try {
        unlinkSync(`${base}.${previous}.usearch`);
      } catch {
        // already gone: nothing to clean
      }
    }
    return [`${base}.json`, graph];
  }

  /**
   * Reads an index {@link save}d at `base`, with the options it is to be
   * searched with. Throws when the files are missing, of another format, or
   * saved with another quantization or connectivity.
   */
  static load(base: string, opts: AnnIndexOptions = {}): { index: AnnIndex; meta: AnnSnapshotMeta } {
    const table = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Partial<IdTable>;
    const index = new AnnIndex(opts);
    if (table.format !== FORMAT || table.quantization !== index.quantization || table.connectivity !== index.connectivity) {
      throw new Error(
        `${base}.json: expected a ${FORMAT} index of ${index.quantization}, M=${index.connectivity}, ` +
          `got ${String(table.format)} of ${String(table.quantization)}, M=${String(table.connectivity)}`,
      );
    }
    const { ids, labels } = table;
    if (typeof table.mark !== 'number' || !Array.isArray(ids) || !Array.isArray(labels) || typeof table.generation !== 'string') {
      throw new Error(`${base}.json: expected mark, generation, ids and labels, got ${Object.keys(table).join(', ')}`);
    }
    index.index.load(`${base}.${table.generation}.usearch`);
    // One string per distinct label (a user's faces share it), not one per face.
    const interned = new Map<string, string>();
    for (let key = 0; key < ids.length; key++) {
      const id = ids[key];
      const label = labels[key] ?? null;
      let shared = label === null ? null : interned.get(label);
      if (label !== null && shared === undefined) interned.set(label, (shared = label));
      index.idOf.push(id);
      index.labelOf.push(shared ?? null);
      if (id === null) index.freeKeys.push(key);
      else index.keyOf.set(id, key);
    }
    if (index.index.size() !== index.keyOf.size) {
      throw new Error(`${base}: expected ${index.keyOf.size} vectors as its id table lists, got ${index.index.size()}`);
    }
    return { index, meta: { mark: table.mark } };
  }
}

function checkVector(v: Float32Array, name: string): void {
  if (v.length !== DESCRIPTOR_LENGTH) {
    throw new RangeError(`${name} must have ${DESCRIPTOR_LENGTH} values, got ${v.length}`);
  }
  for (let i = 0; i < DESCRIPTOR_LENGTH; i++) {
    if (!Number.isFinite(v[i])) throw new RangeError(`${name}[${i}] is not a finite number`);
  }
}
