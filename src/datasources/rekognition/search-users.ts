/**
 * SearchUsers on Rekognition: one call, by a user or by a face of the
 * collection.
 */
import { SearchUsersCommand } from '@aws-sdk/client-rekognition';
import type { CallOptions, SearchUsersInput, SearchUsersOutcome } from '../provider.js';
import type { RekognitionDeps } from './rekognition-deps.js';
import { userMatchesOf } from './search.js';

/**
 * SearchUsers with exactly one of UserId and FaceId (the resolver checks).
 * Rekognition refuses an id the collection does not hold with
 * InvalidParameterException: USER_NOT_FOUND for a user (a
 * ResourceNotFoundException, should it answer one, is settled by one
 * DescribeCollection), INVALID_INPUT on `input.faceId` for a face. The
 * searched user is never its own match.
 */
export async function searchUsers(deps: RekognitionDeps, input: SearchUsersInput, call?: CallOptions): Promise<SearchUsersOutcome> {
  const { calls } = deps;
  const { collectionId, userId, faceId } = input;
  const ctx =
    userId !== undefined
      ? calls.context('SearchUsers', { collectionId, userId, notFound: 'user', invalidParameter: 'user-id' })
      : calls.context('SearchUsers', { collectionId, invalidParameter: 'face-id', field: 'input.faceId' });
  const out = await calls.run(ctx, call, (o) =>
    calls.client.send(
      new SearchUsersCommand({
        CollectionId: collectionId,
        UserId: userId,
        FaceId: faceId,
        MaxUsers: input.maxUsers,
        UserMatchThreshold: input.userMatchThreshold,
      }),
      o,
    ),
  );
  return {
    searchedUserId: userId !== undefined ? (out.SearchedUser?.UserId ?? userId) : null,
    searchedFaceId: faceId !== undefined ? (out.SearchedFace?.FaceId ?? faceId) : null,
    userMatches: userMatchesOf(collectionId, out.UserMatches).filter((m) => userId === undefined || m.user.userId !== userId),
  };
}
