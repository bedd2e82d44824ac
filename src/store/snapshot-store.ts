/**
 * The part of the store that keeps long-running operations and snapshots.
 * StoreReader extends {@link SnapshotReader} and StoreTx extends
 * {@link SnapshotWriter}, so snapshot writes share the store's single
 * serialized writer and are as durable as every other write; reads on the
 * store see committed data only.
 *
 * A snapshot's content (users, faces with descriptors, and the source images
 * the faces came from) is copied into snapshot tables inside the store, so
 * it survives later changes to (or deletion of) its source collection, and
 * goes with the snapshot when that is deleted. Copies run in SQL, chunk by
 * chunk, so a take never holds a whole collection in memory. A take whose
 * chunks all run in one transaction copies one consistent state of the
 * source: transactions are serialized, so no write lands between chunks.
 *
 * Lists are keyset pages like the rest of the store: snapshots and
 * operations on their creation sequence, snapshot users and faces on the
 * sequence they had in the source collection (so pages come back in source
 * order).
 */
import type { CollectionRef } from '../domain/records.js';
import type { OperationKind, OperationRecord, OperationStatus, SnapshotRecord } from '../domain/operation-records.js';
import type { KeysetPage, StoredBoundingBox, StoredUserStatus } from './rows.js';

/** One user in a snapshot. */
export interface SnapshotUserRow {
  /** The user's seq in the source collection: the snapshot keeps source order. */
  seq: number;
  userId: string;
  /** Status at take time. */
  status: StoredUserStatus;
}

/** One face in a snapshot. */
export interface SnapshotFaceRow {
  /** The face's seq in the source collection: the snapshot keeps index order. */
  seq: number;
  /** The face id in the source collection. */
  faceId: string;
  /** The owning user's id at take time, or null while unassociated. */
  userId: string | null;
  externalImageId: string | null;
  boundingBox: StoredBoundingBox;
  confidence: number;
  descriptor: Float32Array;
  /** The face's source image, kept with the snapshot: read it with {@link SnapshotReader.getSnapshotImage}. */
  imageSha256: string | null;
  indexedAt: Date;
}

/** Progress of a chunked copy: how many rows this chunk copied and where to continue. */
export interface CopyChunk {
  copied: number;
  /** Pass as `afterSeq` for the next chunk; null when nothing was copied (the copy is complete). */
  lastSeq: number | null;
}

/** Fields of a snapshot that change after it is created. */
export type SnapshotPatch = Partial<Pick<SnapshotRecord, 'state' | 'userCount' | 'faceCount' | 'lastUpdatedAt'>>;

/** Fields of an operation that change while it runs. */
export type OperationPatch = Partial<Pick<OperationRecord, 'status' | 'percent' | 'processedItems' | 'totalItems' | 'message' | 'target'>>;

/** An operation to record; it starts NOT_STARTED at 0 %, with lastActionAt = createdAt. */
export interface NewOperation {
  id: string;
  kind: OperationKind;
  owner: string;
  snapshotId: string | null;
  target: OperationRecord['target'];
  createdAt: Date;
}

export interface SnapshotReader {
  getSnapshot(id: string): Promise<SnapshotRecord | null>;
  /**
   * Snapshots visible to `tenant` (its own, and those whose applyScope names
   * it) in creation order; `seq` is the keyset to pass as `page.after`.
   */
  listSnapshots(tenant: string, page: KeysetPage): Promise<{ seq: number; snapshot: SnapshotRecord }[]>;
  getOperation(id: string): Promise<OperationRecord | null>;
  /**
   * All operations in any of `statuses`, in creation order: meant for the
   * live ones (NOT_STARTED, RUNNING) to resume or fail after a restart, whose
   * number is the length of the work queue that will hold them anyway.
   * Terminal operations accumulate; do not list them this way.
   */
  listOperationsByStatus(statuses: readonly OperationStatus[]): Promise<OperationRecord[]>;
  /** A snapshot's users in source order. */
  listSnapshotUsers(snapshotId: string, page: KeysetPage): Promise<SnapshotUserRow[]>;
  /** A snapshot's faces with descriptors in source index order. */
  listSnapshotFaces(snapshotId: string, page: KeysetPage): Promise<SnapshotFaceRow[]>;
  /** A retained image of a snapshot, or null. */
  getSnapshotImage(snapshotId: string, sha256: string): Promise<Uint8Array | null>;
}

export interface SnapshotWriter extends SnapshotReader {
  /** Records a snapshot (usually TAKING, with no content yet). The id must be new. */
  insertSnapshot(snapshot: SnapshotRecord): Promise<void>;
  /** Applies `patch` and returns the updated record; throws when the snapshot does not exist. */
  updateSnapshot(id: string, patch: SnapshotPatch): Promise<SnapshotRecord>;
  /** Deletes the snapshot with its users, faces and images; false when there was none. */
  deleteSnapshot(id: string): Promise<boolean>;
  /**
   * Deletes, as {@link deleteSnapshot}, every snapshot whose source is
   * `source` (an erasure of that collection); returns their ids.
   */
  deleteSnapshotsOf(source: CollectionRef): Promise<string[]>;
  insertOperation(op: NewOperation): Promise<OperationRecord>;
  /**
   * Applies `patch` (undefined fields are left alone, null clears) and sets
   * lastActionAt = `at`; returns the updated record. Throws when the
   * operation does not exist.
   */
  updateOperation(id: string, patch: OperationPatch, at: Date): Promise<OperationRecord>;
  /** Sets a RUNNING operation's lastActionAt = `at` (it is still being worked on); false when it is not RUNNING. */
  touchOperation(id: string, at: Date): Promise<boolean>;
  /**
   * Fails, in one statement, every RUNNING operation of `kind` whose last
   * action is older than `staleBefore` (whoever ran it stopped saying so),
   * with `message` and lastActionAt = `at`; returns them as updated.
   */
  failStaleOperations(kind: OperationKind, staleBefore: Date, message: string, at: Date): Promise<OperationRecord[]>;

  /**
   * Copies the next ≤ `limit` users of a collection (by seq after
   * `afterSeq`, null from the start) into the snapshot, in SQL.
   */
  copyUsersToSnapshot(collectionKey: number, snapshotId: string, afterSeq: number | null, limit: number): Promise<CopyChunk>;
  /**
   * Copies the next ≤ `limit` faces (with descriptors, owner's userId) and
   * their source images (once per snapshot) into the snapshot, in SQL.
   */
  copyFacesToSnapshot(collectionKey: number, snapshotId: string, afterSeq: number | null, limit: number): Promise<CopyChunk>;
  /**
   * Writes users into a snapshot from rows a provider built (a provider whose
   * collections live outside the store, e.g. Azure); `seq` orders them.
   */
  insertSnapshotUsers(snapshotId: string, users: readonly SnapshotUserRow[]): Promise<void>;
  /**
   * Writes faces into a snapshot from rows a provider built, after their
   * images ({@link putSnapshotImage}). An empty descriptor means the
   * provider keeps none: a provider applying the snapshot computes one from
   * the image.
   */
  insertSnapshotFaces(snapshotId: string, faces: readonly SnapshotFaceRow[]): Promise<void>;
  /** Keeps an image with a snapshot (a repeat is a no-op). */
  putSnapshotImage(snapshotId: string, sha256: string, bytes: Uint8Array): Promise<void>;
  /** Removes a snapshot's content (users, faces, images), keeping its record: for restarting a take. */
  clearSnapshotContent(snapshotId: string): Promise<void>;
  /** Ids of up to `limit` snapshots expired at `now` that still hold content (users, faces or images). */
  expiredSnapshotsWithContent(now: Date, limit: number): Promise<string[]>;
}
