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
 *
 * Capabilities: all user/face operations, the unassociated-faces listing
 * and TRAIN_COLLECTION; TAKE/APPLY_SNAPSHOT when built with the gateway
 * store (gateway copies; with `snapshotApi: "v1.0"` also Azure's own
 * Snapshot API, ./azure-snapshots.ts). Left out: EXPORT_DESCRIPTORS (Azure
 * never returns face vectors).
 *
 * Costs and limits
 * - Reads are served from the in-memory index; the first touch of a
 *   collection rebuilds it (about (persons + faces) / 1000 list calls).
 * - Retained images and the userId → personId index live in the gateway
 *   store (./retained-images.ts, ./person-records.ts); the index itself
 *   and ClientRequestToken records live in this process. With several gateway replicas on one Face
 *   resource, the gateway's change feed (when configured) makes the others
 *   drop and rebuild a collection's index after each change; without it
 *   they see other replicas' writes after `indexMaxAgeMs`.
 * - Without the store (a provider built by hand) images are kept in memory:
 *   after a restart such faces cannot be associated (UNSUPPORTED_OPERATION).
 * - Face confidence: Azure reports none; FaceRecord.confidence is null and
 *   a searched face is reported at 100.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DomainError, invalidInput } from '../../domain/errors.js';
import { AsyncMutex } from '../../lib/async-mutex.js';
import type { Store } from '../../store/store.js';
import { faceAtBox, iou } from '../../lib/box-match.js';
import type { ChangeFeed } from '../definition.js';
import { CAPABILITIES } from '../../domain/records.js';
import type { AssociateFacesInput, AssociateFacesOutcome, CallOptions, CopyOutcome, CopyProgress, DeleteFacesOutcome, DisassociateFacesInput, DisassociateFacesOutcome, FaceFilter, FaceProvider, IndexFacesInput, IndexFacesOutcome, Page, PageRequest, SearchUsersByImageInput, SearchUsersByImageOutcome, SnapshotCapable, Trainable, TrainingRounds, UnindexedReason, UserMutationInput } from '../provider.js';
import type { BoundingBox } from '../../engine/types.js';
import type { Capability, CollectionRecord, FaceRecord, ProviderKind, UserRecord } from '../../domain/records.js';
import { CollectionIndex, compareKeys, faceKey, loadIndex, userKey, type IndexedFace, type IndexedUser } from './collection-index.js';
import { mapLimit } from '../../lib/map-limit.js';
import { hasCode, toDomainError, type CallContext } from './errors.js';
import { IdempotencyMemo } from './idempotency.js';
import { readImageSize, type ImageSize } from './image-size.js';
import { decodePageToken, encodePageToken, pageLimit } from './page-token.js';
import { AzureSnapshots } from './azure-snapshots.js';
import { PersonRecords } from './person-records.js';
import { InMemoryRetainedImages, StoreRetainedImages, type RetainedImages } from './retained-images.js';
import { Trainer } from './training.js';
import { FaceTransport, RECOGNITION_MODEL, type DetectedFaceOut, type FaceRectangle, type IdentifyOut } from './transport.js';
import { decodeCollection, decodeFaceList, decodePerson, decodePersonFace, decodeListFace, encodeCollection, encodeFaceList, encodeListFace, encodePerson, encodePersonFace, type ListFaceData } from './userdata.js';

/** Options for {@link AzureFaceProvider}. */
export interface AzureFaceProviderOptions {
  /** Instance name from configuration. */
  name: string;
  /** `https://<resource>.cognitiveservices.azure.com` (or a fake's URL). */
  endpoint: string;
  apiKey: string;
  /** Attempts per call including the first. @default 4 */
  maxAttempts?: number;
  /** First backoff step without Retry-After. @default 500 */
  retryBaseDelayMs?: number;
  /** Cap on a Retry-After wait (and on backoff). @default 30000 */
  maxRetryAfterMs?: number;
  /** One attempt taking longer is abandoned. @default 30000 */
  requestTimeoutMs?: number;
  /** Training starts this long after the last change. @default 2000 */
  trainDebounceMs?: number;
  /** Training status poll interval. @default 1000 */
  trainingPollMs?: number;
  /** One training may take this long. @default 30 minutes */
  trainingTimeoutMs?: number;
  /** A search waits at most this long for a pending training, then THROTTLED. @default 10000 */
  searchTrainingWaitMs?: number;
  /** Azure detection model for detect and add-face. @default detection_03 */
  detectionModel?: 'detection_01' | 'detection_03';
  /** Rebuild a collection's index from Azure when older than this; absent = keep for the process lifetime. */
  indexMaxAgeMs?: number;
  /** Parallel calls of a batch (index rebuilds, collection records). @default 4 */
  concurrency?: number;
  /** Source images of indexed faces. @default the gateway store's provider images with `store`, else process memory (not durable) */
  retainedImages?: RetainedImages;
  /** The gateway store: retained images and the userId → personId index are kept there. */
  store?: Store;
  /** "v1.0": takes and applies also go through Azure's own (retired) Snapshot API; needs `subscriptionId` and `store`. @default "gateway" */
  snapshotApi?: 'gateway' | 'v1.0';
  /** The Azure subscription allowed to apply v1.0 snapshots (their applyScope). */
  subscriptionId?: string;
  /** ClientRequestToken retention. @default 24 hours */
  idempotencyRetentionMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** Where best-effort failures go (background trainings, registry link updates, list cleanup). */
  logger?: Pick<Logger, 'warn'>;
  /** Several gateway replicas: announces this replica's changes and drops indexes other replicas changed. */
  changes?: ChangeFeed;
}

/** Azure's container id rule, which collection ids must satisfy on this provider. */
export const AZURE_COLLECTION_ID = /^[a-z0-9_-]{1,64}$/;
/** Faces a user may own: the contract's (Rekognition's) cap; Azure's own is 248. */
const MAX_FACES_PER_USER = 100;
const DEFAULT_MAX_FACES = 100;
/** Faces smaller than this are not indexed or searched (as the local provider). */
const MIN_FACE_PIXELS = 40;
/** identify's maxNumOfCandidatesReturned ceiling. */
const MAX_CANDIDATES = 100;
const AZURE_PAGE = 1000;
/** What an instance cannot do: descriptors (Azure never returns them), mixed-case ids; snapshots only with the gateway store. */
const NOT_WITHOUT_STORE: readonly Capability[] = ['EXPORT_DESCRIPTORS', 'MIXED_CASE_COLLECTION_IDS', 'TAKE_SNAPSHOT', 'APPLY_SNAPSHOT'];
const NOT_WITH_STORE: readonly Capability[] = ['EXPORT_DESCRIPTORS', 'MIXED_CASE_COLLECTION_IDS'];

/** Users or faces per page of a snapshot copy. */
const SNAPSHOT_CHUNK = 100;

interface Loaded {
  index: CollectionIndex;
  trainer: Trainer;
}

/** The `azure-face` provider. */
export class AzureFaceProvider implements FaceProvider, Trainable, SnapshotCapable {
  readonly name: string;
  readonly kind: ProviderKind = 'AZURE_FACE';
  readonly capabilities: ReadonlySet<Capability>;

  private readonly api: FaceTransport;
  private readonly images: RetainedImages;
  private readonly persons: PersonRecords | null;
  /** Azure's own Snapshot API, for an instance with `snapshotApi: "v1.0"`. */
  private readonly azureSnapshots: AzureSnapshots | null;
  private readonly memo: IdempotencyMemo;
  private readonly now: () => number;
  private readonly detectionModel: string;
  private readonly concurrency: number;
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private readonly locks = new Map<string, AsyncMutex>();
  /** Tells this replica's own change messages from others'. */
  private readonly replicaId = randomUUID();
  private closed = false;
  private rounds: TrainingRounds | undefined;
  private lastUserCreatedAt = 0;

  constructor(private readonly options: AzureFaceProviderOptions) {
    this.name = options.name;
    const absent = options.store ? NOT_WITH_STORE : NOT_WITHOUT_STORE;
    this.capabilities = new Set(CAPABILITIES.filter((c) => !absent.includes(c)));
    this.now = options.now ?? Date.now;
    this.detectionModel = options.detectionModel ?? 'detection_03';
    this.concurrency = options.concurrency ?? 4;
    this.images = options.retainedImages ?? (options.store ? new StoreRetainedImages(options.store, options.name) : new InMemoryRetainedImages());
    this.persons = options.store ? new PersonRecords(options.store, options.name) : null;
    this.memo = new IdempotencyMemo(options.idempotencyRetentionMs ?? 24 * 60 * 60 * 1000, this.now);
    this.api = new FaceTransport({
      endpoint: options.endpoint,
      apiKey: options.apiKey,
      maxAttempts: options.maxAttempts ?? 4,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    });
    this.azureSnapshots =
      options.snapshotApi === 'v1.0' && options.store && options.subscriptionId
        ? new AzureSnapshots({
            api: this.api,
            store: options.store,
            provider: this.name,
            subscriptionId: options.subscriptionId,
            pollMs: options.trainingPollMs ?? 1000,
            timeoutMs: options.trainingTimeoutMs ?? 30 * 60 * 1000,
            now: this.now,
          })
        : null;
    options.changes?.onMessage((key, from) => {
      const cut = key.lastIndexOf(':');
      if (from !== this.replicaId && key.slice(0, cut) === this.name) this.forget(key.slice(cut + 1));
    });
    options.changes?.onReconnect(() => {
      for (const collectionId of [...this.loaded.keys()]) this.forget(collectionId);
    });
  }

  // ---- collections -------------------------------------------------------

  /** LargePersonGroups in id order (Azure's start/top), each with counts from its index. */
  async listCollections(page: PageRequest, call?: CallOptions): Promise<Page<CollectionRecord>> {
    this.assertOpen();
    const limit = pageLimit(page.limit);
    const after = decodePageToken('collections', page.after);
    const ids: string[] = [];
    let start = after === undefined ? undefined : String(after[0]);
    for (;;) {
      const top = Math.min(AZURE_PAGE, limit + 1 - ids.length);
      const groups = await this.call(this.ctx(), () => this.api.listLargePersonGroups(start, top, call));
      ids.push(...groups.map((g) => g.largePersonGroupId));
      if (groups.length < top || ids.length > limit) break;
      start = ids[ids.length - 1];
    }
    const more = ids.length > limit;
    const pageIds = ids.slice(0, limit);
    const records = (await this.getCollections(pageIds, call)).filter((r): r is CollectionRecord => r !== null);
    return more ? { items: records, nextToken: encodePageToken('collections', [pageIds[pageIds.length - 1]]) } : { items: records };
  }

  async getCollections(collectionIds: readonly string[], call?: CallOptions): Promise<(CollectionRecord | null)[]> {
    this.assertOpen();
    return mapLimit(collectionIds, this.concurrency, async (collectionId) => {
      if (!AZURE_COLLECTION_ID.test(collectionId)) return null;
      try {
        return record(await this.index(collectionId, call));
      } catch (e) {
        if (e instanceof DomainError && e.code === 'COLLECTION_NOT_FOUND') return null;
        throw e;
      }
    });
  }

  /** PUT the LargePersonGroup, then its companion LargeFaceList (the group is removed again if that fails). */
  async createCollection(collectionId: string, call?: CallOptions): Promise<CollectionRecord> {
    this.assertOpen();
    checkCollectionId(collectionId);
    return this.locked(collectionId, async () => {
      const ctx = this.ctx(collectionId);
      const createdAt = this.now();
      const nonce = newNonce();
      try {
        await this.api.createLargePersonGroup(collectionId, { name: collectionId, userData: encodeCollection({ createdAt, nonce }) }, call);
      } catch (e) {
        // Our own earlier attempt may have created it before its answer was lost.
        const ours = hasCode(e, 'LargePersonGroupExists') && e.afterAmbiguousFailure && (await this.call(ctx, () => this.groupNonce(collectionId, call))) === nonce;
        if (!ours) throw toDomainError(e, ctx);
      }
      try {
        await this.createFaceList(collectionId, nonce, call);
      } catch (e) {
        await this.api.deleteLargePersonGroup(collectionId, call).catch((cleanup: unknown) => this.warn('could not remove the half-created LargePersonGroup', cleanup, collectionId));
        throw toDomainError(e, ctx);
      }
      const index = new CollectionIndex(collectionId, new Date(createdAt), RECOGNITION_MODEL, true, this.now());
      this.forget(collectionId);
      this.loaded.set(collectionId, Promise.resolve({ index, trainer: this.trainerFor(index) }));
      return record(index);
    });
  }

  /** DELETE the group (with its persons and their faces), then the companion list (best effort: a leftover is replaced on create). */
  async deleteCollection(collectionId: string, call?: CallOptions): Promise<void> {
    this.assertOpen();
    checkCollectionId(collectionId);
    await this.locked(collectionId, async () => {
      try {
        await this.api.deleteLargePersonGroup(collectionId, call);
      } catch (e) {
        if (!(hasCode(e, 'LargePersonGroupNotFound') && e.afterAmbiguousFailure)) {
          if (hasCode(e, 'LargePersonGroupNotFound')) this.forget(collectionId);
          throw toDomainError(e, this.ctx(collectionId));
        }
      }
      this.forget(collectionId);
      this.memo.forgetCollection(collectionId);
      await this.images.deleteCollection(collectionId).catch((e: unknown) => this.warn('could not delete the retained images', e, collectionId));
      await this.api.deleteLargeFaceList(collectionId, call).catch((e: unknown) => this.warn('could not delete the companion LargeFaceList (replaced on the next create)', e, collectionId));
    });
  }

  // ---- users -------------------------------------------------------------

  /** Users in creation order, from the index. */
  async listUsers(collectionId: string, page: PageRequest, call?: CallOptions): Promise<Page<UserRecord>> {
    this.assertOpen();
    const limit = pageLimit(page.limit);
    const after = decodePageToken('users', page.after);
    checkCollectionId(collectionId);
    const { index } = await this.index(collectionId, call);
    const users = index.sortedUsers();
    const from = after === undefined ? 0 : firstAfter(users, (u) => userKey(u), after);
    const items = users.slice(from, from + limit);
    const result: Page<UserRecord> = { items: items.map((u) => this.userRecord(index, u.userId)) };
    if (from + limit < users.length) result.nextToken = encodePageToken('users', userKey(items[items.length - 1]));
    return result;
  }

  async getUsers(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<(UserRecord | null)[]> {
    this.assertOpen();
    checkCollectionId(collectionId);
    const { index } = await this.index(collectionId, call);
    return userIds.map((id) => (index.users.has(id) ? this.userRecord(index, id) : null));
  }

  /** POST a person named after the user (its userData carries the userId and creation time). */
  async createUser(input: UserMutationInput, call?: CallOptions): Promise<UserRecord> {
    this.assertOpen();
    const { collectionId, userId } = input;
    checkCollectionId(collectionId);
    return this.mutate(input, call, 'CreateUser', { userId }, async ({ index }) => {
      if (index.users.has(userId)) {
        throw new DomainError('USER_ALREADY_EXISTS', `User "${userId}" already exists in collection "${collectionId}": expected a new user id, got one in use`, {
          collectionId,
          userId,
          provider: this.name,
        });
      }
      await this.addPerson(index, userId, call);
      return this.userRecord(index, userId);
    });
  }

  /** The user's faces go back to unassociated (their registry entries stay), then the person is deleted. */
  async deleteUser(input: UserMutationInput, call?: CallOptions): Promise<void> {
    this.assertOpen();
    const { collectionId, userId } = input;
    checkCollectionId(collectionId);
    await this.mutate<null>(input, call, 'DeleteUser', { userId }, async ({ index, trainer }) => {
      const user = index.users.get(userId);
      if (!user) throw this.userNotFound(input);
      const faces = index.facesOf(userId);
      this.refuseUnlisted(faces, userId, 'deleted with its user');
      try {
        await this.api.deletePerson(collectionId, user.personId, call);
      } catch (e) {
        if (!hasCode(e, 'PersonNotFound')) throw e;
      }
      index.removeUser(userId);
      await this.persons?.remove(collectionId, userId).catch((e: unknown) => this.warn(`could not forget the person of user ${userId} (a rebuild does)`, e, collectionId));
      if (faces.length > 0) {
        index.markChanged([]);
        trainer.schedule();
      }
      return null;
    });
  }

  // ---- faces -------------------------------------------------------------

  async listFaces(collectionId: string, filter: FaceFilter, page: PageRequest, call?: CallOptions): Promise<Page<FaceRecord>> {
    this.assertOpen();
    const limit = pageLimit(page.limit);
    if (filter.userId !== undefined && filter.unassociated === true) throw invalidInput('unassociated', 'not true together with userId', 'both');
    const signature = filter.userId !== undefined ? `u:${filter.userId}` : filter.unassociated === true ? 'unassociated' : undefined;
    const after = decodePageToken('faces', page.after, signature);
    checkCollectionId(collectionId);
    const { index } = await this.index(collectionId, call);
    const faces =
      filter.userId !== undefined
        ? index.facesOf(filter.userId)
        : filter.unassociated === true
          ? index.sortedFaces().filter((f) => f.userId === null)
          : index.sortedFaces();
    const from = after === undefined ? 0 : firstAfter(faces, faceKey, after);
    const items = faces.slice(from, from + limit);
    const result: Page<FaceRecord> = { items: items.map((f) => faceRecord(collectionId, f)) };
    if (from + limit < faces.length) result.nextToken = encodePageToken('faces', faceKey(items[items.length - 1]), signature);
    return result;
  }

  async getFaces(collectionId: string, faceIds: readonly string[], call?: CallOptions): Promise<(FaceRecord | null)[]> {
    this.assertOpen();
    checkCollectionId(collectionId);
    const { index } = await this.index(collectionId, call);
    return faceIds.map((id) => {
      const face = index.faces.get(id);
      return face ? faceRecord(collectionId, face) : null;
    });
  }

  async countUserFaces(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<number[]> {
    this.assertOpen();
    checkCollectionId(collectionId);
    const { index } = await this.index(collectionId, call);
    return userIds.map((id) => index.faceCountOf(id));
  }

  async listUserFaces(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<FaceRecord[][]> {
    this.assertOpen();
    checkCollectionId(collectionId);
    const { index } = await this.index(collectionId, call);
    return userIds.map((id) => index.facesOf(id).map((f) => faceRecord(collectionId, f)));
  }

  /**
   * detect (with qualityForRecognition), then one registry entry per face
   * to index (add-face with targetFace on the companion list). Like
   * Rekognition's QualityFilter AUTO: faces under 40 px are
   * SMALL_BOUNDING_BOX, quality "low" is LOW_CONFIDENCE. The same image with
   * the same externalImageId returns the faces indexed from it before.
   */
  async indexFaces(input: IndexFacesInput, call?: CallOptions): Promise<IndexFacesOutcome> {
    this.assertOpen();
    const { collectionId, image } = input;
    const externalImageId = input.externalImageId ?? null;
    const maxFaces = input.maxFaces ?? DEFAULT_MAX_FACES;
    if (!Number.isInteger(maxFaces) || maxFaces < 1) throw invalidInput('maxFaces', 'an integer ≥ 1', String(maxFaces));
    checkCollectionId(collectionId);
    const size = imageSize(image);
    return this.locked(collectionId, async () => {
      const { index } = await this.index(collectionId, call);
      const ctx = this.ctx(collectionId);
      const detected = await this.call(ctx, () => this.api.detect(image, { returnFaceId: false, detectionModel: this.detectionModel, quality: true }, call));
      const selected: FaceRectangle[] = [];
      const unindexedFaces: IndexFacesOutcome['unindexedFaces'] = [];
      for (const face of byArea(detected)) {
        const r = face.faceRectangle;
        const reasons: UnindexedReason[] = [];
        if (r.width < MIN_FACE_PIXELS || r.height < MIN_FACE_PIXELS) reasons.push('SMALL_BOUNDING_BOX');
        if (face.faceAttributes?.qualityForRecognition === 'low') reasons.push('LOW_CONFIDENCE');
        if (reasons.length === 0 && selected.length >= maxFaces) reasons.push('EXCEEDS_MAX_FACES');
        if (reasons.length > 0) unindexedFaces.push({ boundingBox: ratioBox(r, size), reasons });
        else selected.push(r);
      }
      const sha256 = createHash('sha256').update(image).digest('hex');
      const earlier = index.sortedFaces().filter((f) => f.data?.sha256 === sha256 && f.data.externalImageId === externalImageId);
      const faces: IndexedFace[] = [];
      const indexedAt = this.now();
      let retained = false;
      for (const [ordinal, r] of selected.entries()) {
        const repeat = earlier.find((f) => sameRect(f.data?.rect, r));
        if (repeat) {
          faces.push(repeat);
          continue;
        }
        if (!retained) {
          await this.images.put(collectionId, sha256, image);
          retained = true;
        }
        faces.push(await this.call(ctx, () => this.addToList(index, image, { externalImageId, sha256, rect: r, size, indexedAt, ordinal }, call)));
      }
      return { faces: faces.map((f) => faceRecord(collectionId, f)), unindexedFaces, faceModelVersion: RECOGNITION_MODEL };
    });
  }

  /** Deletes unassociated faces' registry entries; associated faces are refused (ASSOCIATED_TO_AN_EXISTING_USER). */
  async deleteFaces(collectionId: string, faceIds: readonly string[], call?: CallOptions): Promise<DeleteFacesOutcome> {
    this.assertOpen();
    checkCollectionId(collectionId);
    return this.locked(collectionId, async () => {
      const { index } = await this.index(collectionId, call);
      const outcome: DeleteFacesOutcome = { deletedFaceIds: [], unsuccessfulFaceDeletions: [] };
      const deletedShas: string[] = [];
      for (const faceId of [...new Set(faceIds)]) {
        const face = index.faces.get(faceId);
        if (face?.userId === null && face.data) deletedShas.push(face.data.sha256);
        if (!face) {
          outcome.unsuccessfulFaceDeletions.push({ faceId, userId: null, reasons: ['FACE_NOT_FOUND'] });
        } else if (face.userId !== null) {
          outcome.unsuccessfulFaceDeletions.push({ faceId, userId: face.userId, reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] });
        } else {
          try {
            await this.call(this.ctx(collectionId), () => this.api.deleteListFace(collectionId, faceId, call));
            outcome.deletedFaceIds.push(faceId);
          } catch (e) {
            if (!(e instanceof DomainError && e.details.providerCode === 'PersistedFaceNotFound')) throw e;
            outcome.unsuccessfulFaceDeletions.push({ faceId, userId: null, reasons: ['FACE_NOT_FOUND'] });
          }
          index.removeFace(faceId);
        }
      }
      await this.pruneImages(index, outcome.deletedFaceIds.length > 0 ? deletedShas : []);
      return outcome;
    });
  }

  async associateFaces(input: AssociateFacesInput, call?: CallOptions): Promise<AssociateFacesOutcome> {
    this.assertOpen();
    const { collectionId, userId, userMatchThreshold } = input;
    checkCollectionId(collectionId);
    return this.mutate(input, call, 'AssociateFaces', { userId, faceIds: input.faceIds, userMatchThreshold }, async ({ index, trainer }) => {
      const user = index.users.get(userId);
      if (!user) throw this.userNotFound(input);
      const outcome: AssociateFacesOutcome = { associatedFaceIds: [], unsuccessfulFaceAssociations: [], userStatus: index.userStatus(userId) };
      const owned = index.faceCountOf(userId);
      const candidates: (IndexedFace & { data: ListFaceData })[] = [];
      for (const faceId of [...new Set(input.faceIds)]) {
        const face = index.faces.get(faceId);
        if (!face) outcome.unsuccessfulFaceAssociations.push({ faceId, userId: null, confidence: null, reasons: ['FACE_NOT_FOUND'] });
        else if (face.userId === userId) continue; // already this user's: silently ignored
        else if (face.userId !== null) {
          outcome.unsuccessfulFaceAssociations.push({ faceId, userId: face.userId, confidence: null, reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] });
        } else if (face.data === null) {
          throw this.unsupported(`face "${faceId}" was not indexed through facegate (no source image or position is known), so it cannot be copied into user "${userId}"`);
        } else candidates.push(face as IndexedFace & { data: ListFaceData });
      }
      if (candidates.length === 0) return outcome;

      // Every source image first: without one a face cannot be re-extracted, and nothing may change.
      const images = new Map<string, Uint8Array>();
      for (const face of candidates) {
        if (images.has(face.data.sha256)) continue;
        const bytes = await this.images.get(collectionId, face.data.sha256);
        if (!bytes) {
          throw this.unsupported(
            `face "${face.faceId}" cannot be copied into user "${userId}": Azure AI Face keeps no images and this gateway no longer retains the source image (sha256 ${face.data.sha256}); index the image again and associate the new face`,
          );
        }
        images.set(face.data.sha256, bytes);
      }

      let accepted = candidates;
      if (owned > 0) {
        accepted = [];
        const ctx = this.ctx(collectionId, userId);
        const detections = new Map<string, DetectedFaceOut[]>();
        for (const face of candidates) {
          let detected = detections.get(face.data.sha256);
          if (!detected) {
            const bytes = images.get(face.data.sha256) as Uint8Array;
            detected = await this.call(ctx, () => this.api.detect(bytes, { returnFaceId: true, detectionModel: this.detectionModel, quality: false }, call));
            detections.set(face.data.sha256, detected);
          }
          const transient = bestMatch(detected, face.data.rect);
          if (!transient?.faceId) {
            throw new DomainError('PROVIDER_UNAVAILABLE', `Azure Face no longer detects face "${face.faceId}" in its source image: expected the face at ${face.data.rect.join(',')}, got none`, {
              provider: this.name,
              collectionId,
              operation: 'Detect',
            });
          }
          const verdict = await this.call(ctx, () => this.api.verify(collectionId, transient.faceId as string, user.personId, call));
          const confidence = Math.round(verdict.confidence * 100 * 1000) / 1000;
          if (confidence < userMatchThreshold) {
            outcome.unsuccessfulFaceAssociations.push({ faceId: face.faceId, userId: null, confidence, reasons: ['LOW_MATCH_CONFIDENCE'] });
          } else accepted.push(face);
        }
      }
      if (owned + accepted.length > MAX_FACES_PER_USER) {
        throw new DomainError(
          'QUOTA_EXCEEDED',
          `User "${userId}" in collection "${collectionId}" has ${owned} faces: expected at most ${MAX_FACES_PER_USER} after associating, got ${owned + accepted.length}; nothing was associated`,
          { collectionId, userId, provider: this.name },
        );
      }
      const ctx = this.ctx(collectionId, userId);
      try {
        for (const face of accepted) {
          await this.call(ctx, () => this.copyIntoPerson(index, user, face, images.get(face.data.sha256) as Uint8Array, call));
          outcome.associatedFaceIds.push(face.faceId);
        }
      } finally {
        if (outcome.associatedFaceIds.length > 0) {
          index.markChanged([userId]);
          trainer.schedule();
        }
      }
      outcome.userStatus = index.userStatus(userId);
      return outcome;
    });
  }

  async disassociateFaces(input: DisassociateFacesInput, call?: CallOptions): Promise<DisassociateFacesOutcome> {
    this.assertOpen();
    const { collectionId, userId } = input;
    checkCollectionId(collectionId);
    return this.mutate(input, call, 'DisassociateFaces', { userId, faceIds: input.faceIds }, async ({ index, trainer }) => {
      const user = index.users.get(userId);
      if (!user) throw this.userNotFound(input);
      const outcome: DisassociateFacesOutcome = { disassociatedFaceIds: [], unsuccessfulFaceDisassociations: [], userStatus: index.userStatus(userId) };
      const own: IndexedFace[] = [];
      for (const faceId of [...new Set(input.faceIds)]) {
        const face = index.faces.get(faceId);
        if (!face) outcome.unsuccessfulFaceDisassociations.push({ faceId, userId: null, reasons: ['FACE_NOT_FOUND'] });
        else if (face.userId === null) continue; // not associated (any more): ignored, not returned
        else if (face.userId !== userId) outcome.unsuccessfulFaceDisassociations.push({ faceId, userId: face.userId, reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] });
        else own.push(face);
      }
      this.refuseUnlisted(own, userId, 'disassociated');
      const ctx = this.ctx(collectionId, userId);
      try {
        for (const face of own) {
          try {
            await this.call(ctx, () => this.api.deletePersonFace(collectionId, user.personId, face.personFaceId as string, call));
          } catch (e) {
            if (!(e instanceof DomainError && e.details.providerCode === 'PersistedFaceNotFound')) throw e;
          }
          index.setFaceUser(face.faceId, null, null);
          outcome.disassociatedFaceIds.push(face.faceId);
        }
      } finally {
        if (outcome.disassociatedFaceIds.length > 0) {
          index.markChanged([userId]);
          trainer.schedule();
        }
      }
      outcome.userStatus = index.userStatus(userId);
      return outcome;
    });
  }

  /**
   * detect → (bounded wait for training) → identify of the largest face of
   * at least 40 px. No face → no matches and `searchedFace: null`. At most
   * 100 users (identify's candidate ceiling).
   */
  async searchUsersByImage(input: SearchUsersByImageInput, call?: CallOptions): Promise<SearchUsersByImageOutcome> {
    this.assertOpen();
    const { collectionId, userMatchThreshold, maxUsers } = input;
    if (!Number.isInteger(maxUsers) || maxUsers < 1) throw invalidInput('maxUsers', 'an integer ≥ 1', String(maxUsers));
    if (!(userMatchThreshold >= 0 && userMatchThreshold <= 100)) throw invalidInput('userMatchThreshold', 'a number 0..100', String(userMatchThreshold));
    checkCollectionId(collectionId);
    const size = imageSize(input.image);
    const { index, trainer } = await this.index(collectionId, call);
    const ctx = this.ctx(collectionId);
    const waitMs = this.options.searchTrainingWaitMs ?? 10_000;
    // The faceId must outlive the waits for training below (two at most) and the identify call.
    const faceIdTtlSeconds = (2 * waitMs + 2 * (this.options.requestTimeoutMs ?? 30_000)) / 1000 + 60;
    const detected = await this.call(ctx, () => this.api.detect(input.image, { returnFaceId: true, detectionModel: this.detectionModel, quality: false, faceIdTtlSeconds }, call));
    const face = byArea(detected).find((f) => f.faceRectangle.width >= MIN_FACE_PIXELS && f.faceRectangle.height >= MIN_FACE_PIXELS);
    if (!face?.faceId) return { userMatches: [], searchedFace: null };
    const searchedFace = { boundingBox: ratioBox(face.faceRectangle, size), confidence: 100 };
    if (!index.hasUserFaces()) return { userMatches: [], searchedFace };

    const identify = () => this.api.identify(collectionId, [face.faceId as string], Math.min(maxUsers, MAX_CANDIDATES), userMatchThreshold / 100, call);
    const results = await this.call(ctx, async (): Promise<IdentifyOut[]> => {
      try {
        if (!(await trainer.waitTrained(waitMs))) throw this.stillTraining(collectionId);
        return await identify();
      } catch (e) {
        if (hasCode(e, 'LargePersonGroupTrainingNotFinished')) {
          // A training this process did not start (another replica, a rebuild).
          if (!(await trainer.waitIdle(waitMs, call))) throw this.stillTraining(collectionId);
        } else if (hasCode(e, 'LargePersonGroupNotTrained')) {
          // Trained state lost behind our back (e.g. the group was re-created): train again.
          index.markChanged([...index.users.keys()]);
          if (!(await trainer.waitTrained(waitMs))) throw this.stillTraining(collectionId);
        } else {
          throw e;
        }
        return identify();
      }
    });
    const userMatches: SearchUsersByImageOutcome['userMatches'] = [];
    for (const c of results[0]?.candidates ?? []) {
      const userId = index.userByPerson.get(c.personId);
      const similarity = Math.round(c.confidence * 100 * 1000) / 1000;
      if (userId === undefined || similarity < userMatchThreshold) continue; // a person deleted since the training
      userMatches.push({ similarity, user: this.userRecord(index, userId) });
    }
    userMatches.sort((a, b) => b.similarity - a.similarity);
    return { userMatches: userMatches.slice(0, maxUsers), searchedFace };
  }

  // ---- gateway snapshots ---------------------------------------------------

  /**
   * Copies the collection into a gateway snapshot: users in creation order,
   * faces in index order with their boxes and retained source images, and
   * no descriptors (Azure keeps none; a local apply computes them from the
   * images). Holds the collection's lock, so no write of this gateway lands
   * half-way; the snapshot content is written in one store transaction.
   * A face facegate did not index (no retained image) makes it
   * UNSUPPORTED_OPERATION: it could not be re-created from the snapshot.
   */
  async exportToSnapshot(collectionId: string, snapshotId: string, onProgress: (p: CopyProgress) => void, call?: CallOptions): Promise<CopyOutcome> {
    this.assertOpen();
    checkCollectionId(collectionId);
    const store = this.requireStore('TAKE_SNAPSHOT');
    return this.locked(collectionId, async () => {
      const { index } = await this.index(collectionId, call);
      const users = index.sortedUsers();
      const faces = index.sortedFaces();
      const items = users.length + faces.length;
      const total = items + (this.azureSnapshots ? AzureSnapshots.units(index.hasFaceList ? 2 : 1) : 0);
      const orphan = faces.find((f) => f.data === null);
      if (orphan) throw this.unsupported(`face "${orphan.faceId}" of collection "${collectionId}" was not indexed through facegate (no source image is retained), so it cannot be put into a snapshot`, 'TakeSnapshot');
      await store.transaction(async (tx) => {
        await tx.clearSnapshotContent(snapshotId);
        await tx.insertSnapshotUsers(snapshotId, users.map((u, i) => ({ seq: i + 1, userId: u.userId, status: index.faceCountOf(u.userId) > 0 ? 'ACTIVE' : 'CREATED' })));
        let processed = users.length;
        onProgress({ processed, total });
        const copied = new Set<string>();
        for (let i = 0; i < faces.length; i += SNAPSHOT_CHUNK) {
          const chunk = faces.slice(i, i + SNAPSHOT_CHUNK) as (IndexedFace & { data: ListFaceData })[];
          for (const { faceId, data } of chunk) {
            if (copied.has(data.sha256)) continue;
            const bytes = await this.images.get(collectionId, data.sha256);
            if (!bytes) throw this.unsupported(`face "${faceId}" cannot be put into a snapshot: its source image (sha256 ${data.sha256}) is no longer retained`, 'TakeSnapshot');
            await tx.putSnapshotImage(snapshotId, data.sha256, bytes);
            copied.add(data.sha256);
          }
          await tx.insertSnapshotFaces(
            snapshotId,
            chunk.map((f, j) => {
              const record = faceRecord(collectionId, f);
              return {
                seq: i + j + 1,
                faceId: f.faceId,
                userId: f.userId,
                externalImageId: record.externalImageId,
                boundingBox: record.boundingBox as BoundingBox,
                confidence: 100,
                descriptor: new Float32Array(0),
                imageSha256: f.data.sha256,
                indexedAt: new Date(f.data.indexedAt),
              };
            }),
          );
          processed += chunk.length;
          onProgress({ processed, total });
        }
      });
      await this.azureSnapshots?.take(collectionId, index.hasFaceList, snapshotId, (done) => onProgress({ processed: items + done, total }), call);
      return { userCount: users.length, faceCount: faces.length };
    });
  }

  /**
   * Creates the collection and re-creates the snapshot's users and faces:
   * each face is found again by Azure in its image (the detected face at the
   * snapshot's box), added to the registry and, when it had a user, copied
   * into the person. New face ids; users, associations, external image ids
   * and index times are kept. One training follows (debounced).
   */
  async importFromSnapshot(snapshotId: string, targetCollectionId: string, onProgress: (p: CopyProgress) => Promise<void>, call?: CallOptions): Promise<CopyOutcome> {
    this.assertOpen();
    const store = this.requireStore('APPLY_SNAPSHOT');
    const snapshot = await store.getSnapshot(snapshotId);
    if (!snapshot) throw snapshotGone(snapshotId);
    const azure = await this.azureSnapshots?.recordOf(snapshotId);
    if (azure && this.azureSnapshots) {
      checkCollectionId(targetCollectionId);
      const units = AzureSnapshots.units(azure.list === null ? 1 : 2);
      await this.locked(targetCollectionId, async () => {
        this.forget(targetCollectionId);
        await (this.azureSnapshots as AzureSnapshots).apply(snapshotId, azure, targetCollectionId, (done) => onProgress({ processed: done, total: units }), call);
        await this.copySnapshotImages(store, snapshotId, targetCollectionId);
        this.forget(targetCollectionId);
      });
      return { userCount: snapshot.userCount, faceCount: snapshot.faceCount };
    }
    await this.createCollection(targetCollectionId, call);
    const total = snapshot.userCount + snapshot.faceCount;
    let processed = 0;
    // An empty page ends a listing only if the snapshot still exists (a deleted one reads as empty).
    const ended = async () => {
      if (!(await store.getSnapshot(snapshotId))) throw snapshotGone(snapshotId);
      return true;
    };
    return this.locked(targetCollectionId, async () => {
      const { index, trainer } = await this.index(targetCollectionId, call);
      const ctx = this.ctx(targetCollectionId);
      const changed = new Set<string>();
      try {
        for (let after: number | null = null; ; ) {
          const users = await store.listSnapshotUsers(snapshotId, { after, limit: SNAPSHOT_CHUNK });
          if (users.length === 0 && (await ended())) break;
          for (const u of users) {
            await this.call(ctx, () => this.addPerson(index, u.userId, call));
            await onProgress({ processed: ++processed, total });
          }
          after = users[users.length - 1].seq;
        }
        for (let after: number | null = null; ; ) {
          const faces = await store.listSnapshotFaces(snapshotId, { after, limit: SNAPSHOT_CHUNK });
          if (faces.length === 0 && (await ended())) break;
          const images = new Map<string, { bytes: Uint8Array; size: ImageSize; detected: DetectedFaceOut[] }>();
          for (const [ordinal, f] of faces.entries()) {
            const sha256 = f.imageSha256;
            let image = sha256 ? images.get(sha256) : undefined;
            if (sha256 && !image) {
              const bytes = await store.getSnapshotImage(snapshotId, sha256);
              if (bytes) {
                const detected = await this.call(ctx, () => this.api.detect(bytes, { returnFaceId: false, detectionModel: this.detectionModel, quality: false }, call));
                image = { bytes, size: imageSize(bytes), detected };
                images.set(sha256, image);
                await this.images.put(targetCollectionId, sha256, bytes);
              }
            }
            if (!sha256 || !image) throw this.unsupported(`face "${f.faceId}" of snapshot ${snapshotId} has no source image, and Azure AI Face can only add faces from images`, 'ApplySnapshot');
            const { bytes, size, detected } = image;
            const box = f.boundingBox;
            const target = { left: box.left * size.width, top: box.top * size.height, width: box.width * size.width, height: box.height * size.height };
            const found = faceAtBox(detected, target, (d) => d.faceRectangle);
            if (!found) throw this.unsupported(`Azure AI Face finds no face at the box of face "${f.faceId}" of snapshot ${snapshotId} in its image`, 'ApplySnapshot');
            const face = await this.call(ctx, () =>
              this.addToList(index, bytes, { externalImageId: f.externalImageId, sha256, rect: found.faceRectangle, size, indexedAt: f.indexedAt.getTime(), ordinal }, call),
            );
            if (f.userId !== null) {
              const user = index.users.get(f.userId);
              if (!user) throw new Error(`snapshot ${snapshotId}: face ${f.faceId} names user ${f.userId}, who is not in the snapshot`);
              await this.call(ctx, () => this.copyIntoPerson(index, user, face as IndexedFace & { data: ListFaceData }, bytes, call));
              changed.add(f.userId);
            }
            await onProgress({ processed: ++processed, total });
          }
          after = faces[faces.length - 1].seq;
        }
      } finally {
        if (changed.size > 0) {
          index.markChanged([...changed]);
          trainer.schedule();
        }
      }
      return { userCount: snapshot.userCount, faceCount: snapshot.faceCount };
    });
  }

  /** For an instance on Azure's Snapshot API: SNAPSHOT_EXPIRED when Azure no longer holds the snapshot. */
  async checkApplicable(snapshotId: string, call?: CallOptions): Promise<void> {
    const record = await this.azureSnapshots?.recordOf(snapshotId);
    if (record) await this.azureSnapshots?.check(snapshotId, record, call);
  }

  /** Retains the images of a snapshot's faces for the target collection (Azure's apply copies no images). */
  private async copySnapshotImages(store: Store, snapshotId: string, targetCollectionId: string): Promise<void> {
    const copied = new Set<string>();
    for (let after: number | null = null; ; ) {
      const faces = await store.listSnapshotFaces(snapshotId, { after, limit: SNAPSHOT_CHUNK });
      if (faces.length === 0) return;
      for (const { imageSha256: sha256 } of faces) {
        if (!sha256 || copied.has(sha256)) continue;
        const bytes = await store.getSnapshotImage(snapshotId, sha256);
        if (bytes) await this.images.put(targetCollectionId, sha256, bytes);
        copied.add(sha256);
      }
      after = faces[faces.length - 1].seq;
    }
  }

  // ---- training ----------------------------------------------------------

  observeTraining(rounds: TrainingRounds): void {
    this.rounds = rounds;
  }

  /** Starts a training round of the collection now; resolves to its operation id once it started. */
  async trainCollection(collectionId: string, call?: CallOptions): Promise<string | null> {
    this.assertOpen();
    checkCollectionId(collectionId);
    const { trainer } = await this.index(collectionId, call);
    return trainer.trainNow();
  }

  /** Stops trainings; later calls fail with PROVIDER_UNAVAILABLE. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.loaded.values()) entry.then((l) => l.trainer.close(), () => undefined);
    this.loaded.clear();
  }

  // ---- helpers -----------------------------------------------------------

  private ctx(collectionId?: string, userId?: string): CallContext {
    return { provider: this.name, collectionId, userId };
  }

  /** One Azure call (with the transport's retries), failures mapped; a vanished group drops its index. */
  private async call<T>(ctx: CallContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.mapError(e, ctx);
    }
  }

  private mapError(e: unknown, ctx: CallContext): DomainError {
    if (ctx.collectionId !== undefined && hasCode(e, 'LargePersonGroupNotFound')) this.forget(ctx.collectionId);
    return toDomainError(e, ctx);
  }

  /** The collection's index, rebuilt from Azure on first use (or when older than `indexMaxAgeMs`). */
  private async index(collectionId: string, call: CallOptions | undefined): Promise<Loaded> {
    const cached = this.loaded.get(collectionId);
    if (cached) {
      const loaded = await cached;
      const maxAge = this.options.indexMaxAgeMs;
      if (maxAge === undefined || this.now() - loaded.index.loadedAt < maxAge || loaded.trainer.busy) return loaded;
      if (this.loaded.get(collectionId) === cached) this.forget(collectionId);
      return this.index(collectionId, call);
    }
    const loading = (async (): Promise<Loaded> => {
      const recorded = (await this.persons?.load(collectionId)) ?? new Map<string, string>();
      const result = await this.call(this.ctx(collectionId), () => loadIndex(this.api, collectionId, this.now(), this.concurrency, recorded, call));
      const current = new Map([...result.index.users.values()].map((u) => [u.userId, u.personId]));
      await this.persons?.reconcile(collectionId, recorded, current).catch((e: unknown) => this.warn('could not record the rebuilt person index', e, collectionId));
      const loaded = { index: result.index, trainer: this.trainerFor(result.index) };
      for (const repair of result.repairs) {
        void this.api.updateListFace(collectionId, repair.faceId, encodeListFace(repair.data), call).catch((e: unknown) => this.warn(`could not repair the link of face ${repair.faceId}`, e, collectionId));
      }
      if (result.needsTraining) loaded.trainer.schedule();
      return loaded;
    })();
    this.loaded.set(collectionId, loading);
    loading.catch(() => {
      if (this.loaded.get(collectionId) === loading) this.loaded.delete(collectionId);
    });
    return loading;
  }

  /** Creates the person of a new user and records it. Throws transport errors. */
  private async addPerson(index: CollectionIndex, userId: string, call: CallOptions | undefined): Promise<IndexedUser> {
    const { collectionId } = index;
    // Strictly increasing within the process: users created in one millisecond still list in creation order.
    const createdAt = (this.lastUserCreatedAt = Math.max(this.now(), this.lastUserCreatedAt + 1));
    const nonce = newNonce();
    const { personId } = await this.api.createPerson(collectionId, { name: userId, userData: encodePerson({ userId, createdAt, nonce }) },
      () => this.findPersonByNonce(collectionId, nonce, call),
      call,
    );
    const user: IndexedUser = { userId, personId, createdAt, changedSeq: 0 };
    index.addUser(user);
    await this.persons?.put(collectionId, userId, personId).catch((e: unknown) => this.warn(`could not record person ${personId} of user ${userId} (a rebuild records it)`, e, collectionId));
    return user;
  }

  /**
   * Adds one face of `image` (already retained under `face.sha256`) to the
   * collection's registry list; its persistedFaceId becomes the face id.
   * Throws transport errors.
   */
  private async addToList(
    index: CollectionIndex,
    image: Uint8Array,
    face: { externalImageId: string | null; sha256: string; rect: FaceRectangle; size: ImageSize; indexedAt: number; ordinal: number },
    call: CallOptions | undefined,
  ): Promise<IndexedFace> {
    if (!index.hasFaceList) await this.ensureFaceList(index, call);
    const r = face.rect;
    const data: ListFaceData = {
      externalImageId: face.externalImageId,
      sha256: face.sha256,
      rect: [r.left, r.top, r.width, r.height],
      size: [face.size.width, face.size.height],
      indexedAt: face.indexedAt,
      ordinal: face.ordinal,
      nonce: newNonce(),
      personId: null,
      personFaceId: null,
      associatedAt: null,
    };
    const { persistedFaceId } = await this.api.addListFace(index.collectionId, image, { targetFace: r, detectionModel: this.detectionModel, userData: encodeListFace(data) },
      () => this.findListFaceByNonce(index.collectionId, data.nonce, call),
      call,
    );
    const added: IndexedFace = { faceId: persistedFaceId, data, inList: true, userId: null, personFaceId: null };
    index.addFace(added);
    return added;
  }

  /**
   * Copies a registry face into a user's person (re-extracted from its
   * source `image`), records the link on the registry entry (best effort: a
   * rebuild finds it from the person side). The caller marks the change.
   */
  private async copyIntoPerson(
    index: CollectionIndex,
    user: { userId: string; personId: string },
    face: IndexedFace & { data: ListFaceData },
    image: Uint8Array,
    call: CallOptions | undefined,
  ): Promise<void> {
    const { collectionId } = index;
    const associatedAt = this.now();
    const { persistedFaceId } = await this.api.addPersonFace(
      collectionId,
      user.personId,
      image,
      { targetFace: rectOf(face.data.rect), detectionModel: this.detectionModel, userData: encodePersonFace({ faceId: face.faceId, associatedAt }) },
      () => this.findPersonFace(collectionId, user.personId, face.faceId, index, call),
      call,
    );
    index.setFaceUser(face.faceId, user.userId, persistedFaceId);
    const data: ListFaceData = { ...face.data, personId: user.personId, personFaceId: persistedFaceId, associatedAt };
    face.data = data;
    await this.api.updateListFace(collectionId, face.faceId, encodeListFace(data), call).catch((e: unknown) => this.warn(`could not record the link of face ${face.faceId} (a rebuild finds it from the person)`, e, collectionId));
  }

  /** Forgets retained images of `sha256s` that no face of the collection references any more. */
  private async pruneImages(index: CollectionIndex, sha256s: readonly string[]): Promise<void> {
    if (sha256s.length === 0) return;
    const used = new Set([...index.faces.values()].map((f) => f.data?.sha256));
    const unused = [...new Set(sha256s)].filter((sha) => !used.has(sha));
    await this.images.delete(index.collectionId, unused).catch((e: unknown) => this.warn('could not delete unused retained images', e, index.collectionId));
  }

  private trainerFor(index: CollectionIndex): Trainer {
    return new Trainer(
      this.api,
      index,
      {
        debounceMs: this.options.trainDebounceMs ?? 2000,
        pollMs: this.options.trainingPollMs ?? 1000,
        timeoutMs: this.options.trainingTimeoutMs ?? 30 * 60 * 1000,
        onError: (e) => this.warn('training failed', e, index.collectionId),
        rounds: () => this.rounds,
      },
      this.ctx(index.collectionId),
    );
  }

  /** Drops a collection's cached index (and stops its trainer). */
  private forget(collectionId: string): void {
    const entry = this.loaded.get(collectionId);
    if (!entry) return;
    this.loaded.delete(collectionId);
    entry.then((l) => l.trainer.close(), () => undefined);
  }

  /** Runs `fn` holding the collection's lock: mutations of one collection never interleave. */
  private async locked<T>(collectionId: string, fn: () => Promise<T>): Promise<T> {
    let lock = this.locks.get(collectionId);
    if (!lock) this.locks.set(collectionId, (lock = new AsyncMutex()));
    const release = await lock.acquire();
    try {
      return await fn();
    } finally {
      release();
      if (lock.pending === 0) this.locks.delete(collectionId);
      // Every locked call may have changed Azure (even a failed one, part-way): other replicas re-read.
      this.options.changes?.publish(`${this.name}:${collectionId}`, this.replicaId);
    }
  }

  /** A user mutation: locked, ClientRequestToken-aware, Azure failures mapped. */
  private mutate<T>(input: UserMutationInput, call: CallOptions | undefined, operation: string, request: unknown, fn: (loaded: Loaded) => Promise<T>): Promise<T> {
    const { collectionId, clientRequestToken } = input;
    return this.locked(collectionId, async () => {
      const loaded = await this.index(collectionId, call);
      return this.memo.run(collectionId, operation, clientRequestToken, request, async () => {
        try {
          return await fn(loaded);
        } catch (e) {
          throw this.mapError(e, this.ctx(collectionId, input.userId));
        }
      });
    });
  }

  /** Creates the companion list; a leftover of ours (from an interrupted delete) is replaced, someone else's is refused. */
  private async createFaceList(collectionId: string, nonce: string, call: CallOptions | undefined): Promise<void> {
    const body = { name: `facegate faces of ${collectionId}`, userData: encodeFaceList(nonce) };
    try {
      await this.api.createLargeFaceList(collectionId, body, call);
      return;
    } catch (e) {
      if (!hasCode(e, 'LargeFaceListExists')) throw e;
    }
    const existing = decodeFaceList((await this.api.getLargeFaceList(collectionId, call)).userData);
    if (existing === nonce) return; // our own earlier attempt
    if (existing === null) {
      throw new DomainError(
        'COLLECTION_ALREADY_EXISTS',
        `Collection "${collectionId}" cannot be created in provider "${this.name}": expected no LargeFaceList "${collectionId}" (facegate keeps a collection's faces there), got one not made by facegate`,
        { collectionId, provider: this.name, providerCode: 'LargeFaceListExists' },
      );
    }
    await this.api.deleteLargeFaceList(collectionId, call);
    await this.api.createLargeFaceList(collectionId, body, call);
  }

  /** For a group made outside facegate (or whose list was lost): creates the companion list. */
  private async ensureFaceList(index: CollectionIndex, call: CallOptions | undefined): Promise<void> {
    try {
      await this.api.createLargeFaceList(index.collectionId, { name: `facegate faces of ${index.collectionId}`, userData: encodeFaceList(newNonce()) }, call);
    } catch (e) {
      if (!hasCode(e, 'LargeFaceListExists')) throw e;
    }
    index.hasFaceList = true;
  }

  private async groupNonce(collectionId: string, call: CallOptions | undefined): Promise<string | null> {
    return decodeCollection((await this.api.getLargePersonGroup(collectionId, call)).userData)?.nonce ?? null;
  }

  /** Recovery of a create-person whose answer was lost: the person carrying `nonce`, if it was made. */
  private async findPersonByNonce(collectionId: string, nonce: string, call: CallOptions | undefined): Promise<{ personId: string } | null> {
    let start: string | undefined;
    for (;;) {
      const persons = await this.api.listPersons(collectionId, start, AZURE_PAGE, call);
      const hit = persons.find((p) => decodePerson(p.userData)?.nonce === nonce);
      if (hit) return { personId: hit.personId };
      if (persons.length < AZURE_PAGE) return null;
      start = persons[persons.length - 1].personId;
    }
  }

  /** Recovery of an add-face to the list whose answer was lost. */
  private async findListFaceByNonce(collectionId: string, nonce: string, call: CallOptions | undefined): Promise<{ persistedFaceId: string } | null> {
    let start: string | undefined;
    for (;;) {
      const faces = await this.api.listListFaces(collectionId, start, AZURE_PAGE, call);
      const hit = faces.find((f) => decodeListFace(f.userData)?.nonce === nonce);
      if (hit) return { persistedFaceId: hit.persistedFaceId };
      if (faces.length < AZURE_PAGE) return null;
      start = faces[faces.length - 1].persistedFaceId;
    }
  }

  /** Recovery of an add-face to a person whose answer was lost: its copy of `faceId`, if made. */
  private async findPersonFace(collectionId: string, personId: string, faceId: string, index: CollectionIndex, call: CallOptions | undefined): Promise<{ persistedFaceId: string } | null> {
    const person = await this.api.getPerson(collectionId, personId, call);
    const known = new Set([...index.faces.values()].map((f) => f.personFaceId));
    for (const id of person.persistedFaceIds ?? []) {
      if (known.has(id)) continue;
      const face = await this.api.getPersonFace(collectionId, personId, id, call);
      if (decodePersonFace(face.userData)?.faceId === faceId) return { persistedFaceId: id };
    }
    return null;
  }

  private warn(what: string, error: unknown, collectionId: string): void {
    const e = toDomainError(error, this.ctx(collectionId));
    this.options.logger?.warn({ provider: this.name, collectionId, code: e.code, providerCode: e.details.providerCode }, `azure-face: ${what}: ${e.message}`);
  }

  private userRecord(index: CollectionIndex, userId: string): UserRecord {
    return { collectionId: index.collectionId, userId, status: index.userStatus(userId) };
  }

  /** Faces found only inside a person (added by other tools) would be lost by leaving it. */
  private refuseUnlisted(faces: readonly IndexedFace[], userId: string, what: string): void {
    const unlisted = faces.find((f) => !f.inList);
    if (unlisted) {
      throw this.unsupported(`face "${unlisted.faceId}" of user "${userId}" exists only inside the Azure person (it was not indexed through facegate), so it would be lost if ${what}`, what === 'disassociated' ? 'DisassociateFaces' : 'DeleteUser');
    }
  }

  /** The gateway store, which gateway snapshots live in; UNSUPPORTED_OPERATION for a provider built without one. */
  private requireStore(operation: 'TAKE_SNAPSHOT' | 'APPLY_SNAPSHOT'): Store {
    if (!this.options.store) throw this.unsupported('snapshots need the gateway store, and this provider was built without one', operation);
    return this.options.store;
  }

  private unsupported(message: string, operation = 'AssociateFaces'): DomainError {
    return new DomainError('UNSUPPORTED_OPERATION', `Provider "${this.name}" (Azure AI Face): ${message}`, { provider: this.name, operation });
  }

  private stillTraining(collectionId: string): DomainError {
    const retryAfterMs = Math.max(this.options.trainingPollMs ?? 1000, 1000);
    return new DomainError(
      'THROTTLED',
      `Collection "${collectionId}" of provider "${this.name}" is being trained by Azure AI Face: expected identification to be possible, got training still running after ${this.options.searchTrainingWaitMs ?? 10_000} ms; retry after ${retryAfterMs} ms`,
      { provider: this.name, collectionId, retryAfterMs, providerCode: 'LargePersonGroupTrainingNotFinished' },
    );
  }

  private userNotFound(input: UserMutationInput): DomainError {
    return new DomainError(
      'USER_NOT_FOUND',
      `User "${input.userId}" not found in collection "${input.collectionId}": expected an existing user id, got an unknown one`,
      { collectionId: input.collectionId, userId: input.userId, provider: this.name },
    );
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new DomainError('PROVIDER_UNAVAILABLE', `Provider "${this.name}" is unavailable: expected an open provider, got one that was closed`, {
        provider: this.name,
      });
    }
  }
}

// ---- mapping helpers ---------------------------------------------------------

/** INVALID_INPUT unless the id is valid for Azure (lowercase letters, digits, "-", "_", 1..64). */
function checkCollectionId(collectionId: string): void {
  if (AZURE_COLLECTION_ID.test(collectionId)) return;
  const shown = collectionId.length > 40 ? `a ${collectionId.length}-character string` : JSON.stringify(collectionId);
  const hint = /[A-Z]/.test(collectionId) && AZURE_COLLECTION_ID.test(collectionId.toLowerCase()) ? ` (not case-folded: use ${JSON.stringify(collectionId.toLowerCase())} explicitly)` : '';
  throw new DomainError(
    'INVALID_INPUT',
    `collectionId: expected 1..64 lowercase letters, digits, "-" or "_" (Azure AI Face LargePersonGroup ids are lowercase-only), got ${shown}${hint}`,
    { field: 'collectionId' },
  );
}

function imageSize(image: Uint8Array): ImageSize {
  const size = readImageSize(image);
  if (!size) {
    throw new DomainError('INVALID_IMAGE', 'image: expected a JPEG or PNG image (GIF and BMP are accepted too) whose pixel size can be read, got bytes of no such format', {
      field: 'image',
    });
  }
  return size;
}

function record(loaded: Loaded | CollectionIndex): CollectionRecord {
  const index = loaded instanceof CollectionIndex ? loaded : loaded.index;
  return {
    collectionId: index.collectionId,
    faceModelVersion: index.faceModelVersion,
    faceCount: index.faces.size,
    userCount: index.users.size,
    createdAt: index.createdAt,
  };
}

function faceRecord(collectionId: string, face: IndexedFace): FaceRecord {
  const d = face.data;
  return {
    collectionId,
    faceId: face.faceId,
    userId: face.userId,
    externalImageId: d?.externalImageId ?? null,
    boundingBox: d ? ratioBox(rectOf(d.rect), { width: d.size[0], height: d.size[1] }) : null,
    confidence: null,
    indexedAt: d ? new Date(d.indexedAt) : null,
  };
}

const clamp01 = (n: number) => Math.min(1, Math.max(0, n));

function ratioBox(r: FaceRectangle, size: ImageSize): BoundingBox {
  return {
    left: clamp01(r.left / size.width),
    top: clamp01(r.top / size.height),
    width: clamp01(r.width / size.width),
    height: clamp01(r.height / size.height),
  };
}

const rectOf = (r: readonly number[]): FaceRectangle => ({ left: r[0], top: r[1], width: r[2], height: r[3] });

function sameRect(stored: readonly number[] | undefined, r: FaceRectangle): boolean {
  return stored !== undefined && stored[0] === r.left && stored[1] === r.top && stored[2] === r.width && stored[3] === r.height;
}

/** Largest first (Azure promises it; sorted anyway, stable). */
function byArea(faces: readonly DetectedFaceOut[]): DetectedFaceOut[] {
  return [...faces].sort((a, b) => b.faceRectangle.width * b.faceRectangle.height - a.faceRectangle.width * a.faceRectangle.height);
}

function snapshotGone(snapshotId: string): DomainError {
  return new DomainError('SNAPSHOT_NOT_FOUND', `snapshot ${snapshotId} was deleted while it was being applied`, { snapshotId });
}

/** The detected face overlapping `rect` best (IoU ≥ 0.5). */
function bestMatch(detected: readonly DetectedFaceOut[], rect: readonly number[]): DetectedFaceOut | undefined {
  const target = rectOf(rect);
  let best: DetectedFaceOut | undefined;
  let score = 0.5;
  for (const f of detected) {
    const s = iou(f.faceRectangle, target);
    if (s >= score) [best, score] = [f, s];
  }
  return best;
}


/** Index of the first item whose key sorts after `after` (binary search over sorted items). */
function firstAfter<T>(items: readonly T[], key: (item: T) => readonly (string | number)[], after: readonly (string | number)[]): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(key(items[mid]), after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const newNonce = () => randomBytes(6).toString('base64url');
