/**
 * The FaceProvider contract: what every provider adapter (local, rekognition,
 * azure-face) implements. Semantics follow AWS Rekognition's users-and-faces
 * API (see docs/architecture.md); an adapter that cannot do something
 * faithfully leaves the capability out and throws UNSUPPORTED_OPERATION.
 *
 * Adapters throw {@link DomainError} for expected failures and never return
 * GraphQL types. Inputs reaching an adapter are already validated against
 * the field constraints in ../domain/validation.ts.
 */
import type { BoundingBox } from '../engine/types.js';
import type { FaceAttributeName, FaceDetailRecord, QualityFilterName } from '../domain/face-details.js';
import type {
  AssociationFailureReason,
  CollectionRecord,
  DisassociationFailureReason,
  FaceDeletionFailureReason,
  FaceRecord,
  ProviderInfo,
  UserRecord,
  UserStatus,
} from '../domain/records.js';
import type { CallOptions } from './call-options.js';
import type { FaceOperations } from './face-operations.js';

export type { CallOptions } from './call-options.js';
export type * from './face-operations.js';

/**
 * A listCollections request: a page, and the collections the caller may see.
 * With `idPatterns`, the adapter skips the others before it does any work on
 * them (a cloud adapter's describe calls), so a page may hold fewer than
 * `limit` items while more follow (`nextToken`); the resolver reads on
 * until its page is full.
 */
export interface CollectionPageRequest extends PageRequest {
  /** Glob patterns (`*`: any run of characters) of the ids to list: a tenant's grant. @default undefined: every collection */
  idPatterns?: readonly string[];
}

/** A page request: at most `limit` items after the opaque provider token. */
export interface PageRequest {
  limit: number;
  /** Opaque token from a previous page's `nextToken`. */
  after?: string;
}

export interface Page<T> {
  items: T[];
  /** Present when more items follow. */
  nextToken?: string;
}

export interface IndexFacesInput {
  collectionId: string;
  image: Uint8Array;
  externalImageId?: string;
  /** Index at most this many faces, largest first. @default 100 */
  maxFaces?: number;
  /** Faces below the bar are not indexed (reason LOW_FACE_QUALITY or the provider's own). @default AUTO (Rekognition's IndexFaces default) */
  qualityFilter?: QualityFilterName;
  /** Attributes beyond the DEFAULT set to fill in `faceDetails`, each advertised by the instance. @default none */
  detectionAttributes?: ReadonlySet<FaceAttributeName>;
}

/** Why a face was not indexed: every reason Rekognition reports, never collapsed. */
export const UNINDEXED_REASONS = [
  'EXCEEDS_MAX_FACES',
  'EXTREME_POSE',
  'LOW_BRIGHTNESS',
  'LOW_SHARPNESS',
  'LOW_CONFIDENCE',
  'SMALL_BOUNDING_BOX',
  'LOW_FACE_QUALITY',
] as const;
export type UnindexedReason = (typeof UNINDEXED_REASONS)[number];

export interface IndexFacesOutcome {
  faces: FaceRecord[];
  /** One per face of `faces`, in the same order: what detection saw of it. */
  faceDetails: FaceDetailRecord[];
  unindexedFaces: { boundingBox: BoundingBox; reasons: UnindexedReason[] }[];
  faceModelVersion: string | null;
}

/** A face a write left as it was, and why. */
export interface FaceFailure<R extends string> {
  faceId: string;
  userId: string | null;
  reasons: R[];
  /**
   * Reasons the provider gave that `reasons` cannot name (one Rekognition
   * added after this gateway was built), verbatim; dropped from `reasons`
   * so the answer still serializes. @default []
   */
  providerReasons?: string[];
}

export interface DeleteFacesOutcome {
  deletedFaceIds: string[];
  unsuccessfulFaceDeletions: FaceFailure<FaceDeletionFailureReason>[];
}

export interface UserMutationInput {
  collectionId: string;
  userId: string;
  /** Rekognition ClientRequestToken: same token + same input → same outcome; other input → IDEMPOTENCY_CONFLICT. */
  clientRequestToken?: string;
}

export interface AssociateFacesInput extends UserMutationInput {
  faceIds: string[];
  /** 0..100. @default 75 */
  userMatchThreshold: number;
}

export interface AssociateFacesOutcome {
  associatedFaceIds: string[];
  unsuccessfulFaceAssociations: (FaceFailure<AssociationFailureReason> & { confidence: number | null })[];
  userStatus: UserStatus;
}

export interface DisassociateFacesInput extends UserMutationInput {
  faceIds: string[];
}

export interface DisassociateFacesOutcome {
  disassociatedFaceIds: string[];
  unsuccessfulFaceDisassociations: FaceFailure<DisassociationFailureReason>[];
  userStatus: UserStatus;
}

export interface SearchUsersByImageInput {
  collectionId: string;
  image: Uint8Array;
  /** 0..100. @default 80 */
  userMatchThreshold: number;
  /** 1..500. @default 10 */
  maxUsers: number;
  /** The largest face is searched only if it passes. @default NONE (Rekognition's default for SearchUsersByImage) */
  qualityFilter?: QualityFilterName;
}

export interface SearchUsersByImageOutcome {
  /** Ordered by similarity, highest first. */
  userMatches: { similarity: number; user: UserRecord }[];
  /** The largest face, which was searched; null when the image has no face (or none passed the quality filter). */
  searchedFace: { boundingBox: BoundingBox; confidence: number } | null;
  /** The image's other faces, not searched (Rekognition UnsearchedFaces). */
  unsearchedFaces: FaceDetailRecord[];
}

/** Filters for {@link FaceProvider.listFaces}. */
export interface FaceFilter {
  userId?: string;
  /** true: only faces that belong to no user. */
  unassociated?: boolean;
}

/**
 * One configured provider instance. Every method that names a collection
 * throws COLLECTION_NOT_FOUND when it does not exist. Each method that calls
 * out takes the {@link CallOptions} of the call last; adapters hand its
 * signal to their I/O.
 */
export interface FaceProvider extends ProviderInfo, FaceOperations {
  listCollections(page: CollectionPageRequest, call?: CallOptions): Promise<Page<CollectionRecord>>;
  /** Batched lookup (DataLoader): null where a collection does not exist. */
  getCollections(collectionIds: readonly string[], call?: CallOptions): Promise<(CollectionRecord | null)[]>;
  /** Throws COLLECTION_ALREADY_EXISTS. */
  createCollection(collectionId: string, call?: CallOptions): Promise<CollectionRecord>;
  /** Removes the collection with all its users, faces and descriptors. */
  deleteCollection(collectionId: string, call?: CallOptions): Promise<void>;

  /** Users in one stable order: creation order on local and azure-face, a system-generated key's on Rekognition (AWS promises no more). */
  listUsers(collectionId: string, page: PageRequest, call?: CallOptions): Promise<Page<UserRecord>>;
  /** Batched lookup: null where a user does not exist. */
  getUsers(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<(UserRecord | null)[]>;
  /** Throws USER_ALREADY_EXISTS, QUOTA_EXCEEDED, IDEMPOTENCY_CONFLICT. */
  createUser(input: UserMutationInput, call?: CallOptions): Promise<UserRecord>;
  /** Disassociates the user's faces, then deletes the user. Throws USER_NOT_FOUND. */
  deleteUser(input: UserMutationInput, call?: CallOptions): Promise<void>;

  /** Faces in index order, optionally filtered. */
  listFaces(collectionId: string, filter: FaceFilter, page: PageRequest, call?: CallOptions): Promise<Page<FaceRecord>>;
  /** Batched lookup: null where a face does not exist. */
  getFaces(collectionId: string, faceIds: readonly string[], call?: CallOptions): Promise<(FaceRecord | null)[]>;
  /** Batched count of each user's faces (0 for unknown users). */
  countUserFaces(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<number[]>;
  /** Batched: each user's faces (at most 100 a user), in index order; [] for unknown users. */
  listUserFaces(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<FaceRecord[][]>;

  /**
   * Optional. A number that stays the same exactly while nothing this
   * instance lists or looks up has changed, so the gateway may reuse what it
   * built from earlier answers (see caches/reused-pages.ts); undefined, or no
   * method, when the provider cannot tell (cloud providers, a local
   * provider on a shared PostgreSQL store).
   */
  readVersion?(): number | undefined;

  /** Throws INVALID_IMAGE, THROTTLED. */
  indexFaces(input: IndexFacesInput, call?: CallOptions): Promise<IndexFacesOutcome>;
  deleteFaces(collectionId: string, faceIds: readonly string[], call?: CallOptions): Promise<DeleteFacesOutcome>;
  /** Throws USER_NOT_FOUND, QUOTA_EXCEEDED (over 100 faces a user), IDEMPOTENCY_CONFLICT. */
  associateFaces(input: AssociateFacesInput, call?: CallOptions): Promise<AssociateFacesOutcome>;
  /** Throws USER_NOT_FOUND, IDEMPOTENCY_CONFLICT. */
  disassociateFaces(input: DisassociateFacesInput, call?: CallOptions): Promise<DisassociateFacesOutcome>;
  /** No face in the image → empty matches and `searchedFace: null` (not an error). */
  searchUsersByImage(input: SearchUsersByImageInput, call?: CallOptions): Promise<SearchUsersByImageOutcome>;

  /** Release connections, workers and files. */
  close(): Promise<void>;
}

/** Progress of a snapshot copy: items (users + faces) done so far of the total. */
export interface CopyProgress {
  processed: number;
  total: number;
}

/** Users and faces a snapshot copy moved. */
export interface CopyOutcome {
  userCount: number;
  faceCount: number;
}

/**
 * A provider that can copy its collections into gateway snapshots (kept in
 * the gateway's store) and create collections from them. Capabilities
 * TAKE_SNAPSHOT and APPLY_SNAPSHOT announce it.
 */
export interface SnapshotCapable {
  /**
   * Copies users, faces (with descriptors) and retained images of a
   * collection into snapshot `snapshotId`, as one consistent view: a write
   * racing the copy is either wholly in it or not at all. Replaces any
   * content the snapshot had (a restarted take). `onProgress` is called
   * synchronously after each chunk (at least every 1 %).
   */
  exportToSnapshot(
    collectionId: string,
    snapshotId: string,
    onProgress: (p: CopyProgress) => void,
    call?: CallOptions,
  ): Promise<CopyOutcome>;
  /**
   * Creates `targetCollectionId` (COLLECTION_ALREADY_EXISTS if it exists) and
   * fills it from the snapshot. Throws SNAPSHOT_NOT_FOUND if the snapshot is
   * deleted meanwhile; the caller removes the partial target.
   */
  importFromSnapshot(
    snapshotId: string,
    targetCollectionId: string,
    onProgress: (p: CopyProgress) => Promise<void>,
    call?: CallOptions,
  ): Promise<CopyOutcome>;
  /**
   * Optional check at apply time, before the operation is accepted: throws
   * SNAPSHOT_EXPIRED when the provider's own copy of the snapshot (e.g. in
   * Azure's Snapshot API) is gone.
   */
  checkApplicable?(snapshotId: string, call?: CallOptions): Promise<void>;
  /**
   * Optional check of a take's source before its existence is looked up:
   * throws INVALID_INPUT (field `input.collection.collectionId`) for an id
   * the provider could never hold, so it is not reported as a collection
   * that does not exist.
   */
  checkTakeable?(collectionId: string): Promise<void>;
  /**
   * Optional: submits the provider's own take of the collection (Azure's
   * v1.0 Snapshot Take) inside the takeSnapshot request, after the source
   * was found and before the operation exists, so that the provider's
   * refusal (QUOTA_EXCEEDED, THROTTLED) is the request's answer and no
   * operation or snapshot is left. What it started is followed by
   * {@link exportToSnapshot} of the same `snapshotId`. `shareWith`: the
   * provider's subscriptions (besides its own) allowed to apply its copy;
   * UNSUPPORTED_OPERATION when non-empty on an instance that takes no copy.
   */
  startTake?(collectionId: string, snapshotId: string, shareWith: readonly string[], call?: CallOptions): Promise<void>;
  /**
   * Optional: removes the provider's own copy of a snapshot taken from it
   * (e.g. Azure's Snapshot API copies) when the gateway snapshot is
   * deleted. A copy already gone is no error.
   */
  deleteSnapshotCopy?(snapshotId: string, call?: CallOptions): Promise<void>;
  /**
   * Optional: removes the provider's own copies of every snapshot taken of
   * `collectionId` (deleteCollection with `deleteSnapshots`), before the
   * gateway's rows are erased, so that a retry finds what a failure left.
   */
  deleteSnapshotCopiesOf?(collectionId: string, call?: CallOptions): Promise<void>;
}

export const isSnapshotCapable = (p: FaceProvider): p is FaceProvider & SnapshotCapable =>
  typeof (p as Partial<SnapshotCapable>).exportToSnapshot === 'function' &&
  typeof (p as Partial<SnapshotCapable>).importFromSnapshot === 'function';

/** Told about each training round a {@link Trainable} provider runs (the gateway records them as TRAIN_COLLECTION operations). */
export interface TrainingRounds {
  /** A round of `collectionId` started; resolves to the id of the operation recording it (null if none could be recorded). */
  started(collectionId: string): Promise<string | null>;
  /** The round recorded as `operationId` ended: null on success, else why it failed. */
  finished(operationId: Promise<string | null>, error: { code: string; message: string } | null): void;
}

/**
 * A provider whose search only sees what a finished training saw (Azure AI
 * Face). It trains by itself after changes (debounced) and on request;
 * every round is reported to the observer. Capability TRAIN_COLLECTION.
 */
export interface Trainable {
  /** Registers where rounds are reported (one observer; a later call replaces it). */
  observeTraining(rounds: TrainingRounds): void;
  /**
   * Starts a round now that includes every change made so far (even if the
   * collection looks trained) and resolves, once it started, to the id its
   * observer gave it. Throws COLLECTION_NOT_FOUND.
   */
  trainCollection(collectionId: string, call?: CallOptions): Promise<string | null>;
}

export const isTrainable = (p: FaceProvider): p is FaceProvider & Trainable =>
  typeof (p as Partial<Trainable>).observeTraining === 'function' && typeof (p as Partial<Trainable>).trainCollection === 'function';
