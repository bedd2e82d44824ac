/**
 * The fake's detect, identify, verify and findsimilars (Azure AI Face
 * v1.2), and the faceIds detect gives out: each lives `faceIdTimeToLive`
 * seconds of the fake's clock and only matches containers of its
 * recognition model. Containers, training and images are the service's
 * (./service.ts), reached through {@link RecognitionDeps}. Field rules and
 * wording: ./validation.ts, ./attributes.ts, ./find-similar.ts.
 */
import { randomUUID } from 'node:crypto';
import { attributesOf, checkDetectAttributes, landmarksOf } from './attributes.js';
import { findSimilar } from './find-similar.js';
import { similarity, type Detection } from './images.js';
import type { Container, FaceRequest, FaceResponse, FaceStateOptions, Kind, TransientFace } from './service.js';
import {
  AzureError,
  badArgument,
  checkDetectionModel,
  checkRecognitionModel,
  checkUuid,
  CONTAINER_ID,
  parseJsonObject,
  queryBoolean,
  type Json,
} from './validation.js';

/** What recognition needs of the service. */
export interface RecognitionDeps {
  readonly options: FaceStateOptions;
  /** A container; not found answers `status` (400 inside identify/verify/findsimilars). */
  container(kind: Kind, id: string, status: 400 | 404): Container;
  /** Moves a finished training to its end state. */
  settle(c: Container): void;
  /** The faces of a request's image. */
  detectImage(req: FaceRequest): Detection;
}

export const UNSUPPORTED_FEATURE = new AzureError(
  403,
  'UnsupportedFeature',
  'Feature is not supported, missing approval for one or more of the following features: Identification,Verification. Please apply for access at https://aka.ms/facerecognition',
);

export class Recognition {
  private readonly transient = new Map<string, TransientFace>();

  constructor(private readonly deps: RecognitionDeps) {}

  /** Forgets every faceId. */
  reset(): void {
    this.transient.clear();
  }

  detect(req: FaceRequest): FaceResponse {
    const q = req.query;
    const returnFaceId = queryBoolean(q, 'returnFaceId', true);
    const landmarks = queryBoolean(q, 'returnFaceLandmarks', false);
    const returnModel = queryBoolean(q, 'returnRecognitionModel', false);
    const recognitionModel = checkRecognitionModel(q.get('recognitionModel'), 'recognition_01');
    const detectionModel = checkDetectionModel(q.get('detectionModel'));
    const rawTtl = q.get('faceIdTimeToLive');
    const ttl = rawTtl === null || rawTtl === '' ? 86400 : Number(rawTtl);
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > 86400) throw badArgument("'faceIdTimeToLive' is invalid."); // (fake) wording
    const attributes = checkDetectAttributes(q.get('returnFaceAttributes'), {
      detectionModel,
      recognitionModel,
      landmarks,
      limitedAttributes: this.deps.options.limitedAttributes,
    });
    if (returnFaceId && !this.deps.options.identification) throw UNSUPPORTED_FEATURE;
    const detection = this.deps.detectImage(req);
    const now = this.deps.options.now();
    this.purgeTransient(now);
    const faces = detection.faces.map((f) => {
      const out: Json = {};
      if (returnFaceId) {
        const faceId = randomUUID();
        this.transient.set(faceId, { identity: f.identity, key: f.key, recognitionModel, expiresAt: now + ttl * 1000 });
        out.faceId = faceId;
        if (returnModel) out.recognitionModel = recognitionModel;
      }
      out.faceRectangle = { top: f.rect.top, left: f.rect.left, width: f.rect.width, height: f.rect.height };
      if (landmarks) out.faceLandmarks = landmarksOf(f, detection);
      if (attributes.length > 0) out.faceAttributes = attributesOf(attributes, f);
      return out;
    });
    return { status: 200, body: faces };
  }

  identify(req: FaceRequest): FaceResponse {
    const body = parseJsonObject(req.body);
    const faceIds = body.faceIds;
    if (!Array.isArray(faceIds) || faceIds.length < 1 || faceIds.length > 10) {
      throw badArgument('The length of faceIds is not in a valid range.');
    }
    faceIds.forEach((id) => checkUuid(id, 'Face ID is invalid.'));
    const maxCandidates = body.maxNumOfCandidatesReturned ?? 1;
    if (!Number.isInteger(maxCandidates) || (maxCandidates as number) < 1 || (maxCandidates as number) > 100) {
      throw badArgument('The argument maxNumOfCandidatesReturned is not valid.');
    }
    const threshold = body.confidenceThreshold ?? 0.5;
    if (typeof threshold !== 'number' || threshold < 0 || threshold > 1) {
      throw badArgument('The argument confidenceThreshold is not valid.');
    }
    const lpgId = body.largePersonGroupId;
    const pgId = body.personGroupId;
    if (body.personIds !== undefined || body.dynamicPersonGroupId !== undefined) {
      if (lpgId !== undefined || pgId !== undefined) {
        throw new AzureError(
          400,
          'IncompatibleIdentificationScopeParametersCombination',
          'Identification scope parameters are incompatible.',
        );
      }
      throw new AzureError(400, 'MissingIdentificationScopeParameters', 'PersonDirectory scopes are not available in v1.2.'); // (fake)
    }
    if (lpgId !== undefined && pgId !== undefined) {
      throw new AzureError(
        400,
        'PersonGroupIdAndLargePersonGroupIdBothNotNull',
        'Large person group ID and person group ID are both not null.',
      );
    }
    if (lpgId === undefined && pgId === undefined) {
      throw new AzureError(400, 'PersonGroupIdAndLargePersonGroupIdBothNull', 'Large person group ID and person group ID are both null.');
    }
    if (!this.deps.options.identification) throw UNSUPPORTED_FEATURE;
    if (pgId !== undefined) {
      if (typeof pgId !== 'string' || !CONTAINER_ID.test(pgId)) throw badArgument('Person group ID is invalid.');
      throw new AzureError(400, 'PersonGroupNotFound', `Person group '${pgId}' is not found.`); // the fake serves no PersonGroups
    }
    if (typeof lpgId !== 'string' || !CONTAINER_ID.test(lpgId)) throw badArgument('Large person group ID is invalid.');
    const group = this.deps.container('lpg', lpgId, 400);
    const now = this.deps.options.now();
    const faces = faceIds.map((id) => this.transientFace(id as string, now, 400));
    if (faces.some((f) => f.recognitionModel !== group.recognitionModel)) throw badArgument("'recognitionModel' is incompatible.");
    this.deps.settle(group);
    if (group.training?.status === 'running') {
      throw new AzureError(409, 'LargePersonGroupTrainingNotFinished', `Large person group '${group.id}' is under training.`);
    }
    if (!group.trained) throw new AzureError(400, 'LargePersonGroupNotTrained', `Large person group '${group.id}' not trained.`);
    const trained = group.trained;
    const results = faces.map((face, i) => {
      const candidates: { personId: string; confidence: number }[] = [];
      for (const [personId, personFaces] of trained) {
        if (personFaces.length === 0) continue;
        const best = Math.max(...personFaces.map((pf) => similarity(face, pf))) / 100;
        const confidence = Math.round(best * 100000) / 100000;
        if (confidence >= threshold) candidates.push({ personId, confidence });
      }
      candidates.sort((x, y) => y.confidence - x.confidence || (x.personId < y.personId ? -1 : 1));
      return { faceId: (faceIds[i] as string).toLowerCase(), candidates: candidates.slice(0, maxCandidates as number) };
    });
    return { status: 200, body: results };
  }

  verify(req: FaceRequest): FaceResponse {
    const body = parseJsonObject(req.body);
    if (!this.deps.options.identification) throw UNSUPPORTED_FEATURE;
    const now = this.deps.options.now();
    if (body.faceId1 !== undefined || body.faceId2 !== undefined) {
      const id1 = checkUuid(body.faceId1, 'Face ID is invalid.');
      const id2 = checkUuid(body.faceId2, 'Face ID is invalid.');
      const f1 = this.transientFace(id1, now, 404);
      const f2 = this.transientFace(id2, now, 404);
      if (f1.recognitionModel !== f2.recognitionModel) throw badArgument("'recognitionModel' is incompatible.");
      return { status: 200, body: verdict(similarity(f1, f2) / 100) };
    }
    const faceId = checkUuid(body.faceId, 'Face ID is invalid.');
    const personId = checkUuid(body.personId, 'Person ID is invalid.');
    if (body.personGroupId !== undefined) {
      throw new AzureError(400, 'PersonGroupNotFound', `Person group '${String(body.personGroupId)}' is not found.`);
    }
    const lpgId = body.largePersonGroupId;
    if (typeof lpgId !== 'string' || !CONTAINER_ID.test(lpgId)) throw badArgument('Large person group ID is invalid.');
    const group = this.deps.container('lpg', lpgId, 400);
    const face = this.transientFace(faceId, now, 404);
    const person = group.persons.get(personId);
    if (!person) throw new AzureError(404, 'PersonNotFound', `Person '${personId}' is not found.`);
    if (face.recognitionModel !== group.recognitionModel) throw badArgument("'recognitionModel' is incompatible.");
    if (person.faces.size === 0) throw new AzureError(404, 'PersistedFaceNotFound', 'No persisted face of the person is found.');
    const best = Math.max(...[...person.faces.values()].map((pf) => similarity(face, pf))) / 100;
    return { status: 200, body: verdict(best) };
  }

  findSimilar(req: FaceRequest): FaceResponse {
    const body = parseJsonObject(req.body);
    const now = this.deps.options.now();
    const matches = findSimilar(body, {
      identification: this.deps.options.identification,
      unsupported: UNSUPPORTED_FEATURE,
      transientFace: (id) => this.transientFace(id, now, 400),
      largeFaceList: (id) => {
        const list = this.deps.container('lfl', id, 400);
        this.deps.settle(list);
        return { recognitionModel: list.recognitionModel, training: list.training?.status === 'running', trainedFaces: list.trainedFaces };
      },
    });
    return { status: 200, body: matches };
  }

  private transientFace(faceId: string, now: number, status: 400 | 404): TransientFace {
    const face = this.transient.get(faceId.toLowerCase());
    if (!face || face.expiresAt <= now) throw new AzureError(status, 'FaceNotFound', `Face '${faceId}' is not found.`);
    return face;
  }

  private purgeTransient(now: number): void {
    for (const [id, f] of this.transient) if (f.expiresAt <= now) this.transient.delete(id);
  }
}

function verdict(confidence: number): Json {
  const rounded = Math.round(confidence * 100000) / 100000;
  return { isIdentical: rounded >= 0.5, confidence: rounded };
}
