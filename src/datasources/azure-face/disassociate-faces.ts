/**
 * disassociateFaces: the user's copy of each face is deleted from the
 * person. The registry entry stays, so nothing is lost and no image is
 * needed; the face is unassociated again.
 */
import { DomainError } from '../../domain/errors.js';
import type { CallOptions, DisassociateFacesInput, DisassociateFacesOutcome } from '../provider.js';
import type { AdapterDeps } from './adapter-deps.js';
import { checkCollectionId } from './collection-id.js';
import type { IndexedFace } from './collection-index.js';
import { userNotFound } from './refusals.js';

/**
 * Disassociates the user's faces among `input.faceIds`: unknown faces and
 * other users' are reported in the outcome, unassociated ones ignored. A
 * face that exists only inside the person (added by another tool: in no
 * face list) is reported unsuccessful with FACE_ONLY_IN_USER and stays (it
 * would be lost: Azure has no other copy of it), while the rest of the call
 * completes. Locked and ClientRequestToken-aware like every user mutation.
 *
 * One DELETE per face and no transaction across them (Azure has none), so
 * a failure part-way (throttling, an outage) leaves the faces done so far
 * disassociated. Under a clientRequestToken each one done is checkpointed:
 * the same call retried with the same token does the rest and answers
 * what one uninterrupted call would have (the faces done before included).
 */
export function disassociateFaces(
  deps: AdapterDeps,
  input: DisassociateFacesInput,
  call: CallOptions | undefined,
): Promise<DisassociateFacesOutcome> {
  const { collectionId, userId } = input;
  checkCollectionId(collectionId);
  return deps.cache.mutate(input, call, 'DisassociateFaces', { userId, faceIds: input.faceIds }, async ({ index, trainer }, resumable) => {
    // Faces an interrupted attempt with this token disassociated already.
    const before = new Set((resumable.resume as { disassociatedFaceIds?: string[] } | null)?.disassociatedFaceIds ?? []);
    const user = index.users.get(userId);
    if (!user) throw userNotFound(deps.name, input);
    const outcome: DisassociateFacesOutcome = {
      disassociatedFaceIds: [],
      unsuccessfulFaceDisassociations: [],
      userStatus: index.userStatus(userId),
    };
    const own: IndexedFace[] = [];
    for (const faceId of [...new Set(input.faceIds)]) {
      const face = index.faces.get(faceId);
      if (!face) outcome.unsuccessfulFaceDisassociations.push({ faceId, userId: null, reasons: ['FACE_NOT_FOUND'] });
      else if (face.userId === null && before.has(faceId))
        outcome.disassociatedFaceIds.push(faceId); // done by the interrupted attempt: answered as then
      else if (face.userId === null)
        continue; // not associated (any more): ignored, not returned
      else if (face.userId !== userId)
        outcome.unsuccessfulFaceDisassociations.push({ faceId, userId: face.userId, reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] });
      else if (!face.inList) outcome.unsuccessfulFaceDisassociations.push({ faceId, userId, reasons: ['FACE_ONLY_IN_USER'] });
      else own.push(face);
    }
    const ctx = deps.callContext(collectionId, userId);
    try {
      for (const face of own) {
        try {
          await deps.cache.call(ctx, () => deps.api.deletePersonFace(collectionId, user.personId, face.personFaceId as string, call));
        } catch (e) {
          if (!(e instanceof DomainError && e.details.providerCode === 'PersistedFaceNotFound')) throw e;
        }
        index.setFaceUser(face.faceId, null, null);
        outcome.disassociatedFaceIds.push(face.faceId);
        resumable.checkpoint({ disassociatedFaceIds: outcome.disassociatedFaceIds });
      }
    } finally {
      if (outcome.disassociatedFaceIds.length > 0) {
        index.markChanged([userId]);
        trainer.schedule();
      }
    }
    outcome.userStatus = index.userStatus(userId);
    return outcome;
  });
}
