/**
 * verifyUser on Rekognition, which has no 1:1 call against a user: one
 * SearchUsersByImage with UserMatchThreshold 0 and MaxUsers 500 (its
 * maximum), reading the similarity Rekognition computed for exactly that
 * user's vector among the matches. Chosen over SearchFacesByImage filtered
 * to the user's faces, which compares single faces rather than the user and
 * would need a ListFaces first. Cost: 1 SearchUsersByImage; only when the
 * user is not among the matches, a ListUsers scan (≤ 500 users a page, not
 * an image call) tells USER_NOT_FOUND from a user Rekognition gave no
 * similarity: one without faces yet (CREATED, or still UPDATING), or, in a
 * collection of more than 500 users, one ranked below 500 others — both
 * answered isMatch false with similarity 0, the contract's value for a user
 * without faces.
 */
import { DomainError } from '../../domain/errors.js';
import type { CallOptions, VerifyUserInput, VerifyUserOutcome } from '../provider.js';
import { faceDetailRecord } from './face-detail.js';
import type { RekognitionDeps } from './rekognition-deps.js';
import { sendSearchUsersByImage, userMatchesOf } from './search.js';
import { getUsers } from './users.js';

/** SearchUsersByImage's largest MaxUsers. */
export const VERIFY_MAX_USERS = 500;

/** verifyUser (see the module comment). */
export async function verifyUser(deps: RekognitionDeps, input: VerifyUserInput, call?: CallOptions): Promise<VerifyUserOutcome> {
  const { collectionId, userId } = input;
  const out = await sendSearchUsersByImage(
    deps,
    { collectionId, image: input.image, userMatchThreshold: 0, maxUsers: VERIFY_MAX_USERS, qualityFilter: 'NONE' },
    call,
    // The threshold and MaxUsers are the adapter's own (the caller's threshold is applied here, not sent).
    { userMatchThreshold: null, maxUsers: null, qualityFilter: null },
  );
  const match = userMatchesOf(collectionId, out.UserMatches).find((m) => m.user.userId === userId);
  const searched = out.SearchedFace?.FaceDetail;
  if (match && searched) {
    return {
      isMatch: match.similarity >= input.userMatchThreshold,
      similarity: match.similarity,
      searchedFace: faceDetailRecord(searched),
      user: match.user,
    };
  }
  const [user] = await getUsers(deps, collectionId, [userId], call);
  if (!user) {
    throw new DomainError(
      'USER_NOT_FOUND',
      `User "${userId}" not found in collection "${collectionId}": expected an existing user id, got an unknown one`,
      { collectionId, userId, provider: deps.calls.name, operation: 'ListUsers' },
    );
  }
  if (!searched) {
    throw new DomainError('NO_FACE_DETECTED', 'image: expected an image with a face, got one where Rekognition found none', {
      field: 'image',
      provider: deps.calls.name,
      operation: 'SearchUsersByImage',
    });
  }
  return { isMatch: false, similarity: 0, searchedFace: faceDetailRecord(searched), user };
}
