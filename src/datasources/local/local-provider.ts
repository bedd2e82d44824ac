/**
 * The `local` provider: Rekognition's collections/users/faces semantics on
 * the embedded store and the in-process face engine, with no account and no
 * network.
 *
 * Every mutation is one store transaction that decides first and writes
 * second, so a failed call writes nothing. Inference runs before the
 * transaction, never inside it (it would hold the write lock for ~0.6 s).
 *
 * Quota: an AssociateFaces call that would take a user past 100 faces fails
 * as a whole with QUOTA_EXCEEDED (as Rekognition's
 * ServiceQuotaExceededException does) — no face of that call is associated.
 *
 * ClientRequestToken: scoped per provider instance + collection + operation
 * and stored in the same transaction as the write. Same token and same input
 * → the first outcome replayed, success or domain failure, whatever changed
 * since; same token and other input → IDEMPOTENCY_CONFLICT. Failures that
 * depend on nothing the call could change (COLLECTION_NOT_FOUND, throttling,
 * unavailability) are not recorded, so a retry can still succeed. Tokens are
 * remembered for `idempotencyRetentionMs` and go with their collection.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DomainError, invalidInput } from '../../domain/errors.js';
import { similarity } from '../../engine/similarity.js';
import type { DetectionResult, FaceEngineApi } from '../../engine/types.js';
import type { CollectionRow, FaceRow, Store, StoreReader, StoreTx } from '../../store/store.js';
import { CAPABILITIES, type Capability, type CollectionRecord, type FaceRecord, type ProviderKind, type UserRecord } from '../../domain/records.js';
import { type AssociateFacesInput, type AssociateFacesOutcome, type CallOptions, type DeleteFacesOutcome, type DisassociateFacesInput, type DisassociateFacesOutcome, type FaceFilter, type FaceProvider, type IndexFacesInput, type IndexFacesOutcome, type Page, type PageRequest, type SearchUsersByImageInput, type SearchUsersByImageOutcome, type UserMutationInput, type CopyOutcome, type CopyProgress, type SnapshotCapable } from '../provider.js';
import type { ChangeFeed } from '../definition.js';
import { matchEarlierFaces } from './duplicate-faces.js';
import { fromEngineError } from './errors.js';
import { searchableFace, selectFaces } from './face-selection.js';
import {
  decodeOutcome,
  encodeOutcome,
  idempotencyConflict,
  requestHash,
  type IdempotentOperation,
  type Outcome,
} from './idempotency.js';
import {
  DEFAULT_IDEMPOTENCY_RETENTION_MS,
  DEFAULT_MAX_FACES,
  MAX_FACES_PER_COLLECTION,
  MAX_FACES_PER_USER,
} from './limits.js';
import { decodePageToken, encodePageToken, pageLimit, type PageListing } from './page-token.js';
import { toCollectionRecord, toFaceRecord, toUserRecord } from './records.js';
import { UserFaceIndexes, type UserFaceChange } from './user-face-index.js';
import { exportCollection, importSnapshot } from './snapshot-copy.js';

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
   * are invalidated through it: a replica drops its index of a collection
   * when another replica changed the collection's associations, and reloads
   * it from the store on the next search (read-through).
   */
  changes?: ChangeFeed;
}

/** A decision taken inside a transaction before anything is written. */
type Decision<T> = { fail: DomainError } | { commit: () => Promise<T> };

/** How often expired idempotency records are swept, at most. */
const PRUNE_INTERVAL_MS = 60_000;

/** The `local` provider. */
export class LocalProvider implements FaceProvider, SnapshotCapable {
  readonly name: string;
  readonly kind: ProviderKind = 'LOCAL';
  /** Everything but TRAIN_COLLECTION: its search sees every write at once, there is nothing to train. */
  readonly capabilities: ReadonlySet<Capability> = new Set(CAPABILITIES.filter((c) => c !== 'TRAIN_COLLECTION'));

  private readonly store: Store;
  private readonly engine: FaceEngineApi;
  private readonly indexes: UserFaceIndexes;
  private readonly retentionMs: number;
  private readonly now: () => Date;
  private lastPrune = 0;
  private closed = false;

  constructor(options: LocalProviderOptions) {
    this.name = options.name;
    this.store = options.store;
    this.engine = options.engine;
    this.indexes = new UserFaceIndexes(options.store);
    this.retentionMs = options.idempotencyRetentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS;
    this.now = options.now ?? (() => new Date());
    this.changes = options.changes;
    this.changes?.onMessage((key, from) => {
      const cut = key.lastIndexOf(':');
      if (from !== this.replicaId && key.slice(0, cut) === this.name) this.indexes.drop(Number(key.slice(cut + 1)));
    });
    this.changes?.onReconnect(() => this.indexes.clear());
  }

  private readonly changes: ChangeFeed | undefined;
  /** Tells this replica's own change messages from others'. */
  private readonly replicaId = randomUUID();

  /** Announces to other replicas that a collection's associations changed. */
  private announce(collectionKey: number): void {
    this.changes?.publish(`${this.name}:${collectionKey}`, this.replicaId);
  }

  // ---- collections -------------------------------------------------------

  async listCollections(page: PageRequest): Promise<Page<CollectionRecord>> {
    this.assertOpen();
    const limit = pageLimit(page.limit);
    const rows = await this.store.listCollections(this.name, {
      after: decodePageToken('collections', page.after),
      limit: limit + 1,
    });
    return toPage(rows, limit, 'collections', (r) => r.key, toCollectionRecord);
  }

  async getCollections(collectionIds: readonly string[]): Promise<(CollectionRecord | null)[]> {
    this.assertOpen();
    const rows = await this.store.getCollections(this.name, collectionIds);
    const byId = new Map(rows.map((r) => [r.collectionId, toCollectionRecord(r)]));
    return collectionIds.map((id) => byId.get(id) ?? null);
  }

  async createCollection(collectionId: string): Promise<CollectionRecord> {
    this.assertOpen();
    const row = await this.store.transaction(async (tx) => {
      if (await tx.getCollection(this.ref(collectionId))) {
        throw new DomainError(
          'COLLECTION_ALREADY_EXISTS',
          `Collection "${collectionId}" already exists in provider "${this.name}": expected a new collection id, got one in use`,
          { collectionId, provider: this.name },
        );
      }
      return tx.insertCollection({
        ...this.ref(collectionId),
        faceModelVersion: this.engine.modelVersion,
        createdAt: this.now(),
      });
    });
    return toCollectionRecord(row);
  }

  async deleteCollection(collectionId: string): Promise<void> {
    this.assertOpen();
    await this.store.transaction(async (tx) => {
      const collection = await this.requireCollection(tx, collectionId);
      await tx.deleteCollection(collection.key);
      tx.afterCommit(() => {
        this.indexes.drop(collection.key);
        this.announce(collection.key);
      });
    });
  }

  /** The store's data version: everything this provider answers comes from the store. */
  readVersion(): number | undefined {
    return this.closed ? undefined : this.store.dataVersion();
  }

  // ---- users -------------------------------------------------------------

  async listUsers(collectionId: string, page: PageRequest): Promise<Page<UserRecord>> {
    this.assertOpen();
    const limit = pageLimit(page.limit);
    const after = decodePageToken('users', page.after);
    const collection = await this.requireCollection(this.store, collectionId);
    const rows = await this.store.listUsers(collection.key, { after, limit: limit + 1 });
    return toPage(rows, limit, 'users', (r) => r.seq, (r) => toUserRecord(r, collectionId));
  }

  async getUsers(collectionId: string, userIds: readonly string[]): Promise<(UserRecord | null)[]> {
    this.assertOpen();
    const rows = (await this.store.findUsers(this.ref(collectionId), userIds)) ?? this.collectionNotFound(collectionId);
    const byId = new Map(rows.map((r) => [r.userId, toUserRecord(r, collectionId)]));
    return userIds.map((id) => byId.get(id) ?? null);
  }

  async createUser(input: UserMutationInput): Promise<UserRecord> {
    this.assertOpen();
    const { collectionId, userId } = input;
    return this.idempotent('CreateUser', input, { userId }, async (tx, collection) => {
      if (await tx.getUser(collection.key, userId)) {
        return {
          fail: new DomainError(
            'USER_ALREADY_EXISTS',
            `User "${userId}" already exists in collection "${collectionId}": expected a new user id, got one in use`,
            { collectionId, userId },
          ),
        };
      }
      return {
        commit: async () => toUserRecord(await tx.insertUser(collection.key, userId, this.now()), collectionId),
      };
    });
  }

  async deleteUser(input: UserMutationInput): Promise<void> {
    this.assertOpen();
    const { userId } = input;
    await this.idempotent<null>('DeleteUser', input, { userId }, async (tx, collection) => {
      const user = await tx.getUser(collection.key, userId);
      if (!user) return { fail: this.userNotFound(input) };
      return {
        commit: async () => {
          const faceIds = await tx.deleteUser(user.seq);
          this.onCommit(tx, collection.key, faceIds.map((faceId) => ({ kind: 'disassociate', faceId })));
          return null;
        },
      };
    });
  }

  // ---- faces -------------------------------------------------------------

  async listFaces(collectionId: string, filter: FaceFilter, page: PageRequest): Promise<Page<FaceRecord>> {
    this.assertOpen();
    const limit = pageLimit(page.limit);
    const after = decodePageToken('faces', page.after);
    const collection = await this.requireCollection(this.store, collectionId);
    const rows = await this.store.listFaces(
      collection.key,
      { userId: filter.userId, unassociated: filter.unassociated === true },
      { after, limit: limit + 1 },
    );
    return toPage(rows, limit, 'faces', (r) => r.seq, (r) => toFaceRecord(r, collectionId));
  }

  async getFaces(collectionId: string, faceIds: readonly string[]): Promise<(FaceRecord | null)[]> {
    this.assertOpen();
    const rows = (await this.store.findFaces(this.ref(collectionId), faceIds)) ?? this.collectionNotFound(collectionId);
    const byId = new Map(rows.map((r) => [r.faceId, toFaceRecord(r, collectionId)]));
    return faceIds.map((id) => byId.get(id) ?? null);
  }

  async countUserFaces(collectionId: string, userIds: readonly string[]): Promise<number[]> {
    this.assertOpen();
    const counts =
      (await this.store.countUserFaces(this.ref(collectionId), userIds)) ?? this.collectionNotFound(collectionId);
    return userIds.map((id) => counts.get(id) ?? 0);
  }

  async listUserFaces(collectionId: string, userIds: readonly string[]): Promise<FaceRecord[][]> {
    this.assertOpen();
    const rows =
      (await this.store.findUserFaces(this.ref(collectionId), userIds)) ?? this.collectionNotFound(collectionId);
    const byUser = new Map<string, FaceRecord[]>();
    for (const row of rows) {
      if (row.userId === null) continue;
      let faces = byUser.get(row.userId);
      if (!faces) byUser.set(row.userId, (faces = []));
      faces.push(toFaceRecord(row, collectionId));
    }
    return userIds.map((id) => byUser.get(id) ?? []);
  }

  async indexFaces(input: IndexFacesInput, call?: CallOptions): Promise<IndexFacesOutcome> {
    this.assertOpen();
    const { collectionId, image } = input;
    const externalImageId = input.externalImageId ?? null;
    const maxFaces = input.maxFaces ?? DEFAULT_MAX_FACES;
    if (!Number.isInteger(maxFaces) || maxFaces < 1) {
      throw invalidInput('maxFaces', 'an integer ≥ 1', String(maxFaces));
    }
    // Fail fast before ~0.6 s of inference; checked again in the transaction.
    await this.requireCollection(this.store, collectionId);
    const detection = await this.detect(image, call);
    const selection = selectFaces(detection.faces, maxFaces);
    const sha256 = createHash('sha256').update(image).digest('hex');

    const { rows, faceModelVersion } = await this.store.transaction(async (tx) => {
      const collection = await this.requireCollection(tx, collectionId);
      const done = (rows: FaceRow[]) => ({ rows, faceModelVersion: collection.faceModelVersion });
      if (selection.indexed.length === 0) return done([]);
      const earlier = await tx.findFacesFromImage(collection.key, sha256, externalImageId);
      const repeats = matchEarlierFaces(
        selection.indexed.map((f) => f.boundingBox),
        earlier.map((f) => f.boundingBox),
      );
      const fresh = selection.indexed.filter((_, i) => repeats[i] === -1);
      if (collection.faceCount + fresh.length > MAX_FACES_PER_COLLECTION) {
        throw new DomainError(
          'QUOTA_EXCEEDED',
          `Collection "${collectionId}" holds ${collection.faceCount} faces: expected at most ${MAX_FACES_PER_COLLECTION} after indexing, got ${collection.faceCount + fresh.length}`,
          { collectionId, provider: this.name },
        );
      }
      const indexedAt = this.now();
      const inserted = await tx.insertFaces(
        collection.key,
        fresh.map((face) => ({
          faceId: randomUUID(),
          externalImageId,
          boundingBox: face.boundingBox,
          confidence: face.confidence,
          descriptor: face.descriptor,
          indexedAt,
        })),
        fresh.length > 0 ? { sha256, bytes: image } : null,
      );
      // Back in selection order (largest first), earlier records in place of repeats.
      let next = 0;
      return done(selection.indexed.map((_, i) => (repeats[i] === -1 ? inserted[next++] : earlier[repeats[i]])));
    });

    return {
      faces: rows.map((row) => toFaceRecord(row, collectionId)),
      unindexedFaces: selection.unindexed,
      faceModelVersion,
    };
  }

  async deleteFaces(collectionId: string, faceIds: readonly string[]): Promise<DeleteFacesOutcome> {
    this.assertOpen();
    const requested = [...new Set(faceIds)];
    return this.store.transaction(async (tx) => {
      const collection = await this.requireCollection(tx, collectionId);
      const found = byFaceId((await tx.findFaces(this.ref(collectionId), requested)) ?? []);
      const outcome: DeleteFacesOutcome = { deletedFaceIds: [], unsuccessfulFaceDeletions: [] };
      const seqs: number[] = [];
      for (const faceId of requested) {
        const face = found.get(faceId);
        if (!face) {
          outcome.unsuccessfulFaceDeletions.push({ faceId, userId: null, reasons: ['FACE_NOT_FOUND'] });
        } else if (face.userId !== null) {
          outcome.unsuccessfulFaceDeletions.push({
            faceId,
            userId: face.userId,
            reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'],
          });
        } else {
          outcome.deletedFaceIds.push(faceId);
          seqs.push(face.seq);
        }
      }
      // Only unassociated faces go, so the user indexes are unaffected.
      if (seqs.length > 0) await tx.deleteFaces(collection.key, seqs);
      return outcome;
    });
  }

  async associateFaces(input: AssociateFacesInput): Promise<AssociateFacesOutcome> {
    this.assertOpen();
    const { collectionId, userId, userMatchThreshold } = input;
    const faceIds = [...new Set(input.faceIds)];
    return this.idempotent(
      'AssociateFaces',
      input,
      { userId, faceIds: input.faceIds, userMatchThreshold },
      async (tx, collection) => {
        const user = await tx.getUser(collection.key, userId);
        if (!user) return { fail: this.userNotFound(input) };
        const candidates = new Map(
          (await tx.getFacesWithDescriptors(collection.key, faceIds)).map((f) => [f.faceId, f]),
        );
        const owned = await tx.getUserFaces(user.seq);
        const outcome: AssociateFacesOutcome = {
          associatedFaceIds: [],
          unsuccessfulFaceAssociations: [],
          userStatus: user.status,
        };
        const toAssociate: typeof owned = [];
        for (const faceId of faceIds) {
          const face = candidates.get(faceId);
          if (!face) {
            outcome.unsuccessfulFaceAssociations.push({ faceId, userId: null, confidence: null, reasons: ['FACE_NOT_FOUND'] });
            continue;
          }
          if (face.userSeq === user.seq) continue; // already this user's: silently ignored
          if (face.userId !== null) {
            outcome.unsuccessfulFaceAssociations.push({
              faceId,
              userId: face.userId,
              confidence: null,
              reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'],
            });
            continue;
          }
          // Only against faces the user had before this call (Rekognition:
          // the threshold applies once the user has at least one face).
          if (owned.length > 0) {
            const best = Math.max(...owned.map((o) => similarity(face.descriptor, o.descriptor)));
            if (best < userMatchThreshold) {
              outcome.unsuccessfulFaceAssociations.push({
                faceId,
                userId: null,
                confidence: best,
                reasons: ['LOW_MATCH_CONFIDENCE'],
              });
              continue;
            }
          }
          toAssociate.push(face);
        }
        const total = owned.length + toAssociate.length;
        if (total > MAX_FACES_PER_USER) {
          return {
            fail: new DomainError(
              'QUOTA_EXCEEDED',
              `User "${userId}" in collection "${collectionId}" has ${owned.length} faces: expected at most ${MAX_FACES_PER_USER} after associating, got ${total}; nothing was associated`,
              { collectionId, userId },
            ),
          };
        }
        return {
          commit: async () => {
            if (toAssociate.length > 0) {
              await tx.setFacesUser(collection.key, toAssociate.map((f) => f.seq), user.seq);
              outcome.userStatus = await tx.refreshUserStatus(user.seq);
              this.onCommit(
                tx,
                collection.key,
                toAssociate.map((f) => ({ kind: 'associate', faceId: f.faceId, userId, descriptor: f.descriptor })),
              );
            }
            outcome.associatedFaceIds = toAssociate.map((f) => f.faceId);
            return outcome;
          },
        };
      },
    );
  }

  async disassociateFaces(input: DisassociateFacesInput): Promise<DisassociateFacesOutcome> {
    this.assertOpen();
    const { collectionId, userId } = input;
    const faceIds = [...new Set(input.faceIds)];
    return this.idempotent('DisassociateFaces', input, { userId, faceIds: input.faceIds }, async (tx, collection) => {
      const user = await tx.getUser(collection.key, userId);
      if (!user) return { fail: this.userNotFound(input) };
      const found = byFaceId((await tx.findFaces(this.ref(collectionId), faceIds)) ?? []);
      const outcome: DisassociateFacesOutcome = {
        disassociatedFaceIds: [],
        unsuccessfulFaceDisassociations: [],
        userStatus: user.status,
      };
      const seqs: number[] = [];
      for (const faceId of faceIds) {
        const face = found.get(faceId);
        if (!face) {
          outcome.unsuccessfulFaceDisassociations.push({ faceId, userId: null, reasons: ['FACE_NOT_FOUND'] });
        } else if (face.userSeq === null) {
          continue; // not this user's (any more): ignored, not returned
        } else if (face.userSeq !== user.seq) {
          outcome.unsuccessfulFaceDisassociations.push({
            faceId,
            userId: face.userId,
            reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'],
          });
        } else {
          outcome.disassociatedFaceIds.push(faceId);
          seqs.push(face.seq);
        }
      }
      return {
        commit: async () => {
          if (seqs.length > 0) {
            await tx.setFacesUser(collection.key, seqs, null);
            outcome.userStatus = await tx.refreshUserStatus(user.seq);
            this.onCommit(
              tx,
              collection.key,
              outcome.disassociatedFaceIds.map((faceId) => ({ kind: 'disassociate', faceId })),
            );
          }
          return outcome;
        },
      };
    });
  }

  async searchUsersByImage(input: SearchUsersByImageInput, call?: CallOptions): Promise<SearchUsersByImageOutcome> {
    this.assertOpen();
    const { collectionId, userMatchThreshold, maxUsers } = input;
    if (!Number.isInteger(maxUsers) || maxUsers < 1) throw invalidInput('maxUsers', 'an integer ≥ 1', String(maxUsers));
    if (!(userMatchThreshold >= 0 && userMatchThreshold <= 100)) {
      throw invalidInput('userMatchThreshold', 'a number 0..100', String(userMatchThreshold));
    }
    const collection = await this.requireCollection(this.store, collectionId);
    const detection = await this.detect(input.image, call);
    const face = searchableFace(detection.faces);
    if (!face) return { userMatches: [], searchedFace: null };

    const index = await this.indexes.get(collection.key);
    const matches = index.searchUsers(face.descriptor, maxUsers, userMatchThreshold);
    const users = (await this.store.findUsers(this.ref(collectionId), matches.map((m) => m.userId))) ?? [];
    // Same key: a collection deleted and recreated meanwhile is another collection.
    const byId = new Map(users.filter((u) => u.collectionKey === collection.key).map((u) => [u.userId, u]));
    const userMatches: SearchUsersByImageOutcome['userMatches'] = [];
    for (const match of matches) {
      const user = byId.get(match.userId);
      if (user) userMatches.push({ similarity: match.similarity, user: toUserRecord(user, collectionId) });
    }
    return {
      userMatches,
      searchedFace: { boundingBox: { ...face.boundingBox }, confidence: face.confidence },
    };
  }

  /** Drops this instance's in-memory indexes. The store and engine are shared and closed by their owner. */
  // ---- snapshots ---------------------------------------------------------

  exportToSnapshot(collectionId: string, snapshotId: string, onProgress: (p: CopyProgress) => void): Promise<CopyOutcome> {
    this.assertOpen();
    return exportCollection(this.store, this.ref(collectionId), () => this.collectionNotFound(collectionId), snapshotId, onProgress);
  }

  async importFromSnapshot(
    snapshotId: string,
    targetCollectionId: string,
    onProgress: (p: CopyProgress) => Promise<void>,
    call?: CallOptions,
  ): Promise<CopyOutcome> {
    this.assertOpen();
    await this.createCollection(targetCollectionId);
    const collection = await this.requireCollection(this.store, targetCollectionId);
    return importSnapshot(
      { store: this.store, collection, now: this.now, onCommit: (tx, changes) => this.onCommit(tx, collection.key, changes), detect: (image) => this.detect(image, call) },
      snapshotId,
      onProgress,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.indexes.clear();
  }

  // ---- helpers -----------------------------------------------------------

  /**
   * Runs a token-aware mutation: replay or conflict when the token was seen,
   * else decide, write (on success) and record the outcome, all in one
   * transaction.
   */
  private async idempotent<T>(
    operation: IdempotentOperation,
    input: UserMutationInput,
    request: Readonly<Record<string, unknown>>,
    decide: (tx: StoreTx, collection: CollectionRow) => Promise<Decision<T>>,
  ): Promise<T> {
    const token = input.clientRequestToken;
    const hash = token === undefined ? '' : requestHash(operation, request);
    const outcome = await this.store.transaction(async (tx): Promise<Outcome<T>> => {
      const collection = await this.requireCollection(tx, input.collectionId);
      const now = this.now();
      if (token !== undefined) {
        const record = await tx.getIdempotency(collection.key, operation, token);
        const expired = record !== null && record.createdAt.getTime() <= now.getTime() - this.retentionMs;
        if (record && !expired) {
          if (record.requestHash !== hash) throw idempotencyConflict(operation, input.collectionId, token);
          return decodeOutcome<T>(record.response);
        }
        if (expired || now.getTime() - this.lastPrune >= PRUNE_INTERVAL_MS) {
          this.lastPrune = now.getTime();
          await tx.pruneIdempotency(new Date(now.getTime() - this.retentionMs + 1));
        }
      }
      const decision = await decide(tx, collection);
      const result: Outcome<T> = 'fail' in decision ? { error: decision.fail } : { ok: await decision.commit() };
      if (token !== undefined) {
        await tx.putIdempotency(collection.key, operation, token, {
          requestHash: hash,
          response: encodeOutcome(result),
          createdAt: now,
        });
      }
      return result;
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.ok;
  }

  private onCommit(tx: StoreTx, collectionKey: number, changes: UserFaceChange[]): void {
    if (changes.length > 0) {
      tx.afterCommit(() => {
        this.indexes.apply(collectionKey, changes);
        this.announce(collectionKey);
      });
    }
  }

  /** The engine's detection; `call`'s signal drops it from the engine's queue when the call is no longer wanted. */
  private async detect(image: Uint8Array, call: CallOptions | undefined): Promise<DetectionResult> {
    try {
      return await this.engine.detect(image, { signal: call?.signal });
    } catch (e) {
      throw fromEngineError(e, this.name);
    }
  }

  private ref(collectionId: string): { provider: string; collectionId: string } {
    return { provider: this.name, collectionId };
  }

  private async requireCollection(reader: StoreReader, collectionId: string): Promise<CollectionRow> {
    return (await reader.getCollection(this.ref(collectionId))) ?? this.collectionNotFound(collectionId);
  }

  private collectionNotFound(collectionId: string): never {
    throw new DomainError(
      'COLLECTION_NOT_FOUND',
      `Collection "${collectionId}" not found in provider "${this.name}": expected an existing collection id, got an unknown one`,
      { collectionId, provider: this.name },
    );
  }

  private userNotFound(input: UserMutationInput): DomainError {
    return new DomainError(
      'USER_NOT_FOUND',
      `User "${input.userId}" not found in collection "${input.collectionId}": expected an existing user id, got an unknown one`,
      { collectionId: input.collectionId, userId: input.userId },
    );
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

function byFaceId(rows: readonly FaceRow[]): Map<string, FaceRow> {
  return new Map(rows.map((r) => [r.faceId, r]));
}

function toPage<R, T>(
  rows: readonly R[],
  limit: number,
  listing: PageListing,
  seqOf: (row: R) => number,
  map: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const page: Page<T> = { items: items.map(map) };
  if (rows.length > limit) page.nextToken = encodePageToken(listing, seqOf(items[items.length - 1]));
  return page;
}
