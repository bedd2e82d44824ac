/**
 * The `local` provider: Rekognition's collections/users/faces semantics on
 * the embedded store and the in-process face engine, with no account and no
 * network.
 *
 * This class is the FaceProvider face of the adapter: it refuses calls once
 * closed and hands every call, with the instance's state ({@link LocalDeps}),
 * to the module of its concern — collections.ts, users.ts, faces.ts,
 * face-indexing.ts, associations.ts, search.ts, snapshot-copy.ts, and the
 * face operations: detect-faces.ts (detect, compare), verify-user.ts,
 * search-faces.ts, search-users.ts, identify-faces.ts, with face-detail.ts
 * mapping the engine's faces to FaceDetail.
 *
 * Every mutation is one store transaction that decides first and writes
 * second, so a failed call writes nothing. Inference runs before the
 * transaction, never inside it (face-indexing.ts). User mutations honour
 * ClientRequestToken (idempotent-mutations.ts); AssociateFaces past 100
 * faces a user fails as a whole (associations.ts).
 */
import { DomainError } from '../../domain/errors.js';
import type { FaceEngineApi } from '../../engine/types.js';
import type { Store } from '../../store/store.js';
import { FACE_ATTRIBUTES, attributeCapability } from '../../domain/face-details.js';
import {
  CAPABILITIES,
  type Capability,
  type CollectionRecord,
  type FaceRecord,
  type ProviderKind,
  type UserRecord,
} from '../../domain/records.js';
import type {
  AssociateFacesInput,
  AssociateFacesOutcome,
  CallOptions,
  CompareFacesInput,
  CompareFacesOutcome,
  CopyOutcome,
  CopyProgress,
  DetectFacesInput,
  DetectFacesOutcome,
  DeleteFacesOutcome,
  DisassociateFacesInput,
  DisassociateFacesOutcome,
  FaceFilter,
  FaceProvider,
  IdentifyFacesInput,
  IdentifyFacesOutcome,
  IndexFacesInput,
  IndexFacesOutcome,
  Page,
  PageRequest,
  CollectionPageRequest,
  SearchFacesByImageInput,
  SearchFacesByImageOutcome,
  SearchFacesInput,
  SearchFacesOutcome,
  SearchUsersByImageInput,
  SearchUsersByImageOutcome,
  SearchUsersInput,
  SearchUsersOutcome,
  SnapshotCapable,
  UserMutationInput,
  VerifyUserInput,
  VerifyUserOutcome,
} from '../provider.js';
import type { ChangeFeed } from '../definition.js';
import { associateFaces, disassociateFaces } from './associations.js';
import { createCollection, deleteCollection, getCollections, listCollections } from './collections.js';
import { compareFaces, detectFaces as detectFacesOf } from './detect-faces.js';
import { detectFaces } from './detection.js';
import { attributeCapabilities } from './face-detail.js';
import { indexFaces } from './face-indexing.js';
import { countUserFaces, deleteFaces, getFaces, listFaces, listUserFaces } from './faces.js';
import { IdempotentMutations } from './idempotent-mutations.js';
import { IndexSync } from './index-sync.js';
import { DEFAULT_IDEMPOTENCY_RETENTION_MS } from './limits.js';
import type { LocalDeps } from './local-deps.js';
import { collectionNotFound, collectionRef, requireCollection } from './lookups.js';
import { identifyFaces } from './identify-faces.js';
import { searchUsersByImage } from './search.js';
import { searchFaces, searchFacesByImage } from './search-faces.js';
import { searchUsers } from './search-users.js';
import { exportCollection, importSnapshot } from './snapshot-copy.js';
import { UserFaceIndexes, type UserFaceIndexOptions } from './user-face-index.js';
import { createUser, deleteUser, getUsers, listUsers } from './users.js';
import { verifyUser } from './verify-user.js';

/** Options for {@link LocalProvider}. */
export interface LocalProviderOptions {
  /** Instance name; scopes this instance's collections in the shared store. */
  name: string;
  store: Store;
  /** Shared by all local instances of the process; its workers start on the first image. */
  engine: FaceEngineApi;
  /** How long a ClientRequestToken is remembered. @default 24 hours */
  idempotencyRetentionMs?: number;
  /** Clock, for tests. @default () => new Date() */
  now?: () => Date;
  /**
   * Other replicas writing to the same store. The in-memory search indexes
   * follow them through it: a replica marks its index of a collection behind
   * when another replica changed the collection's associations, and catches
   * it up from the store's association log on the next search.
   */
  changes?: ChangeFeed;
  /** The search indexes: where exact search ends, where approximate indexes are saved. @default exact below ANN_MIN_FACES, nothing saved */
  search?: UserFaceIndexOptions;
}

/** The `local` provider. */
export class LocalProvider implements FaceProvider, SnapshotCapable {
  readonly name: string;
  readonly kind: ProviderKind = 'LOCAL';
  /**
   * Everything but TRAIN_COLLECTION (its search sees every write at once,
   * there is nothing to train), and of the FACE_ATTRIBUTE_* only those the
   * engine's networks fill (face-detail.ts).
   */
  readonly capabilities: ReadonlySet<Capability>;

  private readonly deps: LocalDeps;
  private closed = false;

  constructor(options: LocalProviderOptions) {
    const { name, store, engine } = options;
    const now = options.now ?? (() => new Date());
    const indexes = new UserFaceIndexes(store, options.search);
    this.name = name;
    const attributeCaps = new Set<string>(FACE_ATTRIBUTES.map(attributeCapability));
    const filled = new Set<string>(attributeCapabilities(engine.attributes));
    this.capabilities = new Set(CAPABILITIES.filter((c) => c !== 'TRAIN_COLLECTION' && (!attributeCaps.has(c) || filled.has(c))));
    this.deps = {
      name,
      store,
      engine,
      now,
      indexes,
      sync: new IndexSync(name, indexes, options.changes),
      mutations: new IdempotentMutations({
        name,
        store,
        now,
        retentionMs: options.idempotencyRetentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS,
      }),
    };
  }

  // ---- collections -------------------------------------------------------

  async listCollections(page: CollectionPageRequest): Promise<Page<CollectionRecord>> {
    this.assertOpen();
    return listCollections(this.deps, page);
  }

  async getCollections(collectionIds: readonly string[]): Promise<(CollectionRecord | null)[]> {
    this.assertOpen();
    return getCollections(this.deps, collectionIds);
  }

  async createCollection(collectionId: string): Promise<CollectionRecord> {
    this.assertOpen();
    return createCollection(this.deps, collectionId);
  }

  async deleteCollection(collectionId: string): Promise<void> {
    this.assertOpen();
    return deleteCollection(this.deps, collectionId);
  }

  /** The store's data version: everything this provider answers comes from the store. */
  readVersion(): number | undefined {
    return this.closed ? undefined : this.deps.store.dataVersion();
  }

  // ---- users -------------------------------------------------------------

  async listUsers(collectionId: string, page: PageRequest): Promise<Page<UserRecord>> {
    this.assertOpen();
    return listUsers(this.deps, collectionId, page);
  }

  async getUsers(collectionId: string, userIds: readonly string[]): Promise<(UserRecord | null)[]> {
    this.assertOpen();
    return getUsers(this.deps, collectionId, userIds);
  }

  async createUser(input: UserMutationInput): Promise<UserRecord> {
    this.assertOpen();
    return createUser(this.deps, input);
  }

  async deleteUser(input: UserMutationInput): Promise<void> {
    this.assertOpen();
    return deleteUser(this.deps, input);
  }

  // ---- faces -------------------------------------------------------------

  async listFaces(collectionId: string, filter: FaceFilter, page: PageRequest): Promise<Page<FaceRecord>> {
    this.assertOpen();
    return listFaces(this.deps, collectionId, filter, page);
  }

  async getFaces(collectionId: string, faceIds: readonly string[]): Promise<(FaceRecord | null)[]> {
    this.assertOpen();
    return getFaces(this.deps, collectionId, faceIds);
  }

  async countUserFaces(collectionId: string, userIds: readonly string[]): Promise<number[]> {
    this.assertOpen();
    return countUserFaces(this.deps, collectionId, userIds);
  }

  async listUserFaces(collectionId: string, userIds: readonly string[]): Promise<FaceRecord[][]> {
    this.assertOpen();
    return listUserFaces(this.deps, collectionId, userIds);
  }

  async indexFaces(input: IndexFacesInput, call?: CallOptions): Promise<IndexFacesOutcome> {
    this.assertOpen();
    return indexFaces(this.deps, input, call);
  }

  async deleteFaces(collectionId: string, faceIds: readonly string[]): Promise<DeleteFacesOutcome> {
    this.assertOpen();
    return deleteFaces(this.deps, collectionId, faceIds);
  }

  // ---- associations and search -------------------------------------------

  async associateFaces(input: AssociateFacesInput): Promise<AssociateFacesOutcome> {
    this.assertOpen();
    return associateFaces(this.deps, input);
  }

  async disassociateFaces(input: DisassociateFacesInput): Promise<DisassociateFacesOutcome> {
    this.assertOpen();
    return disassociateFaces(this.deps, input);
  }

  async searchUsersByImage(input: SearchUsersByImageInput, call?: CallOptions): Promise<SearchUsersByImageOutcome> {
    this.assertOpen();
    return searchUsersByImage(this.deps, input, call);
  }

  // ---- snapshots ---------------------------------------------------------

  exportToSnapshot(collectionId: string, snapshotId: string, onProgress: (p: CopyProgress) => void): Promise<CopyOutcome> {
    this.assertOpen();
    const { name, store } = this.deps;
    return exportCollection(store, collectionRef(name, collectionId), () => collectionNotFound(name, collectionId), snapshotId, onProgress);
  }

  async importFromSnapshot(
    snapshotId: string,
    targetCollectionId: string,
    onProgress: (p: CopyProgress) => Promise<void>,
    call?: CallOptions,
  ): Promise<CopyOutcome> {
    this.assertOpen();
    await this.createCollection(targetCollectionId);
    const { name, store, now, sync } = this.deps;
    const collection = await requireCollection(store, name, targetCollectionId);
    return importSnapshot(
      {
        store,
        collection,
        now,
        onCommit: (tx, changes) => sync.afterCommit(tx, collection.key, changes),
        detect: (image) => detectFaces(this.deps, targetCollectionId, image, call),
      },
      snapshotId,
      onProgress,
    );
  }

  // ---- the face operations (../face-operations.ts) -------------------------

  async detectFaces(input: DetectFacesInput, call?: CallOptions): Promise<DetectFacesOutcome> {
    this.assertOpen();
    return detectFacesOf(this.deps, input, call);
  }

  async compareFaces(input: CompareFacesInput, call?: CallOptions): Promise<CompareFacesOutcome> {
    this.assertOpen();
    return compareFaces(this.deps, input, call);
  }

  async verifyUser(input: VerifyUserInput, call?: CallOptions): Promise<VerifyUserOutcome> {
    this.assertOpen();
    return verifyUser(this.deps, input, call);
  }

  async searchFaces(input: SearchFacesInput): Promise<SearchFacesOutcome> {
    this.assertOpen();
    return searchFaces(this.deps, input);
  }

  async searchFacesByImage(input: SearchFacesByImageInput, call?: CallOptions): Promise<SearchFacesByImageOutcome> {
    this.assertOpen();
    return searchFacesByImage(this.deps, input, call);
  }

  async searchUsers(input: SearchUsersInput): Promise<SearchUsersOutcome> {
    this.assertOpen();
    return searchUsers(this.deps, input);
  }

  async identifyFaces(input: IdentifyFacesInput, call?: CallOptions): Promise<IdentifyFacesOutcome> {
    this.assertOpen();
    return identifyFaces(this.deps, input, call);
  }

  /** Saves the approximate search indexes that changed, and drops the in-memory ones. The store and engine are shared and closed by their owner. */
  async close(): Promise<void> {
    this.closed = true;
    await this.deps.indexes.close();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new DomainError(
        'PROVIDER_UNAVAILABLE',
        `Provider "${this.name}" is unavailable: expected an open provider, got one that was closed`,
        { provider: this.name },
      );
    }
  }
}
