/**
 * The `azure-face` provider: the FaceProvider contract (Rekognition's
 * users-and-faces vocabulary) on Azure AI Face v1.2 through
 * `@azure-rest/ai-vision-face` (providers.md §D).
 *
 * Mapping
 * - Collection = LargePersonGroup with recognition_04; its id is the
 *   collection id, which must satisfy Azure's rule `^[a-z0-9-_]{1,64}$`
 *   (anything else is INVALID_INPUT — never case-folded), its name the
 *   collection id, its userData the creation time.
 * - Face registry = a companion LargeFaceList with the *same id* (list and
 *   group ids live in separate namespaces, so no suffix eats into the 64
 *   characters). Every face indexed through facegate gets one entry there
 *   for its whole life, and the entry's persistedFaceId is the facegate face
 *   id — stable across associate/disassociate. Its userData holds the
 *   external image id, the image's sha256, the pixel rectangle and image
 *   size, the index time and, once associated, where it was copied to.
 * - User = Person; name = userId, userData = {userId, createdAt}. Azure has
 *   no lookup by name: the userId → personId index is built by listing the
 *   persons and cached in memory (./collection-index.ts).
 * - Associate = the face is re-extracted from its retained source image
 *   into the person (Azure keeps no images and cannot move a face), the
 *   person face's userData naming the facegate id. Disassociate = that copy
 *   is deleted (the registry entry stays, so nothing is lost and no image is
 *   needed). DeleteUser = delete the person (its copies go with it).
 * - Training: every change of users' faces schedules a debounced training;
 *   searchUsersByImage first waits (bounded) until a training that includes
 *   every earlier change has finished, then detect → identify (confidence
 *   0..1 → similarity × 100). UserStatus: CREATED without faces, UPDATING
 *   until a finished training includes the user's last change, then ACTIVE.
 * - LOW_MATCH_CONFIDENCE: /verify of the candidate face (detected again in
 *   its retained image) against the person, when the user already had faces.
 * - Face operations: detect (./detect-faces.ts, mapping in
 *   ./face-detail.ts), compare = Verify face-to-face per target face,
 *   verifyUser = Verify face-to-person, searchFaces(ByImage) = FindSimilar
 *   in the face registry (trained on demand, ./find-similar-call.ts),
 *   identifyFaces = Identify in batches of 10. Confidence 0..1 → 0..100.
 *
 * Capabilities: all user/face operations, the unassociated-faces listing
 * and TRAIN_COLLECTION; DETECT_FACES, COMPARE_FACES, VERIFY_USER,
 * SEARCH_FACES, SEARCH_FACES_BY_IMAGE, IDENTIFY_FACES and the attributes
 * the configured detection model fills (detection_03: FACE_OCCLUDED;
 * detection_01: EYEGLASSES, SUNGLASSES, FACE_OCCLUDED); TAKE/APPLY_SNAPSHOT
 * when built with the gateway store (gateway copies; with `snapshotApi:
 * "v1.0"` also Azure's own Snapshot API, ./azure-snapshots.ts). Left out:
 * EXPORT_DESCRIPTORS (Azure never returns face vectors), SEARCH_USERS (no
 * user-to-user comparison, ./search-users.ts), age, gender, emotions and
 * smile (retired or Limited Access).
 *
 * Costs and limits
 * - Reads are served from the in-memory index; the first touch of a
 *   collection rebuilds it (about (persons + faces) / 1000 list calls).
 * - Retained images and the userId → personId index live in the gateway
 *   store (./retained-images.ts, ./person-records.ts), and so do
 *   ClientRequestToken records (./idempotency.ts); the index itself lives
 *   in this process. With several gateway replicas on one Face
 *   resource, the gateway's change feed (when configured) makes the others
 *   drop and rebuild a collection's index after each change; without it
 *   they see other replicas' writes after `indexMaxAgeMs`.
 * - Without the store (a provider built by hand) images are kept in memory:
 *   after a restart such faces cannot be associated (UNSUPPORTED_OPERATION).
 * - Face confidence: Azure reports none; FaceRecord.confidence is null and
 *   a searched face is reported at 100.
 */
import { DomainError } from '../../domain/errors.js';
import {
  CAPABILITIES,
  FACE_OPERATION_CAPABILITIES,
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
  CopyOutcome,
  CopyProgress,
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
  SearchUsersByImageInput,
  SearchUsersByImageOutcome,
  SnapshotCapable,
  Trainable,
  TrainingRounds,
  UserMutationInput,
} from '../provider.js';
import type { AdapterDeps } from './adapter-deps.js';
import { createAdapterParts } from './adapter-parts.js';
import { associateFaces } from './associate-faces.js';
import { CollectionCache } from './collection-cache.js';
import { checkCollectionId } from './collection-id.js';
import { createCollection, deleteCollection, getCollections, listCollections } from './collections.js';
import { disassociateFaces } from './disassociate-faces.js';
import { countUserFaces, deleteFaces, getFaces, indexFaces, listFaces, listUserFaces } from './faces.js';
import type { AzureFaceProviderOptions } from './options.js';
import { searchUsersByImage } from './search-users-by-image.js';
import { exportToSnapshot, submitTake } from './snapshot-export.js';
import { importFromSnapshot } from './snapshot-import.js';
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
import { compareFaces } from './compare-faces.js';
import { detectFaces } from './detect-faces.js';
import { attributeCapabilities, type DetectionModel } from './face-detail.js';
import { identifyFaces } from './identify-faces.js';
import { searchFaces, searchFacesByImage } from './search-faces.js';
import { searchUsers } from './search-users.js';
import { verifyUser } from './verify-user.js';

/**
 * What an instance cannot do: descriptors (Azure never returns them), mixed-case ids, searchUsers
 * (./search-users.ts), the attributes its detection model does not give (./face-detail.ts);
 * snapshots only with the gateway store.
 */
function absentCapabilities(model: DetectionModel, withStore: boolean): Capability[] {
  const filled = new Set<Capability>(attributeCapabilities(model));
  const absent: Capability[] = [
    'EXPORT_DESCRIPTORS',
    'MIXED_CASE_COLLECTION_IDS',
    'SEARCH_USERS',
    ...FACE_OPERATION_CAPABILITIES.filter((c) => c.startsWith('FACE_ATTRIBUTE_') && !filled.has(c)),
  ];
  return withStore ? absent : [...absent, 'TAKE_SNAPSHOT', 'APPLY_SNAPSHOT'];
}

/**
 * The `azure-face` provider. Each contract method checks the provider is
 * open and hands over to the module of its concern, with the instance's
 * parts passed explicitly ({@link AdapterDeps}).
 */
export class AzureFaceProvider implements FaceProvider, Trainable, SnapshotCapable {
  readonly name: string;
  readonly kind: ProviderKind = 'AZURE_FACE';
  readonly capabilities: ReadonlySet<Capability>;

  private readonly deps: AdapterDeps;
  private closed = false;

  constructor(options: AzureFaceProviderOptions) {
    this.name = options.name;
    const parts = createAdapterParts(options);
    const absent = absentCapabilities(parts.detectionModel, options.store !== undefined);
    this.capabilities = new Set(CAPABILITIES.filter((c) => !absent.includes(c)));
    this.deps = { ...parts, cache: new CollectionCache(parts), assertOpen: () => this.assertOpen() };
  }

  // ---- collections (./collections.ts) ---------------------------------------

  /** LargePersonGroups in id order (Azure's start/top), each with counts from its index. */
  async listCollections(page: CollectionPageRequest, call?: CallOptions): Promise<Page<CollectionRecord>> {
    this.assertOpen();
    return listCollections(this.deps, page, call);
  }

  async getCollections(collectionIds: readonly string[], call?: CallOptions): Promise<(CollectionRecord | null)[]> {
    this.assertOpen();
    return getCollections(this.deps, collectionIds, call);
  }

  /** PUT the LargePersonGroup, then its companion LargeFaceList (the group is removed again if that fails). */
  async createCollection(collectionId: string, call?: CallOptions): Promise<CollectionRecord> {
    this.assertOpen();
    return createCollection(this.deps, collectionId, call);
  }

  /** DELETE the group (with its persons and their faces), then the companion list (best effort: a leftover is replaced on create). */
  async deleteCollection(collectionId: string, call?: CallOptions): Promise<void> {
    this.assertOpen();
    return deleteCollection(this.deps, collectionId, call);
  }

  // ---- users (./users.ts) ---------------------------------------------------

  /** Users in creation order, from the index. */
  async listUsers(collectionId: string, page: PageRequest, call?: CallOptions): Promise<Page<UserRecord>> {
    this.assertOpen();
    return listUsers(this.deps, collectionId, page, call);
  }

  async getUsers(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<(UserRecord | null)[]> {
    this.assertOpen();
    return getUsers(this.deps, collectionId, userIds, call);
  }

  /** POST a person named after the user (its userData carries the userId and creation time). */
  async createUser(input: UserMutationInput, call?: CallOptions): Promise<UserRecord> {
    this.assertOpen();
    return createUser(this.deps, input, call);
  }

  /** The user's faces go back to unassociated (their registry entries stay), then the person is deleted. */
  async deleteUser(input: UserMutationInput, call?: CallOptions): Promise<void> {
    this.assertOpen();
    return deleteUser(this.deps, input, call);
  }

  // ---- faces (./faces.ts, ./associate-faces.ts, ./disassociate-faces.ts) ----

  async listFaces(collectionId: string, filter: FaceFilter, page: PageRequest, call?: CallOptions): Promise<Page<FaceRecord>> {
    this.assertOpen();
    return listFaces(this.deps, collectionId, filter, page, call);
  }

  async getFaces(collectionId: string, faceIds: readonly string[], call?: CallOptions): Promise<(FaceRecord | null)[]> {
    this.assertOpen();
    return getFaces(this.deps, collectionId, faceIds, call);
  }

  async countUserFaces(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<number[]> {
    this.assertOpen();
    return countUserFaces(this.deps, collectionId, userIds, call);
  }

  async listUserFaces(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<FaceRecord[][]> {
    this.assertOpen();
    return listUserFaces(this.deps, collectionId, userIds, call);
  }

  /**
   * detect, then one registry entry per face to index; the same image with the same externalImageId
   * returns the faces indexed from it before.
   */
  async indexFaces(input: IndexFacesInput, call?: CallOptions): Promise<IndexFacesOutcome> {
    this.assertOpen();
    return indexFaces(this.deps, input, call);
  }

  /** Deletes unassociated faces' registry entries; associated faces are refused (ASSOCIATED_TO_AN_EXISTING_USER). */
  async deleteFaces(collectionId: string, faceIds: readonly string[], call?: CallOptions): Promise<DeleteFacesOutcome> {
    this.assertOpen();
    return deleteFaces(this.deps, collectionId, faceIds, call);
  }

  /** Copies registry faces into the user's person, re-extracted from their retained source images. */
  async associateFaces(input: AssociateFacesInput, call?: CallOptions): Promise<AssociateFacesOutcome> {
    this.assertOpen();
    return associateFaces(this.deps, input, call);
  }

  /** Deletes the person's copies; the registry entries stay. */
  async disassociateFaces(input: DisassociateFacesInput, call?: CallOptions): Promise<DisassociateFacesOutcome> {
    this.assertOpen();
    return disassociateFaces(this.deps, input, call);
  }

  // ---- search (./search-users-by-image.ts) ----------------------------------

  /** detect → (bounded wait for training) → identify of the largest face of at least 40 px. */
  async searchUsersByImage(input: SearchUsersByImageInput, call?: CallOptions): Promise<SearchUsersByImageOutcome> {
    this.assertOpen();
    return searchUsersByImage(this.deps, input, call);
  }

  // ---- gateway snapshots (./snapshot-export.ts, ./snapshot-import.ts) -------

  /** Copies the collection into a gateway snapshot (and, on a v1.0 instance, into Azure's snapshots). */
  async exportToSnapshot(
    collectionId: string,
    snapshotId: string,
    onProgress: (p: CopyProgress) => void,
    call?: CallOptions,
  ): Promise<CopyOutcome> {
    this.assertOpen();
    return exportToSnapshot(this.deps, collectionId, snapshotId, onProgress, call);
  }

  /** Creates the target collection from a snapshot: through Azure's Snapshot API when it was taken there, else face by face. */
  async importFromSnapshot(
    snapshotId: string,
    targetCollectionId: string,
    onProgress: (p: CopyProgress) => Promise<void>,
    call?: CallOptions,
  ): Promise<CopyOutcome> {
    this.assertOpen();
    return importFromSnapshot(this.deps, snapshotId, targetCollectionId, onProgress, call);
  }

  /** For an instance on Azure's Snapshot API: SNAPSHOT_EXPIRED when Azure no longer holds the snapshot. */
  async checkApplicable(snapshotId: string, call?: CallOptions): Promise<void> {
    const record = await this.deps.azureSnapshots?.recordOf(snapshotId);
    if (record) await this.deps.azureSnapshots?.check(snapshotId, record, call);
  }

  /** An id breaking Azure's container id rule (a take's `objectId`) is INVALID_INPUT, not a collection that does not exist. */
  async checkTakeable(collectionId: string): Promise<void> {
    try {
      checkCollectionId(collectionId);
    } catch (e) {
      if (e instanceof DomainError) throw new DomainError(e.code, e.message, { ...e.details, field: 'input.collection.collectionId' });
      throw e;
    }
  }

  /** For an instance on Azure's Snapshot API: deletes Azure's copies of every snapshot taken of the collection (./azure-snapshots.ts). */
  async deleteSnapshotCopiesOf(collectionId: string, call?: CallOptions): Promise<void> {
    this.assertOpen();
    await this.deps.azureSnapshots?.deleteOf(collectionId, call);
  }

  /** For an instance on Azure's Snapshot API: submits Azure's takes inside the request, so a refusal answers it (./snapshot-export.ts). */
  async startTake(collectionId: string, snapshotId: string, shareWith: readonly string[], call?: CallOptions): Promise<void> {
    this.assertOpen();
    await submitTake(this.deps, collectionId, snapshotId, shareWith, call);
  }

  /** For an instance on Azure's Snapshot API: deletes Azure's copies of the snapshot (./azure-snapshots.ts). */
  async deleteSnapshotCopy(snapshotId: string, call?: CallOptions): Promise<void> {
    this.assertOpen();
    await this.deps.azureSnapshots?.delete(snapshotId, call);
  }

  // ---- training (./training.ts) ---------------------------------------------

  observeTraining(rounds: TrainingRounds): void {
    this.deps.cache.observeTraining(rounds);
  }

  /** Starts a training round of the collection now; resolves to its operation id once it started. */
  async trainCollection(collectionId: string, call?: CallOptions): Promise<string | null> {
    this.assertOpen();
    checkCollectionId(collectionId);
    const { trainer } = await this.deps.cache.index(collectionId, call);
    return trainer.trainNow();
  }

  // ---- face operations (one module each) -------------------------------------

  /** detect without faceIds (./detect-faces.ts). */
  async detectFaces(input: DetectFacesInput, call?: CallOptions): Promise<DetectFacesOutcome> {
    this.assertOpen();
    return detectFaces(this.deps, input, call);
  }

  /** detect both images, then Verify face-to-face per target face (./compare-faces.ts). */
  async compareFaces(input: CompareFacesInput, call?: CallOptions): Promise<CompareFacesOutcome> {
    this.assertOpen();
    return compareFaces(this.deps, input, call);
  }

  /** detect, then Verify face-to-person (./verify-user.ts). */
  async verifyUser(input: VerifyUserInput, call?: CallOptions): Promise<VerifyUserOutcome> {
    this.assertOpen();
    return verifyUser(this.deps, input, call);
  }

  /** The face detected again in its retained image, then FindSimilar in the face list (./search-faces.ts). */
  async searchFaces(input: SearchFacesInput, call?: CallOptions): Promise<SearchFacesOutcome> {
    this.assertOpen();
    return searchFaces(this.deps, input, call);
  }

  /** detect, then FindSimilar of the largest face in the face list (./search-faces.ts). */
  async searchFacesByImage(input: SearchFacesByImageInput, call?: CallOptions): Promise<SearchFacesByImageOutcome> {
    this.assertOpen();
    return searchFacesByImage(this.deps, input, call);
  }

  /** UNSUPPORTED_OPERATION: Azure has no user-to-user search (./search-users.ts). */
  async searchUsers(_input: SearchUsersInput, _call?: CallOptions): Promise<SearchUsersOutcome> {
    this.assertOpen();
    return searchUsers(this.deps);
  }

  /** detect, then Identify in batches of 10 faceIds (./identify-faces.ts). */
  async identifyFaces(input: IdentifyFacesInput, call?: CallOptions): Promise<IdentifyFacesOutcome> {
    this.assertOpen();
    return identifyFaces(this.deps, input, call);
  }

  /** Stops trainings; later calls fail with PROVIDER_UNAVAILABLE. */
  async close(): Promise<void> {
    this.closed = true;
    this.deps.cache.close();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new DomainError(
        'PROVIDER_UNAVAILABLE',
        `Provider "${this.name}" is unavailable: expected an open provider, got one that was closed`,
        {
          provider: this.name,
        },
      );
    }
  }
}
