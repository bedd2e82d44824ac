/**
 * verifyUser: Azure Verify face-to-person. detect the image with faceIds,
 * then verify its largest face against the user's person in the
 * collection's LargePersonGroup (Verify reads the person's current faces:
 * no training needed). Similarity = confidence × 100; isMatch is
 * similarity ≥ `userMatchThreshold` (not Azure's own isIdentical bar).
 * A user without faces is similarity 0, not a match, and costs no verify
 * (Azure would answer 404 PersistedFaceNotFound). Billed: 1 detect + 1
 * verify.
 */
import { DomainError } from '../../domain/errors.js';
import type { CallOptions } from '../provider.js';
import type { VerifyUserInput, VerifyUserOutcome } from '../face-operations.js';
import type { AdapterDeps } from './adapter-deps.js';
import { checkCollectionId } from './collection-id.js';
import { userRecord } from './contract-records.js';
import { detectImage, modelOf } from './detect-image.js';
import { faceDetail } from './face-detail.js';
import { noFaceDetected } from './no-face.js';

const DEFAULT_SET: ReadonlySet<never> = new Set();

export async function verifyUser(deps: AdapterDeps, input: VerifyUserInput, call: CallOptions | undefined): Promise<VerifyUserOutcome> {
  const { collectionId, userId } = input;
  checkCollectionId(collectionId);
  const { index } = await deps.cache.index(collectionId, call);
  const user = index.users.get(userId);
  if (!user) {
    throw new DomainError(
      'USER_NOT_FOUND',
      `User "${userId}" not found in collection "${collectionId}": expected an existing user id, got an unknown one`,
      { collectionId, userId, provider: deps.name },
    );
  }
  const ctx = deps.callContext(collectionId, userId);
  const { size, faces } = await detectImage(
    deps,
    input.image,
    { faceIds: true, attributes: DEFAULT_SET, ctx, recognitionModel: modelOf(index) },
    call,
  );
  const face = faces[0];
  if (!face?.faceId) throw noFaceDetected('image');
  const searchedFace = faceDetail(face, size, DEFAULT_SET);
  let similarity = 0;
  if (index.faceCountOf(userId) > 0) {
    const verdict = await deps.cache.call(ctx, () => deps.api.verify(collectionId, face.faceId as string, user.personId, call));
    similarity = Math.round(verdict.confidence * 100 * 1000) / 1000;
  }
  return { isMatch: similarity >= input.userMatchThreshold, similarity, searchedFace, user: userRecord(index, userId) };
}
