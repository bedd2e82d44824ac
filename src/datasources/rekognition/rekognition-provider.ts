/**
 * The `rekognition` provider: the FaceProvider contract on AWS Rekognition's
 * collections/users/faces API through `@aws-sdk/client-rekognition` v3.
 *
 * The contract is Rekognition's own vocabulary, so most methods are one
 * call. Where the API has no direct equivalent the cost is stated on the
 * method: records with counts need DescribeCollection per collection,
 * getUsers pages through ListUsers (no lookup by id), per-user face lists
 * are one ListFaces per user, and the "unassociated faces" listing pages
 * through ListFaces and keeps faces without a UserId (faithful, no data loss,
 * slower on collections where most faces belong to users).
 *
 * Retries are the SDK's (standard mode, `maxAttempts`, exponential backoff
 * with jitter, throttling errors and 5xx/network errors retried). The SDK
 * fills ClientRequestToken with a UUID when the caller gives none and reuses
 * it across its own retries, so a retried CreateUser/DeleteUser/
 * AssociateFaces/DisassociateFaces has a single effect.
 *
 * Not supported: EXPORT_DESCRIPTORS and TAKE_SNAPSHOT/APPLY_SNAPSHOT
 * (Rekognition never returns face vectors, and does not keep the images).
 */
import {
  AssociateFacesCommand,
  CreateCollectionCommand,
  CreateUserCommand,
  DeleteCollectionCommand,
  DeleteFacesCommand,
  DeleteUserCommand,
  DescribeCollectionCommand,
  DisassociateFacesCommand,
  IndexFacesCommand,
  ListCollectionsCommand,
  ListFacesCommand,
  ListUsersCommand,
  RekognitionClient,
  SearchUsersByImageCommand,
  type BoundingBox as WireBoundingBox,
  type DescribeCollectionCommandOutput,
  type Face as WireFace,
  type ListFacesCommandInput,
} from '@aws-sdk/client-rekognition';
import { DomainError, invalidInput } from '../../domain/errors.js';
import { type AssociateFacesInput, type AssociateFacesOutcome, type CallOptions, type DeleteFacesOutcome, type DisassociateFacesInput, type DisassociateFacesOutcome, type FaceFilter, type FaceProvider, type IndexFacesInput, type IndexFacesOutcome, type Page, type PageRequest, type SearchUsersByImageInput, type SearchUsersByImageOutcome, type UnindexedReason, type UserMutationInput } from '../provider.js';
import { type BoundingBox } from '../../engine/types.js';
import { type Capability, type CollectionRecord, type FaceRecord, type ProviderKind, type UserRecord, type UserStatus } from '../../domain/records.js';
import { mapLimit } from '../../lib/map-limit.js';
import { providerCodeOf, toDomainError, type CallContext } from './errors.js';
import { decodePageToken, encodePageToken, type Listing, type PageToken } from './page-token.js';

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
}

/** The SDK's per-send options. */
type SendOptions = { abortSignal?: AbortSignal };

/** Largest MaxResults of ListCollections and ListFaces; also the FaceIds cap of ListFaces and DeleteFaces. */
const MAX_LIST_RESULTS = 4096;
/** Largest MaxResults of ListUsers. */
const MAX_USERS_RESULTS = 500;
/** Pages read by the unassociated-faces emulation hold at least this many faces (fewer round trips). */
const UNASSOCIATED_SCAN_PAGE = 500;
/** The largest page a caller may ask for (as the local provider). */
const MAX_PAGE_SIZE = 4096;
const DEFAULT_MAX_FACES = 100;

const REASONS: ReadonlySet<string> = new Set<UnindexedReason>(['EXCEEDS_MAX_FACES', 'SMALL_BOUNDING_BOX', 'LOW_CONFIDENCE']);

/** The `rekognition` provider. */
export class RekognitionProvider implements FaceProvider {
  readonly name: string;
  readonly kind: ProviderKind = 'REKOGNITION';
  /**
   * Listed, not derived from CAPABILITIES, so a capability added to the
   * contract is never claimed by accident. LIST_UNASSOCIATED_FACES is
   * emulated by scanning ListFaces; EXPORT_DESCRIPTORS and the snapshot
   * capabilities are absent (no face vectors leave Rekognition).
   */
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
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
  ]);

  private readonly client: RekognitionClient;
  private readonly concurrency: number;
  private closed = false;

  constructor(options: RekognitionProviderOptions) {
    this.name = options.name;
    this.concurrency = options.concurrency ?? 8;
    this.client = new RekognitionClient({
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
  }

  // ---- collections -------------------------------------------------------

  /** One ListCollections per 4096 ids, then one DescribeCollection per collection (counts, creation time). */
  async listCollections(page: PageRequest, call?: CallOptions): Promise<Page<CollectionRecord>> {
    const limit = pageLimit(page.limit);
    const start = decodePageToken('collections', page.after);
    const ctx = this.ctx('ListCollections');
    const { items: ids, nextToken } = await collect(limit, start?.t, MAX_LIST_RESULTS, async (max, token) => {
      const out = await this.run(ctx, call, (o) => this.client.send(new ListCollectionsCommand({ MaxResults: max, NextToken: token }), o));
      return { items: out.CollectionIds ?? [], next: out.NextToken };
    });
    // A collection deleted between the two calls is left out, as a later list would.
    const records = await this.getCollections(ids, call);
    return withToken(records.filter((r): r is CollectionRecord => r !== null), 'collections', nextToken);
  }

  /** DescribeCollection per id, `concurrency` at a time. */
  async getCollections(collectionIds: readonly string[], call?: CallOptions): Promise<(CollectionRecord | null)[]> {
    return mapLimit(collectionIds, this.concurrency, async (collectionId) => {
      try {
        return await this.describe(collectionId, call);
      } catch (e) {
        if (e instanceof DomainError && e.code === 'COLLECTION_NOT_FOUND') return null;
        throw e;
      }
    });
  }

  /** CreateCollection, then DescribeCollection for the record. */
  async createCollection(collectionId: string, call?: CallOptions): Promise<CollectionRecord> {
    const created = await this.run(this.ctx('CreateCollection', { collectionId }), call, (o) =>
      this.client.send(new CreateCollectionCommand({ CollectionId: collectionId }), o),
    );
    try {
      return await this.describe(collectionId, call);
    } catch {
      // The collection exists now: failing here would make a retry see
      // COLLECTION_ALREADY_EXISTS. A new collection is empty.
      return {
        collectionId,
        faceModelVersion: created.FaceModelVersion ?? null,
        faceCount: 0,
        userCount: 0,
        createdAt: null,
      };
    }
  }

  async deleteCollection(collectionId: string, call?: CallOptions): Promise<void> {
    await this.run(this.ctx('DeleteCollection', { collectionId }), call, (o) =>
      this.client.send(new DeleteCollectionCommand({ CollectionId: collectionId }), o),
    );
  }

  // ---- users -------------------------------------------------------------

  /** ListUsers, 500 a call, in Rekognition's order (creation order). */
  async listUsers(collectionId: string, page: PageRequest, call?: CallOptions): Promise<Page<UserRecord>> {
    const limit = pageLimit(page.limit);
    const start = decodePageToken('users', page.after);
    const ctx = this.ctx('ListUsers', { collectionId });
    const { items, nextToken } = await collect(limit, start?.t, MAX_USERS_RESULTS, async (max, token) => {
      const out = await this.run(ctx, call, (o) =>
        this.client.send(new ListUsersCommand({ CollectionId: collectionId, MaxResults: max, NextToken: token }), o),
      );
      return { items: (out.Users ?? []).map((u) => userRecord(collectionId, u.UserId ?? '', u.UserStatus)), next: out.NextToken };
    });
    return withToken(items, 'users', nextToken);
  }

  /**
   * ListUsers has no filter by id: pages through the collection's users
   * (500 a call) until every requested id is found or the list ends — one
   * scan per batch, O(users / 500) calls.
   */
  async getUsers(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<(UserRecord | null)[]> {
    if (userIds.length === 0) return [];
    const wanted = new Set(userIds);
    const found = new Map<string, UserRecord>();
    const ctx = this.ctx('ListUsers', { collectionId });
    let token: string | undefined;
    do {
      const out = await this.run(ctx, call, (o) =>
        this.client.send(new ListUsersCommand({ CollectionId: collectionId, MaxResults: MAX_USERS_RESULTS, NextToken: token }), o),
      );
      for (const u of out.Users ?? []) {
        if (u.UserId !== undefined && wanted.has(u.UserId)) found.set(u.UserId, userRecord(collectionId, u.UserId, u.UserStatus));
      }
      token = out.NextToken;
    } while (token && found.size < wanted.size);
    return userIds.map((id) => found.get(id) ?? null);
  }

  async createUser(input: UserMutationInput, call?: CallOptions): Promise<UserRecord> {
    const { collectionId, userId, clientRequestToken } = input;
    await this.run(this.ctx('CreateUser', { collectionId, userId, clientRequestToken }), call, (o) =>
      this.client.send(new CreateUserCommand({ CollectionId: collectionId, UserId: userId, ClientRequestToken: clientRequestToken }), o),
    );
    // CreateUser answers {}; a new user has no faces yet.
    return { collectionId, userId, status: 'CREATED' };
  }

  async deleteUser(input: UserMutationInput, call?: CallOptions): Promise<void> {
    const { collectionId, userId, clientRequestToken } = input;
    await this.run(this.ctx('DeleteUser', { collectionId, userId, clientRequestToken, notFound: 'user' }), call, (o) =>
      this.client.send(new DeleteUserCommand({ CollectionId: collectionId, UserId: userId, ClientRequestToken: clientRequestToken }), o),
    );
  }

  // ---- faces -------------------------------------------------------------

  /**
   * ListFaces (UserId filter for `userId`). `unassociated` is emulated:
   * pages of ≥ 500 faces are read and faces without a UserId kept, so the
   * cost grows with the associated faces skipped over.
   */
  async listFaces(collectionId: string, filter: FaceFilter, page: PageRequest, call?: CallOptions): Promise<Page<FaceRecord>> {
    const limit = pageLimit(page.limit);
    if (filter.userId !== undefined && filter.unassociated === true) {
      throw invalidInput('unassociated', 'not true together with userId', 'both');
    }
    if (filter.unassociated === true) return this.listUnassociatedFaces(collectionId, limit, page.after, call);
    const listing: Listing = filter.userId !== undefined ? 'user-faces' : 'faces';
    const start = decodePageToken(listing, page.after, filter.userId);
    const ctx = this.ctx('ListFaces', { collectionId, userId: filter.userId });
    const { items, nextToken } = await collect(limit, start?.t, MAX_LIST_RESULTS, (max, token) =>
      this.listFacesPage(ctx, call, { CollectionId: collectionId, UserId: filter.userId, MaxResults: max, NextToken: token }),
    );
    const next = nextToken === undefined ? undefined : encodePageToken({ l: listing, t: nextToken, ...(filter.userId !== undefined ? { u: filter.userId } : {}) });
    return next === undefined ? { items } : { items, nextToken: next };
  }

  /** ListFaces with FaceIds, 4096 ids a call, `concurrency` calls at a time. */
  async getFaces(collectionId: string, faceIds: readonly string[], call?: CallOptions): Promise<(FaceRecord | null)[]> {
    const ids = [...new Set(faceIds)];
    const ctx = this.ctx('ListFaces', { collectionId });
    const chunks = await mapLimit(chunk(ids, MAX_LIST_RESULTS), this.concurrency, (part) =>
      this.listAllFaces(ctx, call, { CollectionId: collectionId, FaceIds: part }),
    );
    const byId = new Map(chunks.flat().map((f) => [f.faceId, f]));
    return faceIds.map((id) => byId.get(id) ?? null);
  }

  /** One ListFaces (UserId) per user, `concurrency` at a time. */
  async countUserFaces(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<number[]> {
    return (await this.listUserFaces(collectionId, userIds, call)).map((faces) => faces.length);
  }

  /** One ListFaces (UserId) per user, `concurrency` at a time; [] for an unknown user. */
  async listUserFaces(collectionId: string, userIds: readonly string[], call?: CallOptions): Promise<FaceRecord[][]> {
    const unique = [...new Set(userIds)];
    const lists = await mapLimit(unique, this.concurrency, (userId) =>
      this.listAllFaces(this.ctx('ListFaces', { collectionId, userId, notFound: 'user' }), call, { CollectionId: collectionId, UserId: userId }).catch(
        (e: unknown) => {
          // Should Rekognition refuse an unknown UserId, it has no faces.
          if (e instanceof DomainError && e.code === 'USER_NOT_FOUND') return [];
          throw e;
        },
      ),
    );
    const byUser = new Map(unique.map((id, i) => [id, lists[i]]));
    return userIds.map((id) => byUser.get(id) ?? []);
  }

  /**
   * IndexFaces with QualityFilter AUTO, like the local provider, which
   * refuses faces too small to be reliable (SMALL_BOUNDING_BOX). Rekognition
   * reasons the contract has no name for (EXTREME_POSE, LOW_BRIGHTNESS,
   * LOW_SHARPNESS, LOW_FACE_QUALITY) are reported as LOW_CONFIDENCE.
   */
  async indexFaces(input: IndexFacesInput, call?: CallOptions): Promise<IndexFacesOutcome> {
    const { collectionId, image } = input;
    const maxFaces = input.maxFaces ?? DEFAULT_MAX_FACES;
    if (!Number.isInteger(maxFaces) || maxFaces < 1) throw invalidInput('maxFaces', 'an integer ≥ 1', String(maxFaces));
    const out = await this.run(this.ctx('IndexFaces', { collectionId }), call, (o) =>
      this.client.send(
        new IndexFacesCommand({
          CollectionId: collectionId,
          Image: { Bytes: image },
          ExternalImageId: input.externalImageId,
          MaxFaces: maxFaces,
          QualityFilter: 'AUTO',
          DetectionAttributes: ['DEFAULT'],
        }), o
      ),
    );
    const faces = (out.FaceRecords ?? []).flatMap((r) => (r.Face ? [faceRecord(collectionId, r.Face)] : []));
    const unindexedFaces = (out.UnindexedFaces ?? []).map((u) => ({
      boundingBox: box(u.FaceDetail?.BoundingBox) ?? { left: 0, top: 0, width: 0, height: 0 },
      reasons: unindexedReasons(u.Reasons ?? []),
    }));
    return { faces, unindexedFaces, faceModelVersion: out.FaceModelVersion ?? null };
  }

  /** DeleteFaces, 4096 ids a call. */
  async deleteFaces(collectionId: string, faceIds: readonly string[], call?: CallOptions): Promise<DeleteFacesOutcome> {
    const outcome: DeleteFacesOutcome = { deletedFaceIds: [], unsuccessfulFaceDeletions: [] };
    const ctx = this.ctx('DeleteFaces', { collectionId });
    // Sequential: the outcome lists keep the caller's order.
    for (const part of chunk([...new Set(faceIds)], MAX_LIST_RESULTS)) {
      const out = await this.run(ctx, call, (o) => this.client.send(new DeleteFacesCommand({ CollectionId: collectionId, FaceIds: part }), o));
      outcome.deletedFaceIds.push(...(out.DeletedFaces ?? []));
      for (const u of out.UnsuccessfulFaceDeletions ?? []) {
        outcome.unsuccessfulFaceDeletions.push({ faceId: u.FaceId ?? '', userId: u.UserId ?? null, reasons: u.Reasons ?? [] });
      }
    }
    return outcome;
  }

  async associateFaces(input: AssociateFacesInput, call?: CallOptions): Promise<AssociateFacesOutcome> {
    const { collectionId, userId, clientRequestToken } = input;
    const out = await this.run(this.ctx('AssociateFaces', { collectionId, userId, clientRequestToken, notFound: 'user' }), call, (o) =>
      this.client.send(
        new AssociateFacesCommand({
          CollectionId: collectionId,
          UserId: userId,
          FaceIds: [...input.faceIds],
          UserMatchThreshold: input.userMatchThreshold,
          ClientRequestToken: clientRequestToken,
        }), o
      ),
    );
    return {
      associatedFaceIds: (out.AssociatedFaces ?? []).flatMap((f) => (f.FaceId ? [f.FaceId] : [])),
      unsuccessfulFaceAssociations: (out.UnsuccessfulFaceAssociations ?? []).map((u) => ({
        faceId: u.FaceId ?? '',
        userId: u.UserId ?? null,
        confidence: u.Confidence ?? null,
        reasons: u.Reasons ?? [],
      })),
      userStatus: status(out.UserStatus),
    };
  }

  async disassociateFaces(input: DisassociateFacesInput, call?: CallOptions): Promise<DisassociateFacesOutcome> {
    const { collectionId, userId, clientRequestToken } = input;
    const out = await this.run(this.ctx('DisassociateFaces', { collectionId, userId, clientRequestToken, notFound: 'user' }), call, (o) =>
      this.client.send(
        new DisassociateFacesCommand({
          CollectionId: collectionId,
          UserId: userId,
          FaceIds: [...input.faceIds],
          ClientRequestToken: clientRequestToken,
        }), o
      ),
    );
    return {
      disassociatedFaceIds: (out.DisassociatedFaces ?? []).flatMap((f) => (f.FaceId ? [f.FaceId] : [])),
      unsuccessfulFaceDisassociations: (out.UnsuccessfulFaceDisassociations ?? []).map((u) => ({
        faceId: u.FaceId ?? '',
        userId: u.UserId ?? null,
        reasons: u.Reasons ?? [],
      })),
      userStatus: status(out.UserStatus),
    };
  }

  /** SearchUsersByImage with QualityFilter AUTO (too-small faces are not searched, like the local provider). */
  async searchUsersByImage(input: SearchUsersByImageInput, call?: CallOptions): Promise<SearchUsersByImageOutcome> {
    const { collectionId } = input;
    const out = await this.run(this.ctx('SearchUsersByImage', { collectionId }), call, (o) =>
      this.client.send(
        new SearchUsersByImageCommand({
          CollectionId: collectionId,
          Image: { Bytes: input.image },
          UserMatchThreshold: input.userMatchThreshold,
          MaxUsers: input.maxUsers,
          QualityFilter: 'AUTO',
        }), o
      ),
    );
    const detail = out.SearchedFace?.FaceDetail;
    const searchedBox = box(detail?.BoundingBox);
    return {
      userMatches: (out.UserMatches ?? [])
        .filter((m) => m.User?.UserId !== undefined)
        .map((m) => ({ similarity: m.Similarity ?? 0, user: userRecord(collectionId, m.User?.UserId ?? '', m.User?.UserStatus) }))
        .sort((a, b) => b.similarity - a.similarity),
      searchedFace: searchedBox ? { boundingBox: searchedBox, confidence: detail?.Confidence ?? 0 } : null,
    };
  }

  /** Closes the SDK's sockets; later calls fail with PROVIDER_UNAVAILABLE. */
  async close(): Promise<void> {
    this.closed = true;
    this.client.destroy();
  }

  // ---- helpers -----------------------------------------------------------

  private ctx(operation: string, extra: Omit<CallContext, 'provider' | 'operation'> = {}): CallContext {
    return { provider: this.name, operation, ...extra };
  }

  /**
   * Runs one SDK call and maps its failure. A ResourceNotFoundException of
   * a user operation is ambiguous (the user or its collection?): one
   * DescribeCollection settles it.
   */
  private async run<T>(ctx: CallContext, call: CallOptions | undefined, send: (options: SendOptions) => Promise<T>): Promise<T> {
    if (this.closed) {
      throw new DomainError('PROVIDER_UNAVAILABLE', `Provider "${this.name}" is unavailable: expected an open provider, got one that was closed`, {
        provider: this.name,
        operation: ctx.operation,
      });
    }
    try {
      // The call's signal aborts the HTTP request (and stops the SDK's retries); read only here, when a request is sent.
      return await send({ abortSignal: call?.signal });
    } catch (e) {
      if (ctx.notFound === 'user' && providerCodeOf(e) === 'ResourceNotFoundException' && ctx.collectionId !== undefined) {
        try {
          await this.describe(ctx.collectionId, call);
        } catch (check) {
          if (check instanceof DomainError && check.code === 'COLLECTION_NOT_FOUND') throw toDomainError(e, { ...ctx, notFound: 'collection' });
          throw check;
        }
      }
      throw toDomainError(e, ctx);
    }
  }

  private async describe(collectionId: string, call: CallOptions | undefined): Promise<CollectionRecord> {
    const out: DescribeCollectionCommandOutput = await this.run(this.ctx('DescribeCollection', { collectionId }), call, (o) =>
      this.client.send(new DescribeCollectionCommand({ CollectionId: collectionId }), o),
    );
    return {
      collectionId,
      faceModelVersion: out.FaceModelVersion ?? null,
      faceCount: out.FaceCount ?? 0,
      userCount: out.UserCount ?? 0,
      createdAt: out.CreationTimestamp ?? null,
    };
  }

  private async listFacesPage(ctx: CallContext, call: CallOptions | undefined, input: ListFacesCommandInput): Promise<{ items: FaceRecord[]; next?: string }> {
    const out = await this.run(ctx, call, (o) => this.client.send(new ListFacesCommand(input), o));
    const collectionId = input.CollectionId as string;
    return { items: (out.Faces ?? []).map((f) => faceRecord(collectionId, f)), next: out.NextToken };
  }

  /** Every page of one ListFaces query. */
  private async listAllFaces(ctx: CallContext, call: CallOptions | undefined, input: ListFacesCommandInput): Promise<FaceRecord[]> {
    const all: FaceRecord[] = [];
    let token: string | undefined;
    do {
      const page = await this.listFacesPage(ctx, call, { ...input, MaxResults: MAX_LIST_RESULTS, NextToken: token });
      all.push(...page.items);
      token = page.next;
    } while (token);
    return all;
  }

  /** The emulated `unassociated` filter (see {@link listFaces}). */
  private async listUnassociatedFaces(collectionId: string, limit: number, after: string | undefined, call: CallOptions | undefined): Promise<Page<FaceRecord>> {
    const listing: Listing = 'unassociated-faces';
    const start = decodePageToken(listing, after);
    const ctx = this.ctx('ListFaces', { collectionId });
    const items: FaceRecord[] = [];
    let token = start?.t;
    // A mid-page resume re-reads the page with the size it was first read with.
    let resume: PageToken | undefined = start?.f !== undefined ? start : undefined;
    for (;;) {
      const size = resume?.m ?? Math.min(MAX_LIST_RESULTS, Math.max(limit - items.length, UNASSOCIATED_SCAN_PAGE));
      const page = await this.listFacesPage(ctx, call, { CollectionId: collectionId, MaxResults: size, NextToken: token });
      let from = 0;
      if (resume) {
        const at = page.items.findIndex((f) => f.faceId === resume?.f);
        // The last face handed out is gone (deleted meanwhile): the faces
        // after it moved up by one. (Further deletions before it in the same
        // page would shift more; this is as good as offsets get.)
        from = at !== -1 ? at + 1 : Math.min(Math.max((resume.n ?? 1) - 1, 0), page.items.length);
        resume = undefined;
      }
      for (let i = from; i < page.items.length; i++) {
        const face = page.items[i];
        if (face.userId !== null) continue;
        items.push(face);
        if (items.length < limit) continue;
        const more = page.items.slice(i + 1).some((f) => f.userId === null);
        if (more) return { items, nextToken: encodePageToken({ l: listing, t: token, m: size, f: face.faceId, n: i + 1 }) };
        return withToken(items, listing, page.next);
      }
      if (!page.next) return { items };
      token = page.next;
    }
  }
}

// ---- mapping helpers ---------------------------------------------------------

function pageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw invalidInput('limit', `an integer 1..${MAX_PAGE_SIZE}`, String(limit));
  }
  return limit;
}

function withToken<T>(items: T[], listing: Listing, providerToken: string | undefined): Page<T> {
  return providerToken === undefined ? { items } : { items, nextToken: encodePageToken({ l: listing, t: providerToken }) };
}

/**
 * Reads pages of at most `cap` items until `limit` items or the end. Each
 * call asks for exactly the items still missing, so the provider's token
 * after the last page is exactly where the next page starts.
 */
async function collect<T>(
  limit: number,
  startToken: string | undefined,
  cap: number,
  fetch: (maxResults: number, token: string | undefined) => Promise<{ items: T[]; next?: string }>,
): Promise<{ items: T[]; nextToken?: string }> {
  const items: T[] = [];
  let token = startToken;
  do {
    const page = await fetch(Math.min(cap, limit - items.length), token);
    items.push(...page.items);
    token = page.next;
  } while (token !== undefined && items.length < limit);
  return token === undefined ? { items } : { items, nextToken: token };
}

function userRecord(collectionId: string, userId: string, wire: string | undefined): UserRecord {
  return { collectionId, userId, status: status(wire) };
}

const STATUSES: ReadonlySet<string> = new Set<UserStatus>(['ACTIVE', 'UPDATING', 'CREATING', 'CREATED']);

function status(wire: string | undefined): UserStatus {
  // An unknown future status is reported as in progress rather than invented as done.
  return wire !== undefined && STATUSES.has(wire) ? (wire as UserStatus) : 'UPDATING';
}

function box(b: WireBoundingBox | undefined): BoundingBox | null {
  if (!b) return null;
  return { left: b.Left ?? 0, top: b.Top ?? 0, width: b.Width ?? 0, height: b.Height ?? 0 };
}

function faceRecord(collectionId: string, f: WireFace): FaceRecord {
  return {
    collectionId,
    faceId: f.FaceId ?? '',
    userId: f.UserId ?? null,
    externalImageId: f.ExternalImageId ?? null,
    boundingBox: box(f.BoundingBox),
    confidence: f.Confidence ?? null,
    // Rekognition does not say when a face was indexed.
    indexedAt: null,
  };
}

function unindexedReasons(wire: readonly string[]): UnindexedReason[] {
  const reasons = new Set<UnindexedReason>();
  for (const r of wire) reasons.add(REASONS.has(r) ? (r as UnindexedReason) : 'LOW_CONFIDENCE');
  return [...reasons];
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
