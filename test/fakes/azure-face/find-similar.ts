/**
 * The fake's `POST /findsimilars` (Azure AI Face v1.2 "Find Similar"):
 * request rules and ranking. Wording of every BadArgument and not-found
 * answer is the error-code reference's ("Find Similar error codes",
 * reference-face-error-codes.md 2024-05-24) unless marked (fake).
 *
 * - `faceId` (required): a detect faceId, alive and of the scope's
 *   recognition model; an unknown or expired one is 400 FaceNotFound.
 * - Exactly one scope of `faceListId`, `largeFaceListId`, `faceIds`
 *   (1..1000 detect faceIds). The fake serves no FaceLists: a valid
 *   faceListId is 400 FaceListNotFound.
 * - `maxNumOfCandidatesReturned` 1..1000 (default 20); `mode` matchPerson
 *   (default) or matchFace. matchPerson keeps the candidates the service
 *   judges to be the same person — the fake uses verify's bar, confidence
 *   ≥ 0.5 —; matchFace ranks every face by similarity, ignoring that bar
 *   (Detect/FindSimilar reference: "matchFace … ignores same-person
 *   thresholds and returns ranked similar faces anyway").
 * - A LargeFaceList answers from its last successful training: 409
 *   LargeFaceListTrainingNotFinished while one runs, 400
 *   LargeFaceListNotTrained before the first.
 * - Answer: `[{"persistedFaceId"|"faceId","confidence"}]`, highest first.
 */
import type { TrainedFaces, TransientFace } from './service.js';
import { similarity } from './images.js';
import { AzureError, badArgument, checkUuid, CONTAINER_ID, type Json } from './validation.js';

/** What findsimilars needs of a LargeFaceList. */
export interface SimilarScope {
  recognitionModel: string;
  training: boolean;
  trainedFaces: TrainedFaces | null;
}

export interface FindSimilarDeps {
  /** Limited Access approval (the faceId itself needs it anyway). */
  identification: boolean;
  unsupported: AzureError;
  /** A detect faceId's face; 400 FaceNotFound when unknown or expired. */
  transientFace(faceId: string): TransientFace;
  /** A LargeFaceList, settled; 400 LargeFaceListNotFound when absent. */
  largeFaceList(id: string): SimilarScope;
}

const MODES = ['matchPerson', 'matchFace'];

export function findSimilar(body: Json, deps: FindSimilarDeps): Json[] {
  const faceId = checkUuid(body.faceId, 'Face ID is invalid.');
  const mode = body.mode ?? 'matchPerson';
  if (typeof mode !== 'string' || !MODES.includes(mode)) throw badArgument('Mode is invalid.');
  const max = body.maxNumOfCandidatesReturned ?? 20;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1000) {
    throw badArgument('The argument maxNumOfCandidatesReturned is not valid.');
  }
  const scopes = [body.faceListId, body.largeFaceListId, body.faceIds].filter((s) => s !== undefined && s !== null);
  if (scopes.length === 0) throw badArgument('LargeFaceListId, faceListId and faceIds are all null.');
  if (scopes.length > 1) throw badArgument('2 or more of largeFaceListId, faceListId and faceIds are not null.');
  if (body.faceIds !== undefined && body.faceIds !== null) {
    if (!Array.isArray(body.faceIds) || body.faceIds.length < 1 || body.faceIds.length > 1000) {
      throw badArgument('The length of faceIds is not in a valid range.');
    }
    body.faceIds.forEach((id) => checkUuid(id, 'Face ID is invalid.'));
  }
  if (body.largeFaceListId !== undefined && (typeof body.largeFaceListId !== 'string' || !CONTAINER_ID.test(body.largeFaceListId))) {
    throw badArgument('Large face list ID is invalid.');
  }
  if (body.faceListId !== undefined && (typeof body.faceListId !== 'string' || !CONTAINER_ID.test(body.faceListId))) {
    throw badArgument('Face list ID is invalid.');
  }
  if (!deps.identification) throw deps.unsupported;
  const query = deps.transientFace(faceId);

  let candidates: { id: string; identity: string; key: string }[];
  let idField: 'persistedFaceId' | 'faceId';
  if (typeof body.faceListId === 'string') {
    throw new AzureError(400, 'FaceListNotFound', 'Face list is not found.'); // the fake serves no FaceLists
  } else if (typeof body.largeFaceListId === 'string') {
    const list = deps.largeFaceList(body.largeFaceListId);
    if (list.recognitionModel !== query.recognitionModel) throw badArgument("'recognitionModel' is incompatible.");
    if (list.training) throw new AzureError(409, 'LargeFaceListTrainingNotFinished', 'Large face list is under training.');
    if (!list.trainedFaces) throw new AzureError(400, 'LargeFaceListNotTrained', 'Large face list is not trained.');
    candidates = list.trainedFaces.map((f) => ({ id: f.persistedFaceId, identity: f.identity, key: f.key }));
    idField = 'persistedFaceId';
  } else {
    const ids = (body.faceIds as string[]).map((id) => id.toLowerCase());
    candidates = ids.map((id) => {
      const f = deps.transientFace(id);
      if (f.recognitionModel !== query.recognitionModel) throw badArgument("'recognitionModel' is incompatible.");
      return { id, identity: f.identity, key: f.key };
    });
    idField = 'faceId';
  }
  const ranked = candidates
    .map((c) => ({ id: c.id, confidence: Math.round(similarity(query, c) * 1000) / 100000 }))
    .filter((c) => mode === 'matchFace' || c.confidence >= 0.5)
    .sort((a, b) => b.confidence - a.confidence || (a.id < b.id ? -1 : 1));
  return ranked.slice(0, max).map((c) => ({ [idField]: c.id, confidence: c.confidence }));
}
