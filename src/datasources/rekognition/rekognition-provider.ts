/**
 * The `rekognition` provider: the FaceProvider contract on AWS Rekognition's
 * collections/users/faces API through `@aws-sdk/client-rekognition` v3.
 *
 * The contract is Rekognition's own vocabulary, so most methods are one
 * call. Where the API has no direct equivalent the cost is stated on the
 * function: records with counts need DescribeCollection per collection
 * (collections.ts), getUsers pages through ListUsers (no lookup by id;
 * users.ts), per-user face lists are one ListFaces per user (faces.ts), and
 * the "unassociated faces" listing pages through ListFaces and keeps faces
 * without a UserId (faithful, no data loss, slower on collections where most
 * faces belong to users; unassociated-faces.ts).
 *
 * This class builds the SDK client and hands every call, with the
 * instance's state ({@link RekognitionDeps}), to the module of its concern.
 * Every SDK call goes through sdk-calls.ts, which maps failures (errors.ts).
 *
 * Retries are the SDK's (standard mode, `maxAttempts`, exponential backoff
 * with jitter, throttling errors and 5xx/network errors retried). The SDK
 * fills ClientRequestToken with a UUID when the caller gives none and reuses
 * it across its own retries, so a retried CreateUser/DeleteUser/
 * AssociateFaces/DisassociateFaces has a single effect.
 *
 * identifyFaces and verifyUser have no Rekognition call of their own: they
 * are DetectFaces + one SearchUsersByImage per face crop, and one
 * SearchUsersByImage with threshold 0 (identify-faces.ts, verify-user.ts).
 *
 * Not supported: EXPORT_DESCRIPTORS (Rekognition never returns face
 * vectors). TAKE_SNAPSHOT/APPLY_SNAPSHOT only with `retainImages` (and the
 * gateway store): Rekognition keeps no images, so the gateway keeps those
 * of the faces it indexes (face-images.ts), and a snapshot carries them
 * (snapshot-export.ts, snapshot-import.ts).
 */
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import type { Logger } from 'pino';
import type { Store } from '../../store/store.js';
import type { Capability, CollectionRecord, FaceRecord, ProviderKind, UserRecord } from '../../domain/records.js';
import type {
  AssociateFacesInput,
  AssociateFacesOutcome,
  CallOptions,
  DeleteFacesOutcome,
  DisassociateFacesInput,
  DisassociateFacesOutcome,
  FaceFilter,
  FaceProvider,
  IndexFacesInput,
  IndexFacesOutcome,
  Page,
  PageRequest,
  CollectionPageRequest,
  CopyOutcome,
  CopyProgress,
  SearchUsersByImageInput,
  SnapshotCapable,
  SearchUsersByImageOutcome,
  UserMutationInput,
} from '../provider.js';
import { associateFaces, disassociateFaces } from './associations.js';
import { createCollection, deleteCollection, getCollections, listCollections } from './collections.js';
import { indexFaces } from './face-indexing.js';
import { countUserFaces, deleteFaces, getFaces, listFaces, listUserFaces } from './faces.js';
import type { RekognitionDeps } from './rekognition-deps.js';
import { SdkCalls } from './sdk-calls.js';
import { FaceImages } from './face-images.js';
import { exportToSnapshot } from './snapshot-export.js';
import { importFromSnapshot } from './snapshot-import.js';
import { searchUsersByImage } from './search.js';
import { createUser, deleteUser, getUsers, listUsers } from './users.js';
import type {
  CompareFacesInput,
  CompareFacesOutcome,
  DetectFacesInput,
  DetectFacesOutcome,
  IdentifyFacesInput,
  IdentifyFacesOutcome,
  SearchFacesByImageInput,
  SearchFacesByImageOutcome,
  SearchFacesInput,
  SearchFacesOutcome,
  SearchUsersInput,
  SearchUsersOutcome,
  VerifyUserInput,
  VerifyUserOutcome,
} from '../face-operations.js';
import { attributeCapability } from '../../domain/face-details.js';
import { compareFaces } from './compare-faces.js';
import { detectFaces } from './detect-faces.js';
import { REKOGNITION_ATTRIBUTES } from './face-detail.js';
import { identifyFaces } from './identify-faces.js';
import { searchFaces, searchFacesByImage } from './search-faces.js';
import { searchUsers } from './search-users.js';
import { verifyUser } from './verify-user.js';

/** Static credentials; prefer the SDK's default chain (env, profile, SSO, instance/container roles). */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Options for {@link RekognitionProvider}. */
export interface RekognitionProviderOptions {
  /** Instance name from configuration. */
  name: string;
  /** AWS region; absent → the SDK's chain (AWS_REGION, profile). */
  region?: string;
  /** Endpoint override (e.g. a fake or a VPC endpoint); absent → the SDK's (incl. AWS_ENDPOINT_URL_REKOGNITION). */
  endpoint?: string;
  /** Attempts per call including the first (SDK retries). @default 3 */
  maxAttempts?: number;
  /** Absent → the SDK's default credential chain. */
  credentials?: StaticCredentials;
  /** One attempt taking longer is abandoned (and retried as a transient error). @default 30000 */
  requestTimeoutMs?: number;
  /** Time allowed to open a connection. @default 5000 */
  connectTimeoutMs?: number;
  /** Parallel calls one batched method makes (DescribeCollection per id, ListFaces per user). @default 8 */
  concurrency?: number;
  /**
   * Keep the source image of every face indexed through facegate in the
   * gateway store (erased with its last face and with its collection), so
   * that snapshots can be taken from and applied to this instance. Off by
   * default: face images are biometric data, and Rekognition itself keeps
   * none. Needs `store`. @default false
   */
  retainImages?: boolean;
  /** The gateway store, where retained images live (`retainImages`). @default absent */
  store?: Store;
  /** Where dropped provider answers (unknown reasons) are logged. @default absent */
  logger?: Logger;
}

/** The `rekognition` provider. */
export class RekognitionProvider implements FaceProvider, SnapshotCapable {
  readonly name: string;
  readonly kind: ProviderKind = 'REKOGNITION';
  /**
   * Listed, not derived from CAPABILITIES, so a capability added to the
   * contract is never claimed by accident. LIST_UNASSOCIATED_FACES is
   * emulated by scanning ListFaces; EXPORT_DESCRIPTORS and the snapshot
   * capabilities only with retained images (no face vectors leave
   * Rekognition, and it keeps no images). The face
   * operations are all here, VERIFY_USER and IDENTIFY_FACES built from
   * documented calls (verify-user.ts, identify-faces.ts); every
   * FACE_ATTRIBUTE_* but LIVENESS, which FaceDetail does not carry.
   */
  readonly capabilities: ReadonlySet<Capability>;

  private static readonly CAPABILITIES: readonly Capability[] = [
    'MIXED_CASE_COLLECTION_IDS',
    'CREATE_COLLECTION',
    'DELETE_COLLECTION',
    'LIST_COLLECTIONS',
    'CREATE_USER',
    'DELETE_USER',
    'INDEX_FACES',
    'DELETE_FACES',
    'ASSOCIATE_FACES',
    'DISASSOCIATE_FACES',
    'SEARCH_USERS_BY_IMAGE',
    'LIST_UNASSOCIATED_FACES',
    'DETECT_FACES',
    'COMPARE_FACES',
    'VERIFY_USER',
    'SEARCH_FACES',
    'SEARCH_FACES_BY_IMAGE',
    'SEARCH_USERS',
    'IDENTIFY_FACES',
    ...REKOGNITION_ATTRIBUTES.map(attributeCapability),
  ];

  private readonly deps: RekognitionDeps;

  constructor(options: RekognitionProviderOptions) {
    this.name = options.name;
    const client = new RekognitionClient({
      region: options.region,
      endpoint: options.endpoint,
      maxAttempts: options.maxAttempts ?? 3,
      credentials: options.credentials,
      requestHandler: {
        requestTimeout: options.requestTimeoutMs ?? 30_000,
        // Without this the SDK only logs a warning when requestTimeout passes.
        throwOnRequestTimeout: true,
        connectionTimeout: options.connectTimeoutMs ?? 5_000,
      },
    });
    const images = options.retainImages && options.store ? new FaceImages(options.store, options.name) : undefined;
    this.deps = { calls: new SdkCalls(options.name, client), concurrency: options.concurrency ?? 8, images, logger: options.logger };
    const snapshots: Capability[] = images ? ['TAKE_SNAPSHOT', 'APPLY_SNAPSHOT'] : [];
    this.capabilities = new Set<Capability>([...RekognitionProvider.CAPABILITIES, ...snapshots]);
  }

  // ---- collections -------------------------------------------------------

  listCollections(page: CollectionPageRequest, call?: CallOptions): Promise<Page<CollectionRecord>> {
    return listCollections(this.deps, page, call);
  }

  getCollections(collectionIds: readonly string[], call?: CallOptions): Promise<(CollectionRecord | null)[]> {
    return getCollections(this.deps, collectionIds, call);
  }

  createCollection(collectionId: string, call?: CallOptions): Promise<CollectionRecord> {
    return createCollection(this.deps, collectionId, call);
  }

  deleteCollection(collectionId: string, call?: CallOptions): Promise<void> {
    return deleteCollection(this.deps, collectionId, call);
  }

  // ---- users -------------------------------------------------------------

  listUsers(collectionId: string, page: PageRequest, call?: CallOptions): Promise<Page<UserRecord>> {
    return listUsers(this.deps, collectionId, page, call);
  }

  getUsers(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<(UserRecord | null)[]> {
    return getUsers(this.deps, collectionId, userIds, call);
  }

  createUser(input: UserMutationInput, call?: CallOptions): Promise<UserRecord> {
    return createUser(this.deps, input, call);
  }

  deleteUser(input: UserMutationInput, call?: CallOptions): Promise<void> {
    return deleteUser(this.deps, input, call);
  }

  // ---- faces -------------------------------------------------------------

  listFaces(collectionId: string, filter: FaceFilter, page: PageRequest, call?: CallOptions): Promise<Page<FaceRecord>> {
    return listFaces(this.deps, collectionId, filter, page, call);
  }

  getFaces(collectionId: string, faceIds: readonly string[], call?: CallOptions): Promise<(FaceRecord | null)[]> {
    return getFaces(this.deps, collectionId, faceIds, call);
  }

  countUserFaces(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<number[]> {
    return countUserFaces(this.deps, collectionId, userIds, call);
  }

  listUserFaces(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<FaceRecord[][]> {
    return listUserFaces(this.deps, collectionId, userIds, call);
  }

  indexFaces(input: IndexFacesInput, call?: CallOptions): Promise<IndexFacesOutcome> {
    return indexFaces(this.deps, input, call);
  }

  deleteFaces(collectionId: string, faceIds: readonly string[], call?: CallOptions): Promise<DeleteFacesOutcome> {
    return deleteFaces(this.deps, collectionId, faceIds, call);
  }

  // ---- associations and search -------------------------------------------

  associateFaces(input: AssociateFacesInput, call?: CallOptions): Promise<AssociateFacesOutcome> {
    return associateFaces(this.deps, input, call);
  }

  disassociateFaces(input: DisassociateFacesInput, call?: CallOptions): Promise<DisassociateFacesOutcome> {
    return disassociateFaces(this.deps, input, call);
  }

  searchUsersByImage(input: SearchUsersByImageInput, call?: CallOptions): Promise<SearchUsersByImageOutcome> {
    return searchUsersByImage(this.deps, input, call);
  }

  // ---- face operations (face-operations.ts) ---------------------------------

  detectFaces(input: DetectFacesInput, call?: CallOptions): Promise<DetectFacesOutcome> {
    return detectFaces(this.deps, input, call);
  }

  compareFaces(input: CompareFacesInput, call?: CallOptions): Promise<CompareFacesOutcome> {
    return compareFaces(this.deps, input, call);
  }

  verifyUser(input: VerifyUserInput, call?: CallOptions): Promise<VerifyUserOutcome> {
    return verifyUser(this.deps, input, call);
  }

  searchFaces(input: SearchFacesInput, call?: CallOptions): Promise<SearchFacesOutcome> {
    return searchFaces(this.deps, input, call);
  }

  searchFacesByImage(input: SearchFacesByImageInput, call?: CallOptions): Promise<SearchFacesByImageOutcome> {
    return searchFacesByImage(this.deps, input, call);
  }

  searchUsers(input: SearchUsersInput, call?: CallOptions): Promise<SearchUsersOutcome> {
    return searchUsers(this.deps, input, call);
  }

  identifyFaces(input: IdentifyFacesInput, call?: CallOptions): Promise<IdentifyFacesOutcome> {
    return identifyFaces(this.deps, input, call);
  }

  // ---- gateway snapshots (snapshot-export.ts, snapshot-import.ts; with retainImages) ----

  /** Copies the collection, with the retained image of each face, into a gateway snapshot. */
  exportToSnapshot(
    collectionId: string,
    snapshotId: string,
    onProgress: (p: CopyProgress) => void,
    call?: CallOptions,
  ): Promise<CopyOutcome> {
    return exportToSnapshot(this.deps, collectionId, snapshotId, onProgress, call);
  }

  /** Creates the target collection from a snapshot, each face indexed again from its image. */
  importFromSnapshot(
    snapshotId: string,
    targetCollectionId: string,
    onProgress: (p: CopyProgress) => Promise<void>,
    call?: CallOptions,
  ): Promise<CopyOutcome> {
    return importFromSnapshot(this.deps, snapshotId, targetCollectionId, onProgress, call);
  }

  /** Closes the SDK's sockets; later calls fail with PROVIDER_UNAVAILABLE. */
  async close(): Promise<void> {
    this.deps.calls.close();
  }
}
