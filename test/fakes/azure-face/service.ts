/**
 * The fake's Azure AI Face v1.2: in-memory LargePersonGroups (persons and
 * their persisted faces), LargeFaceLists, detect / identify / verify and
 * training, with the service's documented semantics (providers.md §B).
 * Knows nothing of HTTP beyond the request it is handed; every handler
 * returns a response or throws {@link AzureError}.
 *
 * Semantics reproduced, and the fake's own choices where Azure is silent:
 * - Container ids follow `^[a-z0-9-_]+$`, 1..64 (BadArgument "Large person
 *   group ID is invalid." otherwise); lists are in id order (`start` = the
 *   last id seen, exclusive; `top` 1..1000, default 1000). Persons are listed
 *   by personId, face-list faces by persistedFaceId.
 * - The same not-found code has the status of its context: 404 on the
 *   container routes, 400 inside identify/verify bodies (§B.2).
 * - Training is asynchronous: POST train answers 202 with an absolute
 *   `operation-Location` (…/training); the status is `running` for
 *   `trainingMs` of the fake's clock, then `succeeded` (or `failed` when a
 *   test asked for it). Training captures the persons and faces as they were
 *   when it started; identify only sees the last successful training
 *   ("mutations after training are not reflected until you train again").
 *   Train while training → 409 *TrainingNotFinished (the fake's choice).
 *   GET training of a never-trained container → 404 *NotTrained.
 * - detect, identify, verify and findsimilars, and the faceIds detect
 *   gives out, live in ./recognition.ts; their rules:
 * - Identify: untrained group → 400 LargePersonGroupNotTrained; while
 *   training → 409 LargePersonGroupTrainingNotFinished. Confidence of a
 *   person = its best face's similarity / 100 (same identity → 0.99xx,
 *   different → < 0.5); default confidenceThreshold 0.5.
 * - Verify (face ↔ person) uses the person's current faces and needs no
 *   training; isIdentical when confidence ≥ 0.5.
 * - Detect: returnFaceId defaults to true and recognitionModel to
 *   recognition_01; faceIds live `faceIdTimeToLive` seconds (default
 *   86400) and only match containers of the same recognition model
 *   (BadArgument "'recognitionModel' is incompatible."). Attributes per
 *   detection model and the 27 landmarks: ./attributes.ts.
 * - FindSimilar against a LargeFaceList (or faceIds): ./find-similar.ts. A
 *   list's training captures its faces; findsimilars sees the last
 *   successful one (400 LargeFaceListNotTrained before it, 409
 *   LargeFaceListTrainingNotFinished during one).
 * - Adding a face: with `targetFace` the detected face overlapping it best
 *   (IoU ≥ 0.5) is taken, else 400 InvalidImage "No face detected in the
 *   image."; without it the image must hold exactly one face. Image URLs
 *   cannot be fetched by the fake: 400 InvalidURL.
 * - Quotas: 248 faces a person, then 403 QuotaExceeded; other quotas are
 *   options (defaults are the S0 tier's).
 * - Without Limited Access approval (`identification: false`), detect with
 *   returnFaceId, identify and verify → 403 UnsupportedFeature.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Recognition } from './recognition.js';

import { detectFaces, iou, ImageRefused, type Detection, type DetectedFace, type ImageDeclaration } from './images.js';
import {
  AzureError,
  badArgument,
  checkDetectionModel,
  checkName,
  checkPaging,
  checkRecognitionModel,
  checkUserData,
  CONTAINER_ID,
  MAX_CONTAINER_USER_DATA,
  MAX_FACE_USER_DATA,
  parseJsonObject,
  parseTargetFace,
  queryBoolean,
  UUID,
  type Json,
} from './validation.js';

/** What a handler gets from the server. */
export interface FaceRequest {
  method: string;
  /** Path parameters, URL-decoded, in route order. */
  params: string[];
  query: URLSearchParams;
  body: Buffer;
  /** Media type without parameters, lowercased. */
  contentType: string;
  /** `http://host:port/face/v1.2`: base of absolute operation-Location values. */
  base: string;
}

export interface FaceResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Operation names (Azure's operationIds, shortened where the fake serves one overload). */
export const ROUTES = [
  { method: 'PUT', path: /^\/largepersongroups\/([^/]+)$/, op: 'CreateLargePersonGroup' },
  { method: 'GET', path: /^\/largepersongroups\/([^/]+)$/, op: 'GetLargePersonGroup' },
  { method: 'PATCH', path: /^\/largepersongroups\/([^/]+)$/, op: 'UpdateLargePersonGroup' },
  { method: 'DELETE', path: /^\/largepersongroups\/([^/]+)$/, op: 'DeleteLargePersonGroup' },
  { method: 'GET', path: /^\/largepersongroups$/, op: 'GetLargePersonGroups' },
  { method: 'POST', path: /^\/largepersongroups\/([^/]+)\/train$/, op: 'TrainLargePersonGroup' },
  { method: 'GET', path: /^\/largepersongroups\/([^/]+)\/training$/, op: 'GetLargePersonGroupTrainingStatus' },
  { method: 'POST', path: /^\/largepersongroups\/([^/]+)\/persons$/, op: 'CreateLargePersonGroupPerson' },
  { method: 'GET', path: /^\/largepersongroups\/([^/]+)\/persons$/, op: 'GetLargePersonGroupPersons' },
  { method: 'GET', path: /^\/largepersongroups\/([^/]+)\/persons\/([^/]+)$/, op: 'GetLargePersonGroupPerson' },
  { method: 'PATCH', path: /^\/largepersongroups\/([^/]+)\/persons\/([^/]+)$/, op: 'UpdateLargePersonGroupPerson' },
  { method: 'DELETE', path: /^\/largepersongroups\/([^/]+)\/persons\/([^/]+)$/, op: 'DeleteLargePersonGroupPerson' },
  { method: 'POST', path: /^\/largepersongroups\/([^/]+)\/persons\/([^/]+)\/persistedfaces$/, op: 'AddLargePersonGroupPersonFace' },
  { method: 'GET', path: /^\/largepersongroups\/([^/]+)\/persons\/([^/]+)\/persistedfaces\/([^/]+)$/, op: 'GetLargePersonGroupPersonFace' },
  {
    method: 'PATCH',
    path: /^\/largepersongroups\/([^/]+)\/persons\/([^/]+)\/persistedfaces\/([^/]+)$/,
    op: 'UpdateLargePersonGroupPersonFace',
  },
  {
    method: 'DELETE',
    path: /^\/largepersongroups\/([^/]+)\/persons\/([^/]+)\/persistedfaces\/([^/]+)$/,
    op: 'DeleteLargePersonGroupPersonFace',
  },
  { method: 'PUT', path: /^\/largefacelists\/([^/]+)$/, op: 'CreateLargeFaceList' },
  { method: 'GET', path: /^\/largefacelists\/([^/]+)$/, op: 'GetLargeFaceList' },
  { method: 'PATCH', path: /^\/largefacelists\/([^/]+)$/, op: 'UpdateLargeFaceList' },
  { method: 'DELETE', path: /^\/largefacelists\/([^/]+)$/, op: 'DeleteLargeFaceList' },
  { method: 'GET', path: /^\/largefacelists$/, op: 'GetLargeFaceLists' },
  { method: 'POST', path: /^\/largefacelists\/([^/]+)\/train$/, op: 'TrainLargeFaceList' },
  { method: 'GET', path: /^\/largefacelists\/([^/]+)\/training$/, op: 'GetLargeFaceListTrainingStatus' },
  { method: 'POST', path: /^\/largefacelists\/([^/]+)\/persistedfaces$/, op: 'AddLargeFaceListFace' },
  { method: 'GET', path: /^\/largefacelists\/([^/]+)\/persistedfaces$/, op: 'GetLargeFaceListFaces' },
  { method: 'GET', path: /^\/largefacelists\/([^/]+)\/persistedfaces\/([^/]+)$/, op: 'GetLargeFaceListFace' },
  { method: 'PATCH', path: /^\/largefacelists\/([^/]+)\/persistedfaces\/([^/]+)$/, op: 'UpdateLargeFaceListFace' },
  { method: 'DELETE', path: /^\/largefacelists\/([^/]+)\/persistedfaces\/([^/]+)$/, op: 'DeleteLargeFaceListFace' },
  { method: 'POST', path: /^\/detect$/, op: 'Detect' },
  { method: 'POST', path: /^\/identify$/, op: 'Identify' },
  { method: 'POST', path: /^\/verify$/, op: 'Verify' },
  { method: 'POST', path: /^\/findsimilars$/, op: 'FindSimilar' },
] as const;

export type OperationName = (typeof ROUTES)[number]['op'];
export const OPERATIONS: readonly OperationName[] = [...new Set(ROUTES.map((r) => r.op))];

/** Quotas; defaults are the S0 tier's (providers.md §B.1). */
export interface FaceLimits {
  facesPerPerson: number;
  personsPerGroup: number;
  groups: number;
  facesPerList: number;
  lists: number;
}

export const DEFAULT_LIMITS: FaceLimits = {
  facesPerPerson: 248,
  personsPerGroup: 1_000_000,
  groups: 1_000_000,
  facesPerList: 1_000_000,
  lists: 1_000_000,
};

export interface FaceStateOptions {
  /** The fake's clock in epoch ms. */
  now: () => number;
  /** How long a training runs on the fake's clock. */
  trainingMs: number;
  /** Limited Access approval for identification/verification. */
  identification: boolean;
  /** Limited Access approval for the age, smile, facialHair and hair attributes. */
  limitedAttributes: boolean;
  limits: FaceLimits;
}

export interface StoredFace {
  persistedFaceId: string;
  userData?: string;
  identity: string;
  key: string;
}

export interface Person {
  personId: string;
  name: string;
  userData?: string;
  /** Insertion order = persistedFaceIds order. */
  faces: Map<string, StoredFace>;
}

export type Kind = 'lpg' | 'lfl';

/** What identify compares with: person → faces, as of a training's start. */
export type TrainedSnapshot = Map<string, { identity: string; key: string }[]>;

/** What findsimilars compares with: a LargeFaceList's faces as of a training's start. */
export type TrainedFaces = { persistedFaceId: string; identity: string; key: string }[];

export interface Training {
  status: 'running' | 'succeeded' | 'failed';
  createdAt: number;
  lastActionAt: number;
  finishAt: number;
  failMessage?: string;
  snapshot: TrainedSnapshot;
  faces: TrainedFaces;
}

export interface Container {
  kind: Kind;
  id: string;
  name: string;
  userData?: string;
  recognitionModel: string;
  createdAt: number;
  persons: Map<string, Person>;
  /** LargeFaceList faces. */
  faces: Map<string, StoredFace>;
  training: Training | null;
  lastSuccessAt: number | null;
  trained: TrainedSnapshot | null;
  /** LargeFaceList: its faces as of the last successful training. */
  trainedFaces: TrainedFaces | null;
}

/** An opaque deep copy of a container, for the v1.0 Snapshot API (./snapshots.ts). */
export type ContainerCopy = Container;

/** A detected face behind a faceId, until it expires. */
export interface TransientFace {
  identity: string;
  key: string;
  recognitionModel: string;
  expiresAt: number;
}

const LABELS: Record<Kind, { label: string; code: string; invalid: string }> = {
  lpg: { label: 'Large person group', code: 'LargePersonGroup', invalid: 'Large person group ID is invalid.' },
  lfl: { label: 'Large face list', code: 'LargeFaceList', invalid: 'Large face list ID is invalid.' },
};

const iso = (ms: number) => new Date(ms).toISOString();
const byId = <T>(items: Iterable<T>, id: (t: T) => string): T[] => [...items].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));

/** In-memory Azure Face state and operations. */
export class FaceState {
  private readonly containers: Record<Kind, Map<string, Container>> = { lpg: new Map(), lfl: new Map() };
  /** detect, identify, verify and findsimilars, with the faceIds detect gave out (./recognition.ts). */
  private readonly recognition = new Recognition({
    options: this.options,
    container: (kind, id, status) => this.container(kind, id, status),
    settle: (c) => this.settle(c),
    detectImage: (req) => this.detectImage(req),
  });
  private readonly declarations = new Map<string, ImageDeclaration>();
  /** Containers whose next training ends as failed, with the message. */
  private readonly failTraining = new Map<string, string>();

  constructor(readonly options: FaceStateOptions) {}

  declareImage(sha256: string, declaration: ImageDeclaration): void {
    this.declarations.set(sha256, declaration);
  }

  /** The next training of `kind` container `id` (any, when absent) ends `failed` with `message`. */
  failNextTraining(id: string | undefined, message: string): void {
    this.failTraining.set(id ?? '*', message);
  }

  reset(options: { images?: boolean } = {}): void {
    this.containers.lpg.clear();
    this.containers.lfl.clear();
    this.recognition.reset();
    this.failTraining.clear();
    if (options.images) this.declarations.clear();
  }

  /** A deep copy of a container as it is now (the v1.0 Snapshot API's content), or null when there is none. */
  copyContainer(type: 'LargePersonGroup' | 'LargeFaceList', id: string): ContainerCopy | null {
    const c = this.containers[type === 'LargePersonGroup' ? 'lpg' : 'lfl'].get(id);
    if (!c) return null;
    this.settle(c);
    return structuredClone(c);
  }

  /** Creates container `id` from a copy (ids of persons and faces kept, training results too); false when `id` is taken. */
  restoreContainer(type: 'LargePersonGroup' | 'LargeFaceList', id: string, copy: ContainerCopy): boolean {
    const kind = type === 'LargePersonGroup' ? 'lpg' : 'lfl';
    if (this.containers[kind].has(id)) return false;
    this.containers[kind].set(id, { ...structuredClone(copy), id, createdAt: this.options.now() });
    return true;
  }

  /** Whether container `id` exists. */
  hasContainer(type: 'LargePersonGroup' | 'LargeFaceList', id: string): boolean {
    return this.containers[type === 'LargePersonGroup' ? 'lpg' : 'lfl'].has(id);
  }

  /** Persons and faces of a group, for tests that want to look behind the API. */
  inspectGroup(id: string): { persons: number; faces: number; trainingStatus: string | null } | null {
    const c = this.containers.lpg.get(id);
    if (!c) return null;
    this.settle(c);
    let faces = 0;
    for (const p of c.persons.values()) faces += p.faces.size;
    return { persons: c.persons.size, faces, trainingStatus: c.training?.status ?? null };
  }

  handle(op: OperationName, req: FaceRequest): FaceResponse {
    const [a, b, c] = req.params;
    switch (op) {
      case 'CreateLargePersonGroup':
        return this.createContainer('lpg', a, req);
      case 'GetLargePersonGroup':
        return this.getContainer('lpg', a, req);
      case 'UpdateLargePersonGroup':
        return this.updateContainer('lpg', a, req);
      case 'DeleteLargePersonGroup':
        return this.deleteContainer('lpg', a);
      case 'GetLargePersonGroups':
        return this.listContainers('lpg', req);
      case 'TrainLargePersonGroup':
        return this.train('lpg', a, req);
      case 'GetLargePersonGroupTrainingStatus':
        return this.trainingStatus('lpg', a);
      case 'CreateLargePersonGroupPerson':
        return this.createPerson(a, req);
      case 'GetLargePersonGroupPersons':
        return this.listPersons(a, req);
      case 'GetLargePersonGroupPerson':
        return { status: 200, body: personBody(this.person(a, b)) };
      case 'UpdateLargePersonGroupPerson':
        return this.updatePerson(a, b, req);
      case 'DeleteLargePersonGroupPerson': {
        const group = this.container('lpg', a, 404);
        this.person(a, b);
        group.persons.delete(b.toLowerCase());
        return { status: 200 };
      }
      case 'AddLargePersonGroupPersonFace': {
        const person = this.person(a, b);
        this.container('lpg', a, 404); // 404 when the group is gone
        if (person.faces.size >= this.options.limits.facesPerPerson) {
          throw new AzureError(403, 'QuotaExceeded', 'Persisted face number reached limit.');
        }
        const face = this.addFace(req);
        person.faces.set(face.persistedFaceId, face);
        return { status: 200, body: { persistedFaceId: face.persistedFaceId } };
      }
      case 'GetLargePersonGroupPersonFace':
        return { status: 200, body: faceBody(this.personFace(a, b, c)) };
      case 'UpdateLargePersonGroupPersonFace':
        return this.updateFace(this.personFace(a, b, c), req);
      case 'DeleteLargePersonGroupPersonFace': {
        const face = this.personFace(a, b, c);
        this.person(a, b).faces.delete(face.persistedFaceId);
        return { status: 200 };
      }
      case 'CreateLargeFaceList':
        return this.createContainer('lfl', a, req);
      case 'GetLargeFaceList':
        return this.getContainer('lfl', a, req);
      case 'UpdateLargeFaceList':
        return this.updateContainer('lfl', a, req);
      case 'DeleteLargeFaceList':
        return this.deleteContainer('lfl', a);
      case 'GetLargeFaceLists':
        return this.listContainers('lfl', req);
      case 'TrainLargeFaceList':
        return this.train('lfl', a, req);
      case 'GetLargeFaceListTrainingStatus':
        return this.trainingStatus('lfl', a);
      case 'AddLargeFaceListFace': {
        const list = this.container('lfl', a, 404);
        if (list.faces.size >= this.options.limits.facesPerList) {
          throw new AzureError(403, 'QuotaExceeded', 'Persisted face number reached limit.');
        }
        const face = this.addFace(req);
        list.faces.set(face.persistedFaceId, face);
        return { status: 200, body: { persistedFaceId: face.persistedFaceId } };
      }
      case 'GetLargeFaceListFaces': {
        const list = this.container('lfl', a, 404);
        const { start, top } = checkPaging(req.query);
        const faces = byId(list.faces.values(), (f) => f.persistedFaceId).filter((f) => f.persistedFaceId > start);
        return { status: 200, body: faces.slice(0, top).map(faceBody) };
      }
      case 'GetLargeFaceListFace':
        return { status: 200, body: faceBody(this.listFace(a, b)) };
      case 'UpdateLargeFaceListFace':
        return this.updateFace(this.listFace(a, b), req);
      case 'DeleteLargeFaceListFace': {
        const face = this.listFace(a, b);
        this.container('lfl', a, 404).faces.delete(face.persistedFaceId);
        return { status: 200 };
      }
      case 'Detect':
        return this.recognition.detect(req);
      case 'Identify':
        return this.recognition.identify(req);
      case 'Verify':
        return this.recognition.verify(req);
      case 'FindSimilar':
        return this.recognition.findSimilar(req);
    }
  }

  // ---- containers -----------------------------------------------------------

  private createContainer(kind: Kind, rawId: string, req: FaceRequest): FaceResponse {
    const id = this.checkId(kind, rawId);
    const body = parseJsonObject(req.body);
    const name = checkName(body.name, true) as string;
    const userData = checkUserData(body.userData, MAX_CONTAINER_USER_DATA);
    const recognitionModel = checkRecognitionModel(body.recognitionModel, 'recognition_01');
    const all = this.containers[kind];
    if (all.has(id)) throw new AzureError(409, `${LABELS[kind].code}Exists`, `${LABELS[kind].label} '${id}' already exists.`);
    const quota = kind === 'lpg' ? this.options.limits.groups : this.options.limits.lists;
    if (all.size >= quota) {
      throw new AzureError(403, 'QuotaExceeded', `${LABELS[kind].label} number reached subscription level limit.`);
    }
    all.set(id, {
      kind,
      id,
      name,
      ...(userData !== undefined ? { userData } : {}),
      recognitionModel,
      createdAt: this.options.now(),
      persons: new Map(),
      faces: new Map(),
      training: null,
      lastSuccessAt: null,
      trained: null,
      trainedFaces: null,
    });
    return { status: 200 };
  }

  private getContainer(kind: Kind, id: string, req: FaceRequest): FaceResponse {
    const c = this.container(kind, id, 404);
    return { status: 200, body: containerBody(c, queryBoolean(req.query, 'returnRecognitionModel', false)) };
  }

  private updateContainer(kind: Kind, id: string, req: FaceRequest): FaceResponse {
    const c = this.container(kind, id, 404);
    const body = parseJsonObject(req.body);
    const name = checkName(body.name, false);
    const userData = checkUserData(body.userData, MAX_CONTAINER_USER_DATA);
    if (name === undefined && userData === undefined) throw badArgument("Both 'name' and 'userData' are empty.");
    if (name !== undefined) c.name = name;
    if (userData !== undefined) c.userData = userData;
    return { status: 200 };
  }

  private deleteContainer(kind: Kind, id: string): FaceResponse {
    const c = this.container(kind, id, 404);
    this.containers[kind].delete(c.id);
    return { status: 200 };
  }

  private listContainers(kind: Kind, req: FaceRequest): FaceResponse {
    const { start, top } = checkPaging(req.query);
    const withModel = queryBoolean(req.query, 'returnRecognitionModel', false);
    const items = byId(this.containers[kind].values(), (c) => c.id).filter((c) => c.id > start);
    return { status: 200, body: items.slice(0, top).map((c) => containerBody(c, withModel)) };
  }

  // ---- training -------------------------------------------------------------

  private train(kind: Kind, id: string, req: FaceRequest): FaceResponse {
    const c = this.container(kind, id, 404);
    this.settle(c);
    if (c.training?.status === 'running') {
      throw new AzureError(409, `${LABELS[kind].code}TrainingNotFinished`, `${LABELS[kind].label} '${c.id}' is under training.`);
    }
    const now = this.options.now();
    const failMessage = this.failTraining.get(c.id) ?? this.failTraining.get('*');
    if (!this.failTraining.delete(c.id)) this.failTraining.delete('*');
    c.training = {
      status: 'running',
      createdAt: now,
      lastActionAt: now,
      finishAt: now + this.options.trainingMs,
      ...(failMessage !== undefined ? { failMessage } : {}),
      snapshot: snapshotOf(c),
      faces: [...c.faces.values()].map((f) => ({ persistedFaceId: f.persistedFaceId, identity: f.identity, key: f.key })),
    };
    this.settle(c);
    const path = kind === 'lpg' ? 'largepersongroups' : 'largefacelists';
    return { status: 202, headers: { 'operation-Location': `${req.base}/${path}/${c.id}/training` } };
  }

  private trainingStatus(kind: Kind, id: string): FaceResponse {
    const c = this.container(kind, id, 404);
    this.settle(c);
    if (!c.training) throw new AzureError(404, `${LABELS[kind].code}NotTrained`, `${LABELS[kind].label} '${c.id}' not trained.`);
    const t = c.training;
    // TrainingResultOutput (@azure-rest/ai-vision-face; learn.microsoft.com Face v1.2 "Get Large Person Group
    // Training Status"): createdDateTime is "the created time of the person group, large person group or large
    // face list" — the container's, not the training's; lastActionDateTime its last modify time and
    // lastSuccessfulTrainingDateTime "the last successful training time" (stamped here when the training ends:
    // Azure does not say start or end, and the end is the reading that is harder on a client).
    return {
      status: 200,
      body: {
        status: t.status,
        createdDateTime: iso(c.createdAt),
        lastActionDateTime: iso(t.lastActionAt),
        lastSuccessfulTrainingDateTime: c.lastSuccessAt === null ? null : iso(c.lastSuccessAt),
        ...(t.status === 'failed' ? { message: t.failMessage } : {}),
      },
    };
  }

  /** Moves a finished training to its end state (time is read lazily). */
  private settle(c: Container): void {
    const t = c.training;
    if (!t || t.status !== 'running' || this.options.now() < t.finishAt) return;
    t.lastActionAt = t.finishAt;
    if (t.failMessage !== undefined) {
      t.status = 'failed';
    } else {
      t.status = 'succeeded';
      c.lastSuccessAt = t.finishAt;
      c.trained = t.snapshot;
      c.trainedFaces = t.faces;
    }
  }

  // ---- persons and faces ----------------------------------------------------

  private createPerson(groupId: string, req: FaceRequest): FaceResponse {
    const group = this.container('lpg', groupId, 404);
    const body = parseJsonObject(req.body);
    const name = checkName(body.name, true) as string;
    const userData = checkUserData(body.userData, MAX_CONTAINER_USER_DATA);
    if (group.persons.size >= this.options.limits.personsPerGroup) {
      throw new AzureError(403, 'QuotaExceeded', 'Person number reached person group level limit.');
    }
    const personId = randomUUID();
    group.persons.set(personId, { personId, name, ...(userData !== undefined ? { userData } : {}), faces: new Map() });
    return { status: 200, body: { personId } };
  }

  private listPersons(groupId: string, req: FaceRequest): FaceResponse {
    const group = this.container('lpg', groupId, 404);
    const { start, top } = checkPaging(req.query);
    const persons = byId(group.persons.values(), (p) => p.personId).filter((p) => p.personId > start.toLowerCase());
    return { status: 200, body: persons.slice(0, top).map(personBody) };
  }

  private updatePerson(groupId: string, personId: string, req: FaceRequest): FaceResponse {
    const person = this.person(groupId, personId);
    const body = parseJsonObject(req.body);
    const name = checkName(body.name, false);
    const userData = checkUserData(body.userData, MAX_CONTAINER_USER_DATA);
    if (name === undefined && userData === undefined) throw badArgument("Both 'name' and 'userData' are empty.");
    if (name !== undefined) person.name = name;
    if (userData !== undefined) person.userData = userData;
    return { status: 200 };
  }

  private updateFace(face: StoredFace, req: FaceRequest): FaceResponse {
    const body = parseJsonObject(req.body);
    const userData = checkUserData(body.userData, MAX_FACE_USER_DATA);
    if (userData !== undefined) face.userData = userData;
    return { status: 200 };
  }

  /** Adds the face of an add-face request (bytes + targetFace/detectionModel/userData query). */
  private addFace(req: FaceRequest): StoredFace {
    const userData = checkUserData(req.query.get('userData'), MAX_FACE_USER_DATA);
    checkDetectionModel(req.query.get('detectionModel'));
    const target = parseTargetFace(req.query.get('targetFace'));
    const detection = this.detectImage(req);
    let face: DetectedFace | undefined;
    if (target) {
      if (target.left + target.width > detection.width || target.top + target.height > detection.height) {
        throw badArgument('Argument targetFace out of range.');
      }
      let best = 0;
      for (const f of detection.faces) {
        const overlap = iou(f.rect, target);
        if (overlap > best) [best, face] = [overlap, f];
      }
      if (best < 0.5) face = undefined;
    } else {
      if (detection.faces.length > 1) throw new AzureError(400, 'InvalidImage', 'There is more than 1 face in the image.');
      face = detection.faces[0];
    }
    if (!face) throw new AzureError(400, 'InvalidImage', 'No face detected in the image.');
    return { persistedFaceId: randomUUID(), ...(userData !== undefined ? { userData } : {}), identity: face.identity, key: face.key };
  }

  // ---- detect / identify / verify -------------------------------------------

  // ---- helpers --------------------------------------------------------------

  private checkId(kind: Kind, id: string): string {
    if (!CONTAINER_ID.test(id)) throw badArgument(LABELS[kind].invalid);
    return id;
  }

  /** A container; not found answers `status` (404 on its own routes, 400 inside identify/verify). */
  private container(kind: Kind, id: string, status: 400 | 404): Container {
    this.checkId(kind, id);
    const c = this.containers[kind].get(id);
    if (!c) throw new AzureError(status, `${LABELS[kind].code}NotFound`, `${LABELS[kind].label} '${id}' is not found.`);
    return c;
  }

  private person(groupId: string, personId: string): Person {
    const group = this.container('lpg', groupId, 404);
    if (!UUID.test(personId)) throw new AzureError(404, 'PersonNotFound', 'Person ID is invalid.');
    const person = group.persons.get(personId.toLowerCase());
    if (!person) throw new AzureError(404, 'PersonNotFound', `Person '${personId}' is not found.`);
    return person;
  }

  private personFace(groupId: string, personId: string, faceId: string): StoredFace {
    const person = this.person(groupId, personId);
    const face = UUID.test(faceId) ? person.faces.get(faceId.toLowerCase()) : undefined;
    if (!face) throw new AzureError(404, 'PersistedFaceNotFound', `Persisted face '${faceId}' is not found.`);
    return face;
  }

  private listFace(listId: string, faceId: string): StoredFace {
    const list = this.container('lfl', listId, 404);
    const face = UUID.test(faceId) ? list.faces.get(faceId.toLowerCase()) : undefined;
    if (!face) throw new AzureError(404, 'PersistedFaceNotFound', `Persisted face '${faceId}' is not found.`);
    return face;
  }

  /** The image of a detect/add-face request: bytes only (the fake cannot fetch URLs). */
  private detectImage(req: FaceRequest): Detection {
    if (req.contentType === 'application/json') {
      const body = parseJsonObject(req.body);
      if (typeof body.url === 'string') throw new AzureError(400, 'InvalidURL', 'Invalid image URL.'); // the fake fetches nothing
      throw badArgument('Request body is invalid.');
    }
    if (req.contentType !== 'application/octet-stream') {
      throw new AzureError(415, 'BadArgument', `Invalid media type ${req.contentType || '(none)'}.`); // (fake) wording
    }
    try {
      return detectFaces(req.body, this.declarations.get(createHash('sha256').update(req.body).digest('hex')));
    } catch (e) {
      if (e instanceof ImageRefused) throw new AzureError(400, e.code, e.message);
      throw e;
    }
  }
}

function snapshotOf(c: Container): TrainedSnapshot {
  const snapshot: TrainedSnapshot = new Map();
  for (const p of c.persons.values())
    snapshot.set(
      p.personId,
      [...p.faces.values()].map((f) => ({ identity: f.identity, key: f.key })),
    );
  return snapshot;
}

function containerBody(c: Container, withModel: boolean): Json {
  return {
    [c.kind === 'lpg' ? 'largePersonGroupId' : 'largeFaceListId']: c.id,
    name: c.name,
    ...(c.userData !== undefined ? { userData: c.userData } : {}),
    ...(withModel ? { recognitionModel: c.recognitionModel } : {}),
  };
}

function personBody(p: Person): Json {
  return {
    personId: p.personId,
    name: p.name,
    ...(p.userData !== undefined ? { userData: p.userData } : {}),
    persistedFaceIds: [...p.faces.keys()],
  };
}

function faceBody(f: StoredFace): Json {
  return { persistedFaceId: f.persistedFaceId, ...(f.userData !== undefined ? { userData: f.userData } : {}) };
}
