/**
 * In-memory vector indexes for SearchUsersByImage: per collection, the
 * descriptors of faces that belong to a user, with each face's owner.
 *
 * Only associated faces are held: unassociated faces can never match a user,
 * and leaving them out keeps memory bounded by users × 100 rather than by
 * everything ever indexed. An index is loaded lazily from the store on a
 * collection's first search, in bounded pages, then kept current by the
 * writes of this process (applied in commit order from the store's
 * afterCommit hook). Writes that commit while a load is running are queued
 * and replayed after it; every change is a "set the state of face X" so the
 * replay converges on the committed state whichever pages the load saw.
 *
 * Writes made by other replicas reach it through the change feed
 * (index-sync.ts): a replica that changes a collection's associations
 * announces it, and the others drop that collection's index and reload it
 * on the next search.
 */
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

/** Rows read per page while loading an index. */
const LOAD_PAGE = 1000;

class CollectionIndex {
  // Small start: most collections are small, and the index grows by 1.25× as needed.
  readonly vectors = new VectorIndex({ initialCapacity: 128 });
  readonly owners = new Map<string, string>();
  /** Changes committed during the load, replayed after it; null once loaded. */
  pending: UserFaceChange[] | null = [];
  ready!: Promise<void>;

  apply(change: UserFaceChange): void {
    if (change.kind === 'associate') {
      this.vectors.add(change.faceId, change.descriptor);
      this.owners.set(change.faceId, change.userId);
    } else {
      this.vectors.remove(change.faceId);
      this.owners.delete(change.faceId);
    }
  }

  /** Best similarity per user, at least `minSimilarity`, highest first, at most `maxUsers`. */
  searchUsers(query: Float32Array, maxUsers: number, minSimilarity: number): UserSimilarity[] {
    // Each user owns at most MAX_FACES_PER_USER faces, so the best face of
    // the maxUsers-th best user is within the top maxUsers × 100 faces:
    // this k is exact, not a heuristic.
    const k = Math.min(this.vectors.size, maxUsers * MAX_FACES_PER_USER);
    const best = new Map<string, number>();
    for (const hit of this.vectors.search(query, k, minSimilarity)) {
      const userId = this.owners.get(hit.id);
      if (userId === undefined) continue;
      const seen = best.get(userId);
      if (seen === undefined || hit.similarity > seen) best.set(userId, hit.similarity);
    }
    return [...best]
      .map(([userId, similarity]) => ({ userId, similarity }))
      .sort((a, b) => b.similarity - a.similarity || (a.userId < b.userId ? -1 : 1))
      .slice(0, maxUsers);
  }
}

/** Searchable view of one collection's index. */
export interface UserFaceIndex {
  /** Associated faces held. */
  readonly size: number;
  searchUsers(query: Float32Array, maxUsers: number, minSimilarity: number): UserSimilarity[];
}

/** The indexes of one provider instance, keyed by the store's collection key (never reused). */
export class UserFaceIndexes {
  private readonly indexes = new Map<number, CollectionIndex>();

  constructor(private readonly store: StoreReader) {}

  /** The collection's index, loading it on first use. */
  async get(collectionKey: number): Promise<UserFaceIndex> {
    let index = this.indexes.get(collectionKey);
    if (!index) {
      // Registered before the first read, so every commit from here on is
      // either seen by the load or queued in `pending`.
      const created = new CollectionIndex();
      this.indexes.set(collectionKey, created);
      created.ready = this.load(collectionKey, created).catch((e: unknown) => {
        if (this.indexes.get(collectionKey) === created) this.indexes.delete(collectionKey);
        throw e;
      });
      index = created;
    }
    await index.ready;
    return {
      get size() {
        return index.vectors.size;
      },
      searchUsers: (query, maxUsers, minSimilarity) => index.searchUsers(query, maxUsers, minSimilarity),
    };
  }

  /** Applies committed changes; a collection not loaded yet will read them from the store. */
  apply(collectionKey: number, changes: readonly UserFaceChange[]): void {
    const index = this.indexes.get(collectionKey);
    if (!index) return;
    if (index.pending) index.pending.push(...changes);
    else for (const change of changes) index.apply(change);
  }

  /** Forgets a collection's index (deleted collection). */
  drop(collectionKey: number): void {
    this.indexes.delete(collectionKey);
  }

  /** Forgets every index. */
  clear(): void {
    this.indexes.clear();
  }

  private async load(collectionKey: number, index: CollectionIndex): Promise<void> {
    let after: number | null = null;
    for (;;) {
      const faces = await this.store.listFacesWithDescriptors(collectionKey, { associated: true }, { after, limit: LOAD_PAGE });
      for (const face of faces) {
        if (face.userId === null) continue;
        index.apply({ kind: 'associate', faceId: face.faceId, userId: face.userId, descriptor: face.descriptor });
      }
      if (faces.length < LOAD_PAGE) break;
      after = faces[faces.length - 1].seq;
    }
    const pending = index.pending ?? [];
    index.pending = null;
    for (const change of pending) index.apply(change);
  }
}
