/**
 * The fake's face operations beyond enrolment: DetectFaces, CompareFaces,
 * SearchFaces, SearchFacesByImage and SearchUsers, on the state of
 * service.ts (whose header lists the semantics shared with IndexFaces and
 * SearchUsersByImage). What each reproduces, from the AWS API reference:
 *
 * - DetectFaces: "detects the 100 largest faces in the image"; the DEFAULT
 *   attributes always, the others when asked (face-detail.ts). An image
 *   without faces is an empty FaceDetails, not an error.
 * - CompareFaces: "Compares a face in the source input image with each of
 *   the 100 largest faces detected in the target input image"; the source's
 *   largest face is used. Matches are "ordered by similarity score in
 *   descending order", SimilarityThreshold defaults to 80 ("By default, only
 *   faces with a similarity score of greater than or equal to 80% are
 *   returned"), the others are UnmatchedFaces. QualityFilter (default NONE)
 *   applies to the target's faces: "Filtered faces aren't compared" (left
 *   out of both lists). "If no faces are detected in the source or target
 *   images, CompareFaces returns an InvalidParameterException error."
 * - SearchFaces: FaceMatchThreshold defaults to 80, matches by similarity
 *   descending; the searched face is never its own match (AWS does not say;
 *   the service's own examples never list it). An unknown FaceId is
 *   InvalidParameterException "faceId was not found in the collection", as
 *   users report (awsdocs/amazon-rekognition-developer-guide#50). MaxFaces
 *   has no documented default: 100 here.
 * - SearchFacesByImage: the largest face (that passes QualityFilter,
 *   default NONE) is searched; no such face is InvalidParameterException
 *   (unlike SearchUsersByImage). Answers SearchedFaceBoundingBox and
 *   SearchedFaceConfidence only (no FaceDetail).
 * - SearchUsers: exactly one of UserId and FaceId (else
 *   InvalidParameterException). A user's similarity is its best face's (a
 *   user to a user: the best pair of their faces); users without faces are
 *   never matched; by UserId the searched user is not its own match; an
 *   unknown UserId or FaceId is InvalidParameterException ("… was not found
 *   in the collection", as for SearchFaces). MaxUsers has no documented
 *   default: 10 here, as SearchUsersByImage.
 */
import { comparedFace, faceDetail, requestedAttributes, wireBox } from './face-detail.js';
import { refusedBy, similarity, type DetectedFace } from './images.js';
import {
  DEFAULT_SEARCH_THRESHOLD,
  FACE_MODEL_VERSION,
  invalidParameters,
  wireFace,
  type Json,
  type RekognitionState,
  type StoredCollection,
  type StoredFace,
} from './service.js';
import type { DecodedBlobs } from './validation.js';

const MAX_DETECTED = 100;
const DEFAULT_MAX_FACES = 100;
const DEFAULT_MAX_USERS = 10;
const NO_FACE = 'There are no faces in the image. Should be at least 1.';

/** DetectFaces. */
export function detectFacesOp(state: RekognitionState, input: Json, blobs: DecodedBlobs): Json {
  const detection = state.detectImage(input.Image as Json, blobs.get('image.bytes'));
  const attributes = requestedAttributes(input.Attributes as string[] | undefined);
  return { FaceDetails: detection.faces.slice(0, MAX_DETECTED).map((f) => faceDetail(f, attributes)) };
}

/** CompareFaces. */
export function compareFaces(state: RekognitionState, input: Json, blobs: DecodedBlobs): Json {
  const source = state.detectImage(input.SourceImage as Json, blobs.get('sourceImage.bytes'));
  const target = state.detectImage(input.TargetImage as Json, blobs.get('targetImage.bytes'));
  if (source.faces.length === 0 || target.faces.length === 0) throw invalidParameters(NO_FACE);
  const threshold = (input.SimilarityThreshold as number | undefined) ?? DEFAULT_SEARCH_THRESHOLD;
  const filter = (input.QualityFilter as string | undefined) ?? 'NONE';
  const sourceFace = source.faces[0];
  const compared = target.faces
    .slice(0, MAX_DETECTED)
    .filter((f) => refusedBy(f, filter).length === 0)
    .map((f) => ({ face: f, similarity: similarity(sourceFace, f) }));
  return {
    SourceImageFace: { BoundingBox: wireBox(sourceFace.box), Confidence: sourceFace.confidence },
    FaceMatches: compared
      .filter((m) => m.similarity >= threshold)
      .sort((a, b) => b.similarity - a.similarity)
      .map((m) => ({ Similarity: m.similarity, Face: comparedFace(m.face) })),
    UnmatchedFaces: compared.filter((m) => m.similarity < threshold).map((m) => comparedFace(m.face)),
  };
}

/** The collection's faces most like `probe` (never `exclude`), at or above the threshold, best first. */
function faceMatches(c: StoredCollection, probe: { identity: string; key: string }, input: Json, exclude?: StoredFace): Json[] {
  const threshold = (input.FaceMatchThreshold as number | undefined) ?? DEFAULT_SEARCH_THRESHOLD;
  const maxFaces = (input.MaxFaces as number | undefined) ?? DEFAULT_MAX_FACES;
  return [...c.faces.values()]
    .filter((f) => f !== exclude)
    .map((f) => ({ face: f, similarity: similarity(probe, f) }))
    .filter((m) => m.similarity >= threshold)
    .sort((a, b) => b.similarity - a.similarity || a.face.seq - b.face.seq)
    .slice(0, maxFaces)
    .map((m) => ({ Similarity: m.similarity, Face: wireFace(m.face) }));
}

/** SearchFaces. */
export function searchFaces(state: RekognitionState, input: Json): Json {
  const c = state.require(input);
  const face = c.faces.get(input.FaceId as string);
  if (!face) throw invalidParameters('faceId was not found in the collection');
  return { SearchedFaceId: face.faceId, FaceMatches: faceMatches(c, face, input, face), FaceModelVersion: FACE_MODEL_VERSION };
}

/** SearchFacesByImage. */
export function searchFacesByImage(state: RekognitionState, input: Json, blobs: DecodedBlobs): Json {
  const c = state.require(input);
  const detection = state.detectImage(input.Image as Json, blobs.get('image.bytes'));
  const filter = (input.QualityFilter as string | undefined) ?? 'NONE';
  const searched = detection.faces.find((f: DetectedFace) => refusedBy(f, filter).length === 0);
  if (!searched) throw invalidParameters(NO_FACE);
  return {
    SearchedFaceBoundingBox: wireBox(searched.box),
    SearchedFaceConfidence: searched.confidence,
    FaceMatches: faceMatches(c, searched, input),
    FaceModelVersion: FACE_MODEL_VERSION,
  };
}

/** SearchUsers. */
export function searchUsers(state: RekognitionState, input: Json): Json {
  const c = state.require(input);
  const userId = input.UserId as string | undefined;
  const faceId = input.FaceId as string | undefined;
  if ((userId === undefined) === (faceId === undefined)) {
    throw invalidParameters('Request has invalid parameters: expected exactly one of UserId or FaceId');
  }
  let probes: StoredFace[];
  if (userId !== undefined) {
    if (!c.users.has(userId)) throw invalidParameters('userId was not found in the collection');
    probes = [...c.faces.values()].filter((f) => f.userId === userId);
  } else {
    const face = c.faces.get(faceId as string);
    if (!face) throw invalidParameters('faceId was not found in the collection');
    probes = [face];
  }
  const threshold = (input.UserMatchThreshold as number | undefined) ?? DEFAULT_SEARCH_THRESHOLD;
  const maxUsers = (input.MaxUsers as number | undefined) ?? DEFAULT_MAX_USERS;
  const best = new Map<string, number>();
  for (const face of c.faces.values()) {
    if (face.userId === null || face.userId === userId) continue;
    for (const probe of probes) {
      const s = similarity(probe, face);
      if (s > (best.get(face.userId) ?? -1)) best.set(face.userId, s);
    }
  }
  const keyOf = (id: string) => c.users.get(id)?.key ?? '';
  const matches = [...best.entries()]
    .filter(([, s]) => s >= threshold)
    .sort((a, b) => b[1] - a[1] || (keyOf(a[0]) < keyOf(b[0]) ? -1 : 1))
    .slice(0, maxUsers)
    .map(([id, s]) => ({ Similarity: s, User: { UserId: id, UserStatus: state.status(c, id) } }));
  return {
    UserMatches: matches,
    FaceModelVersion: FACE_MODEL_VERSION,
    ...(userId !== undefined ? { SearchedUser: { UserId: userId } } : { SearchedFace: { FaceId: faceId } }),
  };
}
