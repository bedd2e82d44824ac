/**
 * In-memory vector indexes for SearchUsers(ByImage): per collection, the
 * descriptors of faces that belong to a user, with each face's owner.
 *
 * Only associated faces are held: unassociated faces can never match a user,
 * and leaving them out keeps memory bounded by users × 100 rather than by
 * everything ever indexed. An index is loaded lazily on a collection's first
 * search, then kept current by the writes of this process (applied in commit
 * order from the store's afterCommit hook). Writes that commit while a load
 * or catch-up is running are queued and replayed after it; every change is a
 * "set the state of face X" so the replay converges on the committed state
 * whichever rows the read saw.
 *
 * Exact below {@link ANN_MIN_FACES} associated faces (VectorIndex, the wasm
 * scan: exact and as fast there), approximate from it (AnnIndex, HNSW over
 * f16). An approximate search reranks its candidates exactly against the
 * float32 descriptors read from the store (a hundred rows or so), so the
 * similarities it answers equal compareFaces' for the same pair; only which
 * faces are candidates is approximate.
 *
 * Catching up: the store numbers each collection's association changes and
 * logs which faces changed (store.ts `listAssociationChanges`). An index
 * knows the change it reflects (`mark`); when another replica announces a
 * change (index-sync.ts), the index is marked behind and the next search
 * first re-reads the faces changed since its mark. With a directory, an
 * approximate index is saved there (after it is built and when the provider
 * closes) with its mark, so a restart or a new replica loads the file and
 * catches up instead of rebuilding; a file the log cannot bridge (pruned)
 * is rebuilt from the store.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AnnIndex } from '../../engine/ann-index.js';
import { similarity } from '../../engine/similarity.js';
import { VectorIndex } from '../../engine/vector-index.js';
import type { StoreReader } from '../../store/store.js';
import { MAX_FACES_PER_USER } from './limits.js';

/** A committed change to the associated faces of a collection. */
export type UserFaceChange =
  { kind: 'associate'; faceId: string; userId: string; descriptor: Float32Array } | { kind: 'disassociate'; faceId: string };

/** A user's best match. */
export interface UserSimilarity {
  userId: string;
  /** 0..100: the similarity of the user's most similar face. */
  similarity: number;
}

/**
 * Associated faces from which a collection is searched approximately.
 * Measured by `npm run bench:search` (BENCHMARKS.md; 2 shared cores, f16,
 * M 16, ef 256, synthetic draw): on a quiet machine the exact scan takes
 * 1.8 ms p50 at 100k faces against 0.8 ms for HNSW (latency crossover
 * near 40k: exact 0.35 ms at 20k against 0.6 ms), but HNSW's recall@10 there
 * is 0.94 (0.98 at ef 512). Exact search holds until 100k, where the scan
 * is still well inside the budget and answers exactly; above it the scan
 * grows linearly (~18 ms at 1M) and the graph with log n.
 */
export const ANN_MIN_FACES = 100_000;

/** Faces searched approximately per user asked (a user has ~5 faces), and at least this many. */
const ANN_CANDIDATES_PER_USER = 10;
const ANN_MIN_CANDIDATES = 100;
/** Similarity below the threshold still taken as a candidate: the f16 error is far smaller (≤ 0.2). */
const RERANK_SLACK = 1;

/** Rows read per page while loading an index or catching it up. */
const LOAD_PAGE = 1000;

/** How an index came to be, for the log line of {@link UserFaceIndexOptions.onReady}. */
export type IndexSource = 'store' | 'file';

/** Options for {@link UserFaceIndexes}. */
export interface UserFaceIndexOptions {
  /** Associated faces from which a collection is searched approximately. @default ANN_MIN_FACES */
  annMinFaces?: number;
  /** Where approximate indexes are saved (one pair of files a collection). @default none: not saved */
  dir?: string;
  /** Told when a collection's index is ready: read whole from the store, or loaded from its file and caught up. */
  onReady?: (event: {
    collectionKey: number;
    source: IndexSource;
    faces: number;
    approximate: boolean;
    ms: number;
    caughtUp: number;
  }) => void;
}

/** A collection's search index: exact or approximate. */
class CollectionIndex {
  /** Exact: the vectors, with owners in {@link owners}. */
  exact: VectorIndex | null = new VectorIndex({ initialCapacity: 128 });
  readonly owners = new Map<string, string>();
  /** Approximate: the vectors with their owners as labels. */
  ann: AnnIndex | null = null;
  /** Changes committed during a read, replayed after it; null while none runs. */
  pending: UserFaceChange[] | null = [];
  /** Every association change up to this number is reflected. */
  mark = 0;
  /** Another replica changed the collection after `mark`. */
  behind = false;
  /** Changed since it was last saved. */
  dirty = true;
  ready!: Promise<void>;

  constructor(readonly key: number) {}

  get size(): number {
    return this.ann ? this.ann.size : (this.exact?.size ?? 0);
  }

  apply(change: UserFaceChange): void {
    this.dirty = true;
    if (this.ann) {
      if (change.kind === 'associate') this.ann.add(change.faceId, change.descriptor, change.userId);
      else this.ann.remove(change.faceId);
    } else if (this.exact) {
      if (change.kind === 'associate') {
        this.exact.add(change.faceId, change.descriptor);
        this.owners.set(change.faceId, change.userId);
      } else {
        this.exact.remove(change.faceId);
        this.owners.delete(change.faceId);
      }
    }
  }

  /** Moves an exact index past `minFaces` to an approximate one. Never back: a shrinking collection keeps its graph. */
  promote(minFaces: number): void {
    const exact = this.exact;
    if (!exact || exact.size < minFaces) return;
    const ids = [...exact.keys()];
    const matrix = new Float32Array(ids.length * 128);
    ids.forEach((id, i) => matrix.set(exact.get(id) as Float32Array, i * 128));
    const ann = new AnnIndex();
    ann.addMany(
      ids,
      matrix,
      0,
      ids.map((id) => this.owners.get(id) ?? null),
    );
    this.ann = ann;
    this.exact = null;
    this.owners.clear();
    this.dirty = true;
  }
}

/** Searchable view of one collection's index. */
export interface UserFaceIndex {
  /** Associated faces held. */
  readonly size: number;
  /** Whether candidates come from the approximate index. */
  readonly approximate: boolean;
  searchUsers(query: Float32Array, maxUsers: number, minSimilarity: number): Promise<UserSimilarity[]>;
}

/** The indexes of one provider instance, keyed by the store's collection key (never reused). */
export class UserFaceIndexes {
  private readonly indexes = new Map<number, CollectionIndex>();
  private readonly annMinFaces: number;

  constructor(
    private readonly store: StoreReader,
    private readonly options: UserFaceIndexOptions = {},
  ) {
    this.annMinFaces = options.annMinFaces ?? ANN_MIN_FACES;
  }

  /** The collection's index, loading it on first use and catching it up when another replica changed it. */
  async get(collectionKey: number): Promise<UserFaceIndex> {
    let index = this.indexes.get(collectionKey);
    if (!index) {
      // Registered before the first read, so every commit from here on is
      // either seen by the read or queued in `pending`.
      const created = new CollectionIndex(collectionKey);
      this.indexes.set(collectionKey, created);
      created.ready = this.guard(created, this.open(created));
      index = created;
    } else if (index.behind) {
      const behind = index;
      behind.behind = false;
      behind.ready = behind.ready.then(() =>
        this.guard(
          behind,
          this.catchUp(behind).then((bridged) => (bridged === null ? this.readWhole(behind) : undefined)),
        ),
      );
    }
    await index.ready;
    const held = index;
    return {
      get size() {
        return held.size;
      },
      get approximate() {
        return held.ann !== null;
      },
      searchUsers: (query, maxUsers, minSimilarity) => this.searchUsers(held, query, maxUsers, minSimilarity),
    };
  }

  /** Applies committed changes; a collection not loaded yet will read them from the store. */
  apply(collectionKey: number, changes: readonly UserFaceChange[]): void {
    const index = this.indexes.get(collectionKey);
    if (!index) return;
    if (index.pending) index.pending.push(...changes);
    else {
      for (const change of changes) index.apply(change);
      index.promote(this.annMinFaces);
    }
  }

  /** Another replica changed the collection: the next search catches up first. */
  behind(collectionKey: number): void {
    const index = this.indexes.get(collectionKey);
    if (index) index.behind = true;
  }

  /** Every collection may have missed changes (the change feed reconnected). */
  allBehind(): void {
    for (const index of this.indexes.values()) index.behind = true;
  }

  /** Forgets a collection's index and its file (deleted collection). */
  drop(collectionKey: number): void {
    this.indexes.delete(collectionKey);
    this.removeFiles(collectionKey);
  }

  /** Saves the approximate indexes changed since their last save, then forgets every index. */
  async close(): Promise<void> {
    for (const index of this.indexes.values()) {
      if (index.pending === null) this.save(index);
    }
    this.indexes.clear();
  }

  /** Forgets every index. */
  clear(): void {
    this.indexes.clear();
  }

  private guard(index: CollectionIndex, work: Promise<void>): Promise<void> {
    return work.catch((e: unknown) => {
      if (this.indexes.get(index.key) === index) this.indexes.delete(index.key);
      throw e;
    });
  }

  private async open(index: CollectionIndex): Promise<void> {
    const started = performance.now();
    const loaded = this.loadFile(index);
    let source: IndexSource = 'store';
    let caughtUp = 0;
    // A file smaller than the threshold (raised since it was saved) is left for an exact read.
    if (loaded && loaded.index.size >= this.annMinFaces) {
      index.ann = loaded.index;
      index.exact = null;
      index.mark = loaded.mark;
      const bridged = await this.catchUp(index);
      if (bridged !== null) {
        source = 'file';
        caughtUp = bridged;
      }
    }
    if (source === 'store') await this.readWhole(index);
    this.options.onReady?.({
      collectionKey: index.key,
      source,
      faces: index.size,
      approximate: index.ann !== null,
      ms: performance.now() - started,
      caughtUp,
    });
  }

  /** Reads the collection's associated faces whole, into a fresh index; saves it when approximate. */
  private async readWhole(index: CollectionIndex): Promise<void> {
    index.pending ??= [];
    index.ann = null;
    index.exact = new VectorIndex({ initialCapacity: 128 });
    index.owners.clear();
    // The mark first: changes committed during the read are re-read by the next catch-up.
    index.mark = (await this.store.associationMark(index.key)) ?? 0;
    let after: number | null = null;
    for (;;) {
      const faces = await this.store.listFacesWithDescriptors(index.key, { associated: true }, { after, limit: LOAD_PAGE });
      const associated = faces.filter((f) => f.userId !== null);
      // Promoted by an earlier page (TypeScript narrowed it to null above).
      const ann = index.ann as AnnIndex | null;
      if (ann) {
        // A page at once, inserted on usearch's threads.
        const matrix = new Float32Array(associated.length * 128);
        associated.forEach((f, i) => matrix.set(f.descriptor, i * 128));
        ann.addMany(
          associated.map((f) => f.faceId),
          matrix,
          0,
          associated.map((f) => f.userId),
        );
      } else {
        for (const face of associated) {
          index.apply({ kind: 'associate', faceId: face.faceId, userId: face.userId as string, descriptor: face.descriptor });
        }
        index.promote(this.annMinFaces);
      }
      if (faces.length < LOAD_PAGE) break;
      after = faces[faces.length - 1].seq;
    }
    this.replay(index);
    this.save(index);
  }

  /**
   * Re-reads the faces whose association changed after the index's mark and
   * sets their state. Returns how many changes it read, or null when the log
   * no longer reaches back to the mark (the caller reads the collection whole).
   */
  private async catchUp(index: CollectionIndex): Promise<number | null> {
    index.pending ??= [];
    let after = index.mark;
    let read = 0;
    const latest = await this.store.associationMark(index.key);
    for (;;) {
      const rows = await this.store.listAssociationChanges(index.key, after, LOAD_PAGE);
      if (rows.length > 0 && rows[0].change > after + 1) return this.cannotBridge(index);
      // A full page may end inside a change: leave that change to the next
      // page (a change touches at most 100 faces, a page holds 1,000 rows).
      const last = rows.length === LOAD_PAGE ? rows[rows.length - 1].change - 1 : (rows[rows.length - 1]?.change ?? after);
      const faceIds = [...new Set(rows.filter((r) => r.change <= last).map((r) => r.faceId))];
      if (faceIds.length > 0) {
        const faces = new Map((await this.store.getFacesWithDescriptors(index.key, faceIds)).map((f) => [f.faceId, f]));
        for (const faceId of faceIds) {
          const face = faces.get(faceId);
          if (face?.userId) index.apply({ kind: 'associate', faceId, userId: face.userId, descriptor: face.descriptor });
          else index.apply({ kind: 'disassociate', faceId });
        }
      }
      read += last - after;
      after = last;
      if (rows.length < LOAD_PAGE) break;
    }
    if (latest !== null && latest > after) return this.cannotBridge(index);
    index.mark = after;
    this.replay(index);
    index.promote(this.annMinFaces);
    return read;
  }

  /** Pending changes stay queued: the whole read that follows replays them. */
  private cannotBridge(_index: CollectionIndex): null {
    return null;
  }

  private replay(index: CollectionIndex): void {
    const pending = index.pending ?? [];
    index.pending = null;
    for (const change of pending) index.apply(change);
  }

  private async searchUsers(
    index: CollectionIndex,
    query: Float32Array,
    maxUsers: number,
    minSimilarity: number,
  ): Promise<UserSimilarity[]> {
    const best = new Map<string, number>();
    if (index.ann) {
      const k = Math.min(index.ann.size, Math.max(ANN_MIN_CANDIDATES, maxUsers * ANN_CANDIDATES_PER_USER));
      const candidates = index.ann.search(query, k, Math.max(0, minSimilarity - RERANK_SLACK));
      // Exact rerank against the stored descriptors; the store's owner wins over the index's (a change may be in flight).
      for (const face of await this.store.getFacesWithDescriptors(
        index.key,
        candidates.map((c) => c.id),
      )) {
        if (face.userId === null) continue;
        const s = similarity(query, face.descriptor);
        if (s >= minSimilarity && s > (best.get(face.userId) ?? -1)) best.set(face.userId, s);
      }
    } else if (index.exact) {
      // Each user owns at most MAX_FACES_PER_USER faces, so the best face of
      // the maxUsers-th best user is within the top maxUsers × 100 faces:
      // this k is exact, not a heuristic.
      const k = Math.min(index.exact.size, maxUsers * MAX_FACES_PER_USER);
      for (const hit of index.exact.search(query, k, minSimilarity)) {
        const userId = index.owners.get(hit.id);
        if (userId === undefined) continue;
        if (hit.similarity > (best.get(userId) ?? -1)) best.set(userId, hit.similarity);
      }
    }
    return [...best]
      .map(([userId, s]) => ({ userId, similarity: s }))
      .sort((a, b) => b.similarity - a.similarity || (a.userId < b.userId ? -1 : 1))
      .slice(0, maxUsers);
  }

  private base(collectionKey: number): string | null {
    return this.options.dir ? path.join(this.options.dir, String(collectionKey)) : null;
  }

  private loadFile(index: CollectionIndex): { index: AnnIndex; mark: number } | null {
    const base = this.base(index.key);
    if (!base) return null;
    try {
      const { index: ann, meta } = AnnIndex.load(base);
      return { index: ann, mark: meta.mark };
    } catch {
      // No file, or one of another format: read the store whole.
      return null;
    }
  }

  private save(index: CollectionIndex): void {
    const base = this.base(index.key);
    if (!base || !index.ann || !index.dirty) return;
    mkdirSync(path.dirname(base), { recursive: true, mode: 0o700 });
    index.ann.save(base, { mark: index.mark });
    index.dirty = false;
  }

  private removeFiles(collectionKey: number): void {
    const dir = this.options.dir;
    if (!dir) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(`${collectionKey}.`)) rmSync(path.join(dir, name), { force: true });
    }
  }
}
