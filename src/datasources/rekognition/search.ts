/**
 * SearchUsersByImage on Rekognition.
 */
import { SearchUsersByImageCommand, type SearchUsersByImageCommandOutput, type UserMatch } from '@aws-sdk/client-rekognition';
import type { QualityFilterName } from '../../domain/face-details.js';
import type { UserRecord } from '../../domain/records.js';
import type { CallOptions, SearchUsersByImageInput, SearchUsersByImageOutcome } from '../provider.js';
import { faceDetailRecord } from './face-detail.js';
import { box, userRecord } from './records.js';
import type { RekognitionDeps } from './rekognition-deps.js';

/**
 * SearchUsersByImage with the caller's QualityFilter (@default NONE,
 * Rekognition's own default for this call). Matches highest similarity
 * first; `searchedFace: null` when the answer names no searched face (no
 * face, or none passed the filter); the image's other faces are
 * `unsearchedFaces` (Rekognition's UnsearchedFaces).
 */
export async function searchUsersByImage(
  deps: RekognitionDeps,
  input: SearchUsersByImageInput,
  call?: CallOptions,
): Promise<SearchUsersByImageOutcome> {
  const { collectionId } = input;
  const out = await sendSearchUsersByImage(deps, { ...input, qualityFilter: input.qualityFilter ?? 'NONE' }, call);
  const detail = out.SearchedFace?.FaceDetail;
  const searchedBox = box(detail?.BoundingBox);
  return {
    userMatches: userMatchesOf(collectionId, out.UserMatches),
    searchedFace: searchedBox ? { boundingBox: searchedBox, confidence: detail?.Confidence ?? 0 } : null,
    unsearchedFaces: (out.UnsearchedFaces ?? []).map((u) => faceDetailRecord(u.FaceDetails)),
  };
}

/**
 * One SearchUsersByImage call, its answer as the SDK gives it (verify and
 * identify read more of it than the search does). `fields`: the members
 * whose input field is not the usual one (errors.ts `CallContext.fields`).
 */
export async function sendSearchUsersByImage(
  deps: RekognitionDeps,
  input: { collectionId: string; image: Uint8Array; userMatchThreshold: number; maxUsers: number; qualityFilter: QualityFilterName },
  call?: CallOptions,
  fields: Readonly<Record<string, string | null>> = {},
): Promise<SearchUsersByImageCommandOutput> {
  const { calls } = deps;
  const { collectionId } = input;
  const image = calls.image('image', input.image);
  return calls.run(calls.context('SearchUsersByImage', { collectionId, fields }), call, (o) =>
    calls.client.send(
      new SearchUsersByImageCommand({
        CollectionId: collectionId,
        Image: image,
        UserMatchThreshold: input.userMatchThreshold,
        MaxUsers: input.maxUsers,
        QualityFilter: input.qualityFilter,
      }),
      o,
    ),
  );
}

/** UserMatches as the contract's, highest similarity first (matches without a UserId dropped). */
export function userMatchesOf(collectionId: string, matches: UserMatch[] | undefined): { similarity: number; user: UserRecord }[] {
  return (matches ?? [])
    .filter((m) => m.User?.UserId !== undefined)
    .map((m) => ({ similarity: m.Similarity ?? 0, user: userRecord(collectionId, m.User?.UserId ?? '', m.User?.UserStatus) }))
    .sort((a, b) => b.similarity - a.similarity);
}
