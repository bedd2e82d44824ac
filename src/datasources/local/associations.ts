/**
 * AssociateFaces and DisassociateFaces on the store, as token-aware
 * mutations (idempotent-mutations.ts). Committed changes reach the search
 * index once the transaction commits.
 *
 * Quota: an AssociateFaces call that would take a user past 100 faces fails
 * as a whole with QUOTA_EXCEEDED (as Rekognition's
 * ServiceQuotaExceededException does) — no face of that call is associated.
 */
import { DomainError } from '../../domain/errors.js';
import { similarity } from '../../engine/similarity.js';
import type { AssociateFacesInput, AssociateFacesOutcome, DisassociateFacesInput, DisassociateFacesOutcome } from '../provider.js';
import { MAX_FACES_PER_USER } from './limits.js';
import type { LocalDeps } from './local-deps.js';
import { byFaceId, collectionRef, userNotFound } from './lookups.js';

/**
 * Associates the unassociated faces among `faceIds` with the user. A face
 * already the user's is silently ignored; one of another user, an unknown
 * one, or (once the user has faces) one below `userMatchThreshold` is
 * reported. USER_NOT_FOUND, QUOTA_EXCEEDED, IDEMPOTENCY_CONFLICT.
 */
export async function associateFaces(deps: LocalDeps, input: AssociateFacesInput): Promise<AssociateFacesOutcome> {
  const { collectionId, userId, userMatchThreshold } = input;
  const faceIds = [...new Set(input.faceIds)];
  return deps.mutations.run('AssociateFaces', input, { userId, faceIds: input.faceIds, userMatchThreshold }, async (tx, collection) => {
    const user = await tx.getUser(collection.key, userId);
    if (!user) return { fail: userNotFound(input) };
    const candidates = new Map((await tx.getFacesWithDescriptors(collection.key, faceIds)).map((f) => [f.faceId, f]));
    const owned = await tx.getUserFaces(user.seq);
    const outcome: AssociateFacesOutcome = {
      associatedFaceIds: [],
      unsuccessfulFaceAssociations: [],
      userStatus: user.status,
    };
    const toAssociate: typeof owned = [];
    for (const faceId of faceIds) {
      const face = candidates.get(faceId);
      if (!face) {
        outcome.unsuccessfulFaceAssociations.push({ faceId, userId: null, confidence: null, reasons: ['FACE_NOT_FOUND'] });
        continue;
      }
      if (face.userSeq === user.seq) continue; // already this user's: silently ignored
      if (face.userId !== null) {
        outcome.unsuccessfulFaceAssociations.push({
          faceId,
          userId: face.userId,
          confidence: null,
          reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'],
        });
        continue;
      }
      // Only against faces the user had before this call (Rekognition:
      // the threshold applies once the user has at least one face).
      if (owned.length > 0) {
        const best = Math.max(...owned.map((o) => similarity(face.descriptor, o.descriptor)));
        if (best < userMatchThreshold) {
          outcome.unsuccessfulFaceAssociations.push({
            faceId,
            userId: null,
            confidence: best,
            reasons: ['LOW_MATCH_CONFIDENCE'],
          });
          continue;
        }
      }
      toAssociate.push(face);
    }
    const total = owned.length + toAssociate.length;
    if (total > MAX_FACES_PER_USER) {
      return {
        fail: new DomainError(
          'QUOTA_EXCEEDED',
          `User "${userId}" in collection "${collectionId}" has ${owned.length} faces: expected at most ${MAX_FACES_PER_USER} after associating, got ${total}; nothing was associated`,
          { collectionId, userId },
        ),
      };
    }
    return {
      commit: async () => {
        if (toAssociate.length > 0) {
          await tx.setFacesUser(
            collection.key,
            toAssociate.map((f) => f.seq),
            user.seq,
          );
          outcome.userStatus = await tx.refreshUserStatus(user.seq);
          deps.sync.afterCommit(
            tx,
            collection.key,
            toAssociate.map((f) => ({ kind: 'associate', faceId: f.faceId, userId, descriptor: f.descriptor })),
          );
        }
        outcome.associatedFaceIds = toAssociate.map((f) => f.faceId);
        return outcome;
      },
    };
  });
}

/**
 * Disassociates the user's faces among `faceIds`. A face of no user is
 * ignored; one of another user or an unknown one is reported.
 * USER_NOT_FOUND, IDEMPOTENCY_CONFLICT.
 */
export async function disassociateFaces(deps: LocalDeps, input: DisassociateFacesInput): Promise<DisassociateFacesOutcome> {
  const { collectionId, userId } = input;
  const faceIds = [...new Set(input.faceIds)];
  return deps.mutations.run('DisassociateFaces', input, { userId, faceIds: input.faceIds }, async (tx, collection) => {
    const user = await tx.getUser(collection.key, userId);
    if (!user) return { fail: userNotFound(input) };
    const found = byFaceId((await tx.findFaces(collectionRef(deps.name, collectionId), faceIds)) ?? []);
    const outcome: DisassociateFacesOutcome = {
      disassociatedFaceIds: [],
      unsuccessfulFaceDisassociations: [],
      userStatus: user.status,
    };
    const seqs: number[] = [];
    for (const faceId of faceIds) {
      const face = found.get(faceId);
      if (!face) {
        outcome.unsuccessfulFaceDisassociations.push({ faceId, userId: null, reasons: ['FACE_NOT_FOUND'] });
      } else if (face.userSeq === null) {
        continue; // not this user's (any more): ignored, not returned
      } else if (face.userSeq !== user.seq) {
        outcome.unsuccessfulFaceDisassociations.push({
          faceId,
          userId: face.userId,
          reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'],
        });
      } else {
        outcome.disassociatedFaceIds.push(faceId);
        seqs.push(face.seq);
      }
    }
    return {
      commit: async () => {
        if (seqs.length > 0) {
          await tx.setFacesUser(collection.key, seqs, null);
          outcome.userStatus = await tx.refreshUserStatus(user.seq);
          deps.sync.afterCommit(
            tx,
            collection.key,
            outcome.disassociatedFaceIds.map((faceId) => ({ kind: 'disassociate', faceId })),
          );
        }
        return outcome;
      },
    };
  });
}
