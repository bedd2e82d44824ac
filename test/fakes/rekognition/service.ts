/**
 * The fake's Rekognition: in-memory collections, users and faces with the
 * service's documented semantics (providers.md §A.2). Knows nothing of HTTP;
 * every operation takes the parsed JSON body and returns the JSON response
 * or throws {@link AwsError}.
 *
 * Semantics reproduced, and the fake's own choices where AWS is silent:
 * - Collection ids are case-sensitive; ListCollections lists in creation order.
 * - IndexFaces: QualityFilter defaults to AUTO (any filter other than NONE
 *   refuses faces < 40 px, confidence < 50 or with declared quality issues);
 *   the `MaxFaces` largest remaining faces are indexed, the rest are
 *   EXCEEDS_MAX_FACES; FaceRecords come largest first. The same image
 *   (bytes) with the same ExternalImageId (or both without one) returns the
 *   face records saved the first time instead of duplicates. New faces
 *   belong to no user.
 * - ListFaces lists in index order; filters UserId and FaceIds combine.
 *   MaxResults 0 or absent → 1000 (ListCollections too); ListUsers → 500.
 * - ListUsers lists by a system-generated key (a random UUID given at
 *   CreateUser), not by creation or UserId: AWS "sorted by system generated
 *   primary key ID".
 * - UserStatus: associations apply at once (searches see them), and a user
 *   is ACTIVE with ≥ 1 face and CREATED with none; but after an
 *   AssociateFaces or DisassociateFaces that changed something the user
 *   reads UPDATING for a window of `userUpdatingWindow` requests to the fake
 *   (any operation), counting the change's own response, as AWS's own
 *   AssociateFaces example answers UPDATING. A window measured in requests
 *   keeps tests deterministic (no clock); 0, the default, never answers
 *   UPDATING.
 * - AssociateFaces: UserMatchThreshold (default 75) applies when the user
 *   already had a face before the call, against the best of those faces;
 *   a face already the user's is silently ignored; going past 100 faces a
 *   user fails the whole call with ServiceQuotaExceededException.
 * - DisassociateFaces: a face of no user is ignored and not returned.
 * - DeleteUser disassociates the user's faces, then deletes the user.
 * - SearchUsersByImage: QualityFilter defaults to NONE; the largest face
 *   that passes is searched (the others are UnsearchedFaces); a user's
 *   similarity is its best face's; no face → empty UserMatches and no
 *   SearchedFace. MaxUsers defaults to 10 (AWS documents no default).
 * - ClientRequestToken: remembered per collection + operation for the
 *   collection's lifetime. Same token + same other parameters → the first
 *   response (or service error) replayed, whatever changed since; other
 *   parameters → IdempotentParameterMismatchException. Validation errors
 *   and an unknown collection are not remembered.
 */
import { createHash, randomUUID } from 'node:crypto';
import { faceDetail, requestedAttributes, wireBox } from './face-detail.js';
import { compareFaces, detectFacesOp, searchFaces, searchFacesByImage, searchUsers } from './face-operations.js';
import {
  detectFaces,
  ImageRefused,
  refusedBy,
  similarity,
  type Box,
  type DeclaredFace,
  type DetectedFace,
  type Detection,
  type ImageDeclaration,
} from './images.js';
import { AwsError, INPUT_SHAPES, validateInput, type DecodedBlobs, type OperationName } from './validation.js';

/** A JSON object as sent on the wire. */
export type Json = Record<string, unknown>;

export const FACE_MODEL_VERSION = '7.0';
export const DEFAULT_SEARCH_THRESHOLD = 80;
const ACCOUNT_ID = '123456789012';
const MAX_FACES_PER_USER = 100;
const DEFAULT_INDEX_MAX_FACES = 100;
const DEFAULT_ASSOCIATE_THRESHOLD = 75;
const DEFAULT_MAX_USERS = 10;
const DEFAULT_LIST_PAGE = 1000;
const DEFAULT_USERS_PAGE = 500;

export interface StoredFace {
  seq: number;
  faceId: string;
  imageId: string;
  externalImageId: string | null;
  box: Box;
  confidence: number;
  identity: string;
  /** Detection key (`<sha256>:<index>`), the input of {@link similarity}. */
  key: string;
  userId: string | null;
}

export interface StoredUser {
  seq: number;
  userId: string;
  /** The system-generated key ListUsers sorts by. */
  key: string;
  /** The user reads UPDATING while the fake's request count is below this. */
  updatingUntil: number;
}

type Outcome = { ok: Json } | { error: AwsError };

export interface StoredCollection {
  seq: number;
  collectionId: string;
  /** Epoch seconds, fractional, as the wire carries them. */
  createdAt: number;
  tags: Record<string, string>;
  faces: Map<string, StoredFace>;
  users: Map<string, StoredUser>;
  /** `[face key, ExternalImageId]` → faceId: IndexFaces' duplicate rule. */
  indexed: Map<string, string>;
  /** `<op>\0<token>` → what the first request with that token got. */
  tokens: Map<string, { hash: string; outcome: Outcome }>;
}

export const notFound = (message: string) => new AwsError('ResourceNotFoundException', 400, message);
export const invalidParameters = (message = 'Request has invalid parameters') => new AwsError('InvalidParameterException', 400, message);

/** Sorted-key JSON, so two bodies with the same members hash alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A UUID-shaped id derived from text (stable ImageIds). */
function uuidFrom(text: string): string {
  const h = sha256(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** In-memory Rekognition state and operations. */
export class RekognitionState {
  private readonly collections = new Map<string, StoredCollection>();
  private readonly declarations = new Map<string, ImageDeclaration>();
  private collectionSeq = 0;
  private faceSeq = 0;
  private userSeq = 0;
  /** Requests handled so far: the clock of the UPDATING window. */
  private requests = 0;
  /** Faces of every faces chunk read, by the code fakePng painted (face-codes.ts). */
  private readonly codes = new Map<string, DeclaredFace>();

  constructor(
    private readonly region = 'us-east-1',
    /** Requests a changed user reads UPDATING for, counting the change's own; 0 never. */
    public userUpdatingWindow = 0,
  ) {}

  /**
   * TEST-ONLY, not AWS behaviour: reasons appended to the `Reasons` of
   * every unsuccessful face deletion, association and disassociation, to
   * stand for a reason AWS adds after the SDK (and this gateway) was built
   * — the SDK types `Reasons` as plain strings, so nothing stops one.
   * Empty by default; cleared by {@link reset}.
   */
  extraFailureReasons: string[] = [];

  /** `reasons` as the wire carries them, with the test-only {@link extraFailureReasons}. */
  private reasons(...reasons: string[]): string[] {
    return [...reasons, ...this.extraFailureReasons];
  }

  /** Registers what the fake detects in exactly these bytes. */
  declareImage(sha256Hex: string, declaration: ImageDeclaration): void {
    this.declarations.set(sha256Hex, declaration);
  }

  /** Forgets all collections (and with `images`, the image declarations). */
  reset(options: { images?: boolean } = {}): void {
    this.collections.clear();
    this.extraFailureReasons = [];
    if (options.images) {
      this.declarations.clear();
      this.codes.clear();
    }
  }

  /** Runs one operation: validates the body, then applies it. */
  handle(op: OperationName, input: Json): Json {
    this.requests++;
    const blobs = validateInput(INPUT_SHAPES[op], input);
    switch (op) {
      case 'CreateCollection':
        return this.createCollection(input);
      case 'DeleteCollection':
        return this.deleteCollection(input);
      case 'DescribeCollection':
        return this.describeCollection(input);
      case 'ListCollections':
        return this.listCollections(input);
      case 'IndexFaces':
        return this.indexFaces(input, blobs);
      case 'ListFaces':
        return this.listFaces(input);
      case 'DeleteFaces':
        return this.deleteFaces(input);
      case 'CreateUser':
        return this.createUser(input);
      case 'DeleteUser':
        return this.deleteUser(input);
      case 'ListUsers':
        return this.listUsers(input);
      case 'AssociateFaces':
        return this.associateFaces(input);
      case 'DisassociateFaces':
        return this.disassociateFaces(input);
      case 'SearchUsersByImage':
        return this.searchUsersByImage(input, blobs);
      case 'DetectFaces':
        return detectFacesOp(this, input, blobs);
      case 'CompareFaces':
        return compareFaces(this, input, blobs);
      case 'SearchFaces':
        return searchFaces(this, input);
      case 'SearchFacesByImage':
        return searchFacesByImage(this, input, blobs);
      case 'SearchUsers':
        return searchUsers(this, input);
    }
  }

  // ---- collections ----------------------------------------------------------

  private createCollection(input: Json): Json {
    const collectionId = input.CollectionId as string;
    if (this.collections.has(collectionId)) {
      throw new AwsError('ResourceAlreadyExistsException', 400, `The collection id: ${collectionId} already exists.`);
    }
    this.collections.set(collectionId, {
      seq: ++this.collectionSeq,
      collectionId,
      createdAt: Date.now() / 1000,
      tags: { ...((input.Tags as Record<string, string> | undefined) ?? {}) },
      faces: new Map(),
      users: new Map(),
      indexed: new Map(),
      tokens: new Map(),
    });
    return { StatusCode: 200, CollectionArn: this.arn(collectionId), FaceModelVersion: FACE_MODEL_VERSION };
  }

  private deleteCollection(input: Json): Json {
    const collection = this.require(input);
    this.collections.delete(collection.collectionId);
    return { StatusCode: 200 };
  }

  private describeCollection(input: Json): Json {
    const c = this.require(input);
    return {
      FaceCount: c.faces.size,
      UserCount: c.users.size,
      FaceModelVersion: FACE_MODEL_VERSION,
      CollectionARN: this.arn(c.collectionId),
      CreationTimestamp: c.createdAt,
    };
  }

  private listCollections(input: Json): Json {
    const all = [...this.collections.values()];
    const page = paginate('ListCollections', '', all, bySeq, input, DEFAULT_LIST_PAGE);
    return {
      CollectionIds: page.items.map((c) => c.collectionId),
      FaceModelVersions: page.items.map(() => FACE_MODEL_VERSION),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  // ---- faces ----------------------------------------------------------------

  private indexFaces(input: Json, blobs: DecodedBlobs): Json {
    const c = this.require(input);
    const detection = this.detectImage(input.Image as Json, blobs.get('image.bytes'));
    const filter = (input.QualityFilter as string | undefined) ?? 'AUTO';
    const attributes = requestedAttributes(input.DetectionAttributes as string[] | undefined);
    const maxFaces = (input.MaxFaces as number | undefined) ?? DEFAULT_INDEX_MAX_FACES;
    const externalImageId = (input.ExternalImageId as string | undefined) ?? null;
    const records: Json[] = [];
    const unindexed: Json[] = [];
    let kept = 0;
    for (const face of detection.faces) {
      const refused = refusedBy(face, filter);
      if (refused.length > 0) {
        unindexed.push({ Reasons: refused, FaceDetail: faceDetail(face, attributes) });
        continue;
      }
      if (kept >= maxFaces) {
        unindexed.push({ Reasons: ['EXCEEDS_MAX_FACES'], FaceDetail: faceDetail(face, attributes) });
        continue;
      }
      kept++;
      const dedupKey = JSON.stringify([face.key, externalImageId]);
      let stored = c.faces.get(c.indexed.get(dedupKey) ?? '');
      if (!stored) {
        stored = {
          seq: ++this.faceSeq,
          faceId: randomUUID(),
          imageId: uuidFrom(`${detection.sha256}:${externalImageId ?? ''}`),
          externalImageId,
          box: { ...face.box },
          confidence: face.confidence,
          identity: face.identity,
          key: face.key,
          userId: null,
        };
        c.faces.set(stored.faceId, stored);
        c.indexed.set(dedupKey, stored.faceId);
      }
      records.push({ Face: wireFace(stored), FaceDetail: faceDetail(face, attributes) });
    }
    return { FaceRecords: records, FaceModelVersion: FACE_MODEL_VERSION, UnindexedFaces: unindexed };
  }

  private listFaces(input: Json): Json {
    const c = this.require(input);
    const userId = input.UserId as string | undefined;
    const faceIds = input.FaceIds as string[] | undefined;
    const wanted = faceIds ? new Set(faceIds) : null;
    const faces = [...c.faces.values()].filter((f) => (userId === undefined || f.userId === userId) && (!wanted || wanted.has(f.faceId)));
    const scope = canonical([c.collectionId, c.seq, userId ?? null, faceIds ?? null]);
    const page = paginate('ListFaces', scope, faces, bySeq, input, DEFAULT_LIST_PAGE);
    return {
      Faces: page.items.map(wireFace),
      FaceModelVersion: FACE_MODEL_VERSION,
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  private deleteFaces(input: Json): Json {
    const c = this.require(input);
    const deleted: string[] = [];
    const unsuccessful: Json[] = [];
    for (const faceId of unique(input.FaceIds as string[])) {
      const face = c.faces.get(faceId);
      if (!face) {
        unsuccessful.push({ FaceId: faceId, Reasons: this.reasons('FACE_NOT_FOUND') });
      } else if (face.userId !== null) {
        unsuccessful.push({ FaceId: faceId, UserId: face.userId, Reasons: this.reasons('ASSOCIATED_TO_AN_EXISTING_USER') });
      } else {
        c.faces.delete(faceId);
        deleted.push(faceId);
      }
    }
    return { DeletedFaces: deleted, UnsuccessfulFaceDeletions: unsuccessful };
  }

  // ---- users ----------------------------------------------------------------

  private createUser(input: Json): Json {
    const c = this.require(input);
    return this.idempotent('CreateUser', c, input, () => {
      const userId = input.UserId as string;
      if (c.users.has(userId)) {
        throw new AwsError(
          'ConflictException',
          400,
          'A User with the same Id already exists within the collection, or the update or deletion of the User caused an inconsistent state.',
        );
      }
      c.users.set(userId, { seq: ++this.userSeq, userId, key: randomUUID().replace(/-/g, ''), updatingUntil: 0 });
      return {};
    });
  }

  private deleteUser(input: Json): Json {
    const c = this.require(input);
    return this.idempotent('DeleteUser', c, input, () => {
      const user = this.requireUser(c, input);
      for (const face of c.faces.values()) if (face.userId === user.userId) face.userId = null;
      c.users.delete(user.userId);
      return {};
    });
  }

  private listUsers(input: Json): Json {
    const c = this.require(input);
    const users = [...c.users.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
    const page = paginate('ListUsers', canonical([c.collectionId, c.seq]), users, (u) => u.key, input, DEFAULT_USERS_PAGE);
    return {
      Users: page.items.map((u) => ({ UserId: u.userId, UserStatus: this.status(c, u.userId) })),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  private associateFaces(input: Json): Json {
    const c = this.require(input);
    return this.idempotent('AssociateFaces', c, input, () => {
      const user = this.requireUser(c, input);
      const threshold = (input.UserMatchThreshold as number | undefined) ?? DEFAULT_ASSOCIATE_THRESHOLD;
      const owned = [...c.faces.values()].filter((f) => f.userId === user.userId);
      const accepted: StoredFace[] = [];
      const unsuccessful: Json[] = [];
      for (const faceId of unique(input.FaceIds as string[])) {
        const face = c.faces.get(faceId);
        if (!face) {
          unsuccessful.push({ FaceId: faceId, Reasons: this.reasons('FACE_NOT_FOUND') });
        } else if (face.userId === user.userId) {
          continue; // already this user's: silently ignored
        } else if (face.userId !== null) {
          unsuccessful.push({ FaceId: faceId, UserId: face.userId, Reasons: this.reasons('ASSOCIATED_TO_A_DIFFERENT_USER') });
        } else if (owned.length > 0 && Math.max(...owned.map((o) => similarity(face, o))) < threshold) {
          const best = Math.max(...owned.map((o) => similarity(face, o)));
          unsuccessful.push({ FaceId: faceId, Confidence: best, Reasons: this.reasons('LOW_MATCH_CONFIDENCE') });
        } else {
          accepted.push(face);
        }
      }
      if (owned.length + accepted.length > MAX_FACES_PER_USER) {
        throw new AwsError(
          'ServiceQuotaExceededException',
          400,
          `The user ${user.userId} has ${owned.length} faces; associating ${accepted.length} more exceeds the limit of ${MAX_FACES_PER_USER} faces per user.`,
        );
      }
      for (const face of accepted) face.userId = user.userId;
      if (accepted.length > 0) this.changed(user);
      return {
        AssociatedFaces: accepted.map((f) => ({ FaceId: f.faceId })),
        UnsuccessfulFaceAssociations: unsuccessful,
        UserStatus: this.status(c, user.userId),
      };
    });
  }

  private disassociateFaces(input: Json): Json {
    const c = this.require(input);
    return this.idempotent('DisassociateFaces', c, input, () => {
      const user = this.requireUser(c, input);
      const done: Json[] = [];
      const unsuccessful: Json[] = [];
      for (const faceId of unique(input.FaceIds as string[])) {
        const face = c.faces.get(faceId);
        if (!face) {
          unsuccessful.push({ FaceId: faceId, Reasons: this.reasons('FACE_NOT_FOUND') });
        } else if (face.userId === null) {
          continue; // not associated (any more): ignored, not returned
        } else if (face.userId !== user.userId) {
          unsuccessful.push({ FaceId: faceId, UserId: face.userId, Reasons: this.reasons('ASSOCIATED_TO_A_DIFFERENT_USER') });
        } else {
          face.userId = null;
          done.push({ FaceId: faceId });
        }
      }
      if (done.length > 0) this.changed(user);
      return { DisassociatedFaces: done, UnsuccessfulFaceDisassociations: unsuccessful, UserStatus: this.status(c, user.userId) };
    });
  }

  private searchUsersByImage(input: Json, blobs: DecodedBlobs): Json {
    const c = this.require(input);
    const detection = this.detectImage(input.Image as Json, blobs.get('image.bytes'));
    const filter = (input.QualityFilter as string | undefined) ?? 'NONE';
    const threshold = (input.UserMatchThreshold as number | undefined) ?? DEFAULT_SEARCH_THRESHOLD;
    const maxUsers = (input.MaxUsers as number | undefined) ?? DEFAULT_MAX_USERS;
    const passes = (f: DetectedFace) => refusedBy(f, filter).length === 0;
    const searched = detection.faces.find(passes);
    const unsearched = detection.faces
      .filter((f) => f !== searched)
      .map((f) => ({ FaceDetails: faceDetail(f), Reasons: passes(f) ? ['FACE_NOT_LARGEST'] : refusedBy(f, filter) }));
    if (!searched) return { UserMatches: [], FaceModelVersion: FACE_MODEL_VERSION, UnsearchedFaces: unsearched };
    const best = new Map<string, number>();
    for (const face of c.faces.values()) {
      if (face.userId === null) continue;
      const s = similarity(searched, face);
      if (s > (best.get(face.userId) ?? -1)) best.set(face.userId, s);
    }
    const matches = [...best.entries()]
      .filter(([, s]) => s >= threshold)
      .sort((a, b) => b[1] - a[1] || (c.users.get(a[0])?.seq ?? 0) - (c.users.get(b[0])?.seq ?? 0))
      .slice(0, maxUsers)
      .map(([userId, s]) => ({ Similarity: s, User: { UserId: userId, UserStatus: this.status(c, userId) } }));
    return {
      UserMatches: matches,
      FaceModelVersion: FACE_MODEL_VERSION,
      SearchedFace: { FaceDetail: faceDetail(searched) },
      UnsearchedFaces: unsearched,
    };
  }

  // ---- helpers --------------------------------------------------------------

  private arn(collectionId: string): string {
    return `arn:aws:rekognition:${this.region}:${ACCOUNT_ID}:collection/${collectionId}`;
  }

  /** The collection `input.CollectionId` names; ResourceNotFoundException when there is none. */
  require(input: Json): StoredCollection {
    const collectionId = input.CollectionId as string;
    const c = this.collections.get(collectionId);
    if (!c) throw notFound(`The collection id: ${collectionId} does not exist`);
    return c;
  }

  private requireUser(c: StoredCollection, input: Json): StoredUser {
    const userId = input.UserId as string;
    const user = c.users.get(userId);
    if (!user) throw notFound(`The user id: ${userId} does not exist in the collection`);
    return user;
  }

  /** A user's status (see the module comment). */
  status(c: StoredCollection, userId: string): 'ACTIVE' | 'CREATED' | 'UPDATING' {
    if (this.requests < (c.users.get(userId)?.updatingUntil ?? 0)) return 'UPDATING';
    for (const face of c.faces.values()) if (face.userId === userId) return 'ACTIVE';
    return 'CREATED';
  }

  /** Starts the UPDATING window of a user whose faces changed, at this request. */
  private changed(user: StoredUser): void {
    user.updatingUntil = this.requests + this.userUpdatingWindow;
  }

  /** The faces of a request's image (`image` its Image member, `bytes` its decoded Bytes): Bytes only (the fake has no S3). */
  detectImage(image: Json, bytes: Buffer | undefined): Detection {
    const hasS3 = image.S3Object !== undefined && image.S3Object !== null;
    if ((bytes === undefined) === !hasS3) {
      throw invalidParameters('Request has invalid parameters: expected exactly one of Image.Bytes or Image.S3Object');
    }
    if (!bytes) {
      throw new AwsError(
        'InvalidS3ObjectException',
        400,
        'Unable to get object metadata from S3. Check object key, region and/or access permissions.',
      );
    }
    try {
      return detectFaces(bytes, this.declarations.get(createHash('sha256').update(bytes).digest('hex')), this.codes);
    } catch (e) {
      if (e instanceof ImageRefused) throw new AwsError(e.type, 400, e.message);
      throw e;
    }
  }

  /**
   * ClientRequestToken handling around a mutation `run` (which returns the
   * response or throws the AwsError to remember).
   */
  private idempotent(op: OperationName, c: StoredCollection, input: Json, run: () => Json): Json {
    const token = input.ClientRequestToken as string | undefined;
    if (token === undefined) return run();
    const { ClientRequestToken: _token, ...rest } = input;
    const hash = sha256(canonical(rest));
    const key = `${op}\0${token}`;
    const seen = c.tokens.get(key);
    if (seen) {
      if (seen.hash !== hash) {
        throw new AwsError(
          'IdempotentParameterMismatchException',
          400,
          `The ClientRequestToken: ${token} you have supplied is already in use.`,
        );
      }
      if ('error' in seen.outcome) throw seen.outcome.error;
      return seen.outcome.ok;
    }
    try {
      const ok = run();
      c.tokens.set(key, { hash, outcome: { ok } });
      return ok;
    } catch (e) {
      if (e instanceof AwsError) c.tokens.set(key, { hash, outcome: { error: e } });
      throw e;
    }
  }
}

/** A stored face as ListFaces, IndexFaces and the searches answer it. */
export function wireFace(f: StoredFace): Json {
  return {
    FaceId: f.faceId,
    BoundingBox: wireBox(f.box),
    ImageId: f.imageId,
    ...(f.externalImageId !== null ? { ExternalImageId: f.externalImageId } : {}),
    Confidence: f.confidence,
    IndexFacesModelVersion: FACE_MODEL_VERSION,
    ...(f.userId !== null ? { UserId: f.userId } : {}),
  };
}

/** A listing key of creation order: the seq, zero-padded so that keys compare as strings. */
const bySeq = (item: { seq: number }): string => String(item.seq).padStart(15, '0');

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/**
 * One page of `items` (in listing order, which is `keyOf` order): MaxResults
 * (0/absent → `defaultSize`) after the position in NextToken. Tokens are
 * stateless (`<op>.<last key>.<scope hash>`), reusable, ≤ 255 chars, and
 * only valid for the listing (op + collection + filters) that issued them.
 */
function paginate<T>(
  op: string,
  scope: string,
  items: readonly T[],
  keyOf: (item: T) => string,
  input: Json,
  defaultSize: number,
): { items: T[]; nextToken?: string } {
  const size = (input.MaxResults as number | undefined) || defaultSize;
  const scopeHash = sha256(scope).slice(0, 16);
  let after = '';
  const token = input.NextToken as string | undefined;
  if (token !== undefined) {
    const m = /^([A-Za-z]+)\.([0-9a-f]{1,32})\.([0-9a-f]{16})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!m || m[1] !== op || m[3] !== scopeHash) throw new AwsError('InvalidPaginationTokenException', 400, 'Invalid Token');
    after = m[2];
  }
  const rest = items.filter((i) => keyOf(i) > after);
  const page = rest.slice(0, size);
  if (rest.length <= size) return { items: page };
  const last = keyOf(page[page.length - 1]);
  return { items: page, nextToken: Buffer.from(`${op}.${last}.${scopeHash}`, 'utf8').toString('base64url') };
}
