/**
 * The durable store behind the local provider: collections, users, faces
 * with their descriptors, retained source images and idempotency records;
 * plus snapshots and long-running operations (see snapshot-store.ts).
 *
 * The interface is domain-shaped rather than "run this SQL" so that each
 * backend owns its dialect (placeholders, BLOB vs BYTEA, identity columns):
 * the embedded SQLite store implements it today and a PostgreSQL store can
 * implement it for scale-out. The SQL in the SQLite implementation sticks to
 * plain tables, `?` parameters, `RETURNING`, partial indexes and
 * `LIMIT` so it ports with placeholder renumbering only.
 *
 * Every collection is scoped by provider instance name, so several local
 * provider instances can share one store. Rows below a collection are
 * addressed by the collection's surrogate `key`, which is never reused: a
 * collection deleted and created again under the same name gets a new key,
 * so caches keyed by it cannot resurrect old data.
 *
 * All list methods are bounded (keyset pagination on a monotonic sequence)
 * and all batch lookups run one statement per chunk of
 * {@link STORE_BATCH_CHUNK} ids.
 */
import type { CollectionRef } from '../domain/records.js';
import type { KeysetPage, StoredBoundingBox, StoredUserStatus } from './rows.js';
import type { ProviderRecordReader, ProviderRecordWriter } from './provider-record-store.js';
import type { SnapshotReader, SnapshotWriter } from './snapshot-store.js';

/** Largest id list a batch lookup puts into one `IN (…)` statement. */
export const STORE_BATCH_CHUNK = 500;

export interface CollectionRow extends CollectionRef {
  /** Surrogate key, never reused. */
  key: number;
  faceModelVersion: string | null;
  createdAt: Date;
  /** Maintained transactionally by the store on every face insert and delete. */
  faceCount: number;
  /** Maintained transactionally by the store on every user insert and delete. */
  userCount: number;
}

export interface UserRow {
  /** Creation order within the store, never reused. */
  seq: number;
  collectionKey: number;
  userId: string;
  status: StoredUserStatus;
  createdAt: Date;
}

export interface FaceRow {
  /** Index order within the store, never reused. */
  seq: number;
  collectionKey: number;
  faceId: string;
  /** The owning user's seq, or null while unassociated. */
  userSeq: number | null;
  userId: string | null;
  externalImageId: string | null;
  boundingBox: StoredBoundingBox;
  /** 0..100 */
  confidence: number;
  /** The retained source image, if any. */
  imageSha256: string | null;
  indexedAt: Date;
}

/** A face row with its descriptor, returned when asked for. */
export interface FaceWithDescriptor extends FaceRow {
  descriptor: Float32Array;
}

/** One face whose user changed, in the collection's change `change`. */
export interface AssociationChange {
  change: number;
  faceId: string;
}

/**
 * Changes kept in the association log per collection: an index saved more
 * changes ago than this is rebuilt rather than caught up.
 */
export const ASSOCIATION_LOG_KEEP = 100_000;

/** A face to insert. */
export interface NewFace {
  faceId: string;
  externalImageId: string | null;
  boundingBox: StoredBoundingBox;
  confidence: number;
  descriptor: Float32Array;
  indexedAt: Date;
}

/** A source image retained with the faces found in it (content-addressed). */
export interface RetainedImage {
  /** Lowercase hex SHA-256 of `bytes`. */
  sha256: string;
  bytes: Uint8Array;
}

/** Which faces a listing returns. Combining filters narrows (AND). */
export interface FaceListFilter {
  /** Only faces of this user (by user id). */
  userId?: string;
  /** true: only faces that belong to no user. */
  unassociated?: boolean;
  /** true: only faces that belong to some user. */
  associated?: boolean;
}

/** What a ClientRequestToken remembers: the request's hash and its outcome. */
export interface IdempotencyRecord {
  requestHash: string;
  /** Serialized outcome, opaque to the store. */
  response: string;
  createdAt: Date;
}

/**
 * Reads, available on the store (committed data) and inside a transaction
 * (its own writes included); snapshots and operations included.
 */
export interface StoreReader extends SnapshotReader, ProviderRecordReader {
  getCollection(ref: CollectionRef): Promise<CollectionRow | null>;
  /** Existing collections among `collectionIds`, in no particular order. */
  getCollections(provider: string, collectionIds: readonly string[]): Promise<CollectionRow[]>;
  /**
   * A provider's collections in creation order; with `idPatterns`, only those
   * whose id matches one of these globs (`*`: any run of characters), in the query.
   * @default every collection
   */
  listCollections(provider: string, page: KeysetPage, idPatterns?: readonly string[]): Promise<CollectionRow[]>;

  /**
   * Existing users among `userIds`, or null when the collection does not
   * exist; one statement per chunk, collection check included.
   */
  findUsers(ref: CollectionRef, userIds: readonly string[]): Promise<UserRow[] | null>;
  /** Users of a collection in creation order. */
  listUsers(collectionKey: number, page: KeysetPage): Promise<UserRow[]>;
  getUser(collectionKey: number, userId: string): Promise<UserRow | null>;

  /**
   * Existing faces among `faceIds`, or null when the collection does not
   * exist; one statement per chunk, collection check included.
   */
  findFaces(ref: CollectionRef, faceIds: readonly string[]): Promise<FaceRow[] | null>;
  /** Existing faces among `faceIds` with their descriptors. */
  getFacesWithDescriptors(collectionKey: number, faceIds: readonly string[]): Promise<FaceWithDescriptor[]>;
  /**
   * The collection's association change number: how many transactions
   * changed its faces' users so far (0 for none); null for no collection.
   */
  associationMark(collectionKey: number): Promise<number | null>;
  /**
   * Faces whose user changed in the collection's changes after `after`, in
   * change order, at most `limit` rows. The log keeps the latest
   * {@link ASSOCIATION_LOG_KEEP} changes: a first row past `after + 1` means
   * older ones were pruned, and the caller must read the collection whole.
   */
  listAssociationChanges(collectionKey: number, after: number, limit: number): Promise<AssociationChange[]>;
  /** Faces of a collection in index order. */
  listFaces(collectionKey: number, filter: FaceListFilter, page: KeysetPage): Promise<FaceRow[]>;
  /** Like {@link listFaces} with descriptors, for loading vector indexes and exports. */
  listFacesWithDescriptors(collectionKey: number, filter: FaceListFilter, page: KeysetPage): Promise<FaceWithDescriptor[]>;
  /** The faces of one user with descriptors (at most 100 by the per-user quota). */
  getUserFaces(userSeq: number): Promise<FaceWithDescriptor[]>;
  /**
   * Face counts of existing users among `userIds` (users with no faces map
   * to 0, unknown users are absent), or null when the collection does not
   * exist; one statement per chunk.
   */
  countUserFaces(ref: CollectionRef, userIds: readonly string[]): Promise<Map<string, number> | null>;
  /**
   * The faces of existing users among `userIds` (each user owns at most 100),
   * in index order, or null when the collection does not exist; one
   * statement per chunk.
   */
  findUserFaces(ref: CollectionRef, userIds: readonly string[]): Promise<FaceRow[] | null>;
  /** Faces earlier indexed from the same image with the same external image id (null matches null). */
  findFacesFromImage(collectionKey: number, imageSha256: string, externalImageId: string | null): Promise<FaceRow[]>;

  /** A retained source image, or null once no face references it. */
  getImage(sha256: string): Promise<Uint8Array | null>;

  getIdempotency(collectionKey: number, operation: string, clientRequestToken: string): Promise<IdempotencyRecord | null>;
}

/**
 * A write transaction: reads see its own writes; nothing is visible to
 * others until commit. Snapshot and operation writes included.
 */
export interface StoreTx extends StoreReader, SnapshotWriter, ProviderRecordWriter {
  insertCollection(row: CollectionRef & { faceModelVersion: string | null; createdAt: Date }): Promise<CollectionRow>;
  /** Deletes the collection, its users, faces, idempotency records and images no other face references. */
  deleteCollection(collectionKey: number): Promise<void>;

  /** Inserts a user with status CREATED. */
  insertUser(collectionKey: number, userId: string, createdAt: Date): Promise<UserRow>;
  /** Disassociates the user's faces, deletes the user; returns the face ids that were disassociated. */
  deleteUser(userSeq: number): Promise<string[]>;
  /** Recomputes a user's status from its faces (ACTIVE with ≥1, else CREATED) and returns it. */
  refreshUserStatus(userSeq: number): Promise<StoredUserStatus>;

  /** Inserts faces (and the image they came from, once per content hash) in the given order. */
  insertFaces(collectionKey: number, faces: readonly NewFace[], image: RetainedImage | null): Promise<FaceRow[]>;
  /** Deletes faces by seq, then any of their images no face references any more. */
  deleteFaces(collectionKey: number, faceSeqs: readonly number[]): Promise<void>;
  /** Sets (or clears, with null) the owning user of faces. Call {@link refreshUserStatus} after. */
  setFacesUser(collectionKey: number, faceSeqs: readonly number[], userSeq: number | null): Promise<void>;

  putIdempotency(collectionKey: number, operation: string, clientRequestToken: string, record: IdempotencyRecord): Promise<void>;
  /** Forgets idempotency records created before `cutoff`; returns how many. */
  pruneIdempotency(cutoff: Date): Promise<number>;

  /**
   * Runs `hook` synchronously right after COMMIT succeeds, while the write
   * lock is still held: in-memory caches updated there see commits in commit
   * order. Not run on rollback. A hook must not throw.
   */
  afterCommit(hook: () => void): void;
}

/** The store: reads of committed data plus serialized write transactions. */
export interface Store extends StoreReader {
  /**
   * Runs `fn` in one write transaction. Transactions are serialized, so `fn`
   * may await between its reads and writes without interleaving with another
   * transaction. Commits when `fn` resolves, rolls back when it throws.
   * Keep slow work (inference, network) out of `fn`: it holds the write lock.
   * Nested calls are refused (they would wait for themselves).
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * A number that stays the same exactly while no transaction has
   * committed, in this process or another; undefined when the store cannot
   * tell cheaply (PostgreSQL) or is closed. Lets readers reuse what they
   * built from earlier reads.
   */
  dataVersion(): number | undefined;
  /** Waits for the running transaction, then releases connections and files. */
  close(): Promise<void>;
}
