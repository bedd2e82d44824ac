/**
 * SearchUsersByImage on Rekognition.
 */
import { SearchUsersByImageCommand } from '@aws-sdk/client-rekognition';
import type { CallOptions, SearchUsersByImageInput, SearchUsersByImageOutcome } from '../provider.js';
import { box, userRecord } from './records.js';
import type { RekognitionDeps } from './rekognition-deps.js';
import { REKOGNITION_IMAGE_FORMATS, requireImageFormat } from '../../images/image-format.js';

/**
 * SearchUsersByImage with QualityFilter AUTO (too-small faces are not
 * searched, like the local provider). Matches highest similarity first;
 * `searchedFace: null` when the answer names no searched face.
 */
export async function searchUsersByImage(
  deps: RekognitionDeps,
  input: SearchUsersByImageInput,
  call?: CallOptions,
): Promise<SearchUsersByImageOutcome> {
  const { calls } = deps;
  const { collectionId } = input;
  // What AWS refuses (InvalidImageFormatException), refused before the call.
  requireImageFormat('image', input.image, REKOGNITION_IMAGE_FORMATS, calls.name);
  const out = await calls.run(calls.context('SearchUsersByImage', { collectionId }), call, (o) =>
    calls.client.send(
      new SearchUsersByImageCommand({
        CollectionId: collectionId,
        Image: { Bytes: input.image },
        UserMatchThreshold: input.userMatchThreshold,
        MaxUsers: input.maxUsers,
        QualityFilter: 'AUTO',
      }),
      o,
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
    unsearchedFaces: [], // TODO(issue 20)
  };
}
