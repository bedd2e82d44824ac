/**
 * SearchFaces and SearchFacesByImage on Rekognition: one call each.
 */
import { SearchFacesByImageCommand, SearchFacesCommand, type FaceMatch } from '@aws-sdk/client-rekognition';
import { boxOnlyFaceDetail } from '../../domain/face-details.js';
import type {
  CallOptions,
  FaceMatchRecord,
  SearchFacesByImageInput,
  SearchFacesByImageOutcome,
  SearchFacesInput,
  SearchFacesOutcome,
} from '../provider.js';
import { box, faceRecord } from './records.js';
import type { RekognitionDeps } from './rekognition-deps.js';

/** FaceMatches as the contract's, highest similarity first, without `exclude` (the searched face). */
function faceMatchesOf(collectionId: string, matches: FaceMatch[] | undefined, exclude?: string): FaceMatchRecord[] {
  return (matches ?? [])
    .filter((m) => m.Face?.FaceId !== undefined && m.Face.FaceId !== exclude)
    .map((m) => ({ similarity: m.Similarity ?? 0, face: faceRecord(collectionId, m.Face ?? {}) }))
    .sort((a, b) => b.similarity - a.similarity);
}

/**
 * SearchFaces. A face the collection does not hold is refused by
 * Rekognition with InvalidParameterException ("faceId was not found in the
 * collection"): INVALID_INPUT on `input.faceId`.
 */
export async function searchFaces(deps: RekognitionDeps, input: SearchFacesInput, call?: CallOptions): Promise<SearchFacesOutcome> {
  const { calls } = deps;
  const { collectionId, faceId } = input;
  const out = await calls.run(
    calls.context('SearchFaces', { collectionId, invalidParameter: 'face-id', field: 'input.faceId' }),
    call,
    (o) =>
      calls.client.send(
        new SearchFacesCommand({
          CollectionId: collectionId,
          FaceId: faceId,
          MaxFaces: input.maxFaces,
          FaceMatchThreshold: input.faceMatchThreshold,
        }),
        o,
      ),
  );
  return { searchedFaceId: out.SearchedFaceId ?? faceId, faceMatches: faceMatchesOf(collectionId, out.FaceMatches, faceId) };
}

/**
 * SearchFacesByImage: Rekognition searches the image's largest face (that
 * passes QualityFilter) and answers only its box and confidence, so
 * `searchedFace` has no landmarks, pose or quality. No such face is its
 * InvalidParameterException: NO_FACE_DETECTED.
 */
export async function searchFacesByImage(
  deps: RekognitionDeps,
  input: SearchFacesByImageInput,
  call?: CallOptions,
): Promise<SearchFacesByImageOutcome> {
  const { calls } = deps;
  const { collectionId } = input;
  const image = calls.image('image', input.image);
  const out = await calls.run(
    calls.context('SearchFacesByImage', { collectionId, invalidParameter: 'no-face', field: 'image' }),
    call,
    (o) =>
      calls.client.send(
        new SearchFacesByImageCommand({
          CollectionId: collectionId,
          Image: image,
          MaxFaces: input.maxFaces,
          FaceMatchThreshold: input.faceMatchThreshold,
          QualityFilter: input.qualityFilter,
        }),
        o,
      ),
  );
  return {
    searchedFace: boxOnlyFaceDetail(
      box(out.SearchedFaceBoundingBox) ?? { left: 0, top: 0, width: 0, height: 0 },
      out.SearchedFaceConfidence ?? 0,
    ),
    faceMatches: faceMatchesOf(collectionId, out.FaceMatches),
  };
}
