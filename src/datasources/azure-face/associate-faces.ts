/**
 * associateFaces: registry faces are copied into the user's person. Azure
 * keeps no images and cannot move a face, so each copy is re-extracted from
 * the face's retained source image (./persons.ts); the registry entry stays
 * and records where the face went. Nothing changes unless every step before
 * the copies succeeded: a missing source image, a face Azure no longer
 * finds or the per-user cap refuses the whole call.
 */
import { DomainError } from '../../domain/errors.js';
import type { AssociateFacesInput, AssociateFacesOutcome, CallOptions } from '../provider.js';
import { modelOf } from './detect-image.js';
import type { AdapterDeps } from './adapter-deps.js';
import { checkCollectionId } from './collection-id.js';
import type { CollectionIndex, IndexedFace, IndexedUser } from './collection-index.js';
import type { DetectedFaceOut } from './face-api-shapes.js';
import { bestMatch } from './face-geometry.js';
import { MAX_FACES_PER_USER } from './limits.js';
import { copyIntoPerson } from './persons.js';
import { unsupported, userNotFound } from './refusals.js';
import type { ListFaceData } from './userdata.js';

/** A registry face facegate indexed: its source image and position are known. */
type IndexedHere = IndexedFace & { data: ListFaceData };

/** One associateFaces call under way: its input, the collection and user it works on, and the outcome it builds. */
interface Association {
  input: AssociateFacesInput;
  index: CollectionIndex;
  user: IndexedUser;
  outcome: AssociateFacesOutcome;
  call: CallOptions | undefined;
}

/**
 * Associates the unassociated faces among `input.faceIds` with the user:
 * unknown faces and other users' are reported in the outcome, the user's
 * own are ignored. A user who already has faces takes only faces /verify
 * matches to them at `userMatchThreshold` or more (LOW_MATCH_CONFIDENCE
 * otherwise). Locked and ClientRequestToken-aware like every user mutation.
 */
export function associateFaces(
  deps: AdapterDeps,
  input: AssociateFacesInput,
  call: CallOptions | undefined,
): Promise<AssociateFacesOutcome> {
  const { collectionId, userId, userMatchThreshold } = input;
  checkCollectionId(collectionId);
  return deps.cache.mutate(
    input,
    call,
    'AssociateFaces',
    { userId, faceIds: input.faceIds, userMatchThreshold },
    async ({ index, trainer }) => {
      const user = index.users.get(userId);
      if (!user) throw userNotFound(deps.name, input);
      const outcome: AssociateFacesOutcome = {
        associatedFaceIds: [],
        unsuccessfulFaceAssociations: [],
        userStatus: index.userStatus(userId),
      };
      const a: Association = { input, index, user, outcome, call };
      const owned = index.faceCountOf(userId);

      // 1. The faces that can move: unassociated registry faces facegate indexed.
      const candidates = candidatesOf(deps, a);
      if (candidates.length === 0) return outcome;

      // 2. Every source image first: without one a face cannot be re-extracted, and nothing may change.
      const images = await sourceImages(deps, a, candidates);

      // 3. A user who already has faces takes only the faces that match them.
      const accepted = owned > 0 ? await matchingFaces(deps, a, candidates, images) : candidates;

      // 4. The per-user cap, checked before anything is copied.
      if (owned + accepted.length > MAX_FACES_PER_USER) {
        throw new DomainError(
          'QUOTA_EXCEEDED',
          `User "${userId}" in collection "${collectionId}" has ${owned} faces: expected at most ${MAX_FACES_PER_USER} after associating, got ${owned + accepted.length}; nothing was associated`,
          { collectionId, userId, provider: deps.name },
        );
      }

      // 5. The copies. Those made count as a change even when a later one fails: a training is scheduled for them.
      const ctx = deps.callContext(collectionId, userId);
      try {
        for (const face of accepted) {
          await deps.cache.call(ctx, () => copyIntoPerson(deps, index, user, face, images.get(face.data.sha256) as Uint8Array, call));
          outcome.associatedFaceIds.push(face.faceId);
        }
      } finally {
        if (outcome.associatedFaceIds.length > 0) {
          index.markChanged([userId]);
          trainer.schedule();
        }
      }

      // 6. The user's status after the change.
      outcome.userStatus = index.userStatus(userId);
      return outcome;
    },
  );
}

/**
 * The asked faces that can be copied into the user, each once. Unknown
 * faces (FACE_NOT_FOUND) and other users' (ASSOCIATED_TO_A_DIFFERENT_USER)
 * go into the outcome; a face facegate did not index is
 * UNSUPPORTED_OPERATION (no source image or position is known).
 */
function candidatesOf(deps: AdapterDeps, { input, index, outcome }: Association): IndexedHere[] {
  const { userId } = input;
  const candidates: IndexedHere[] = [];
  for (const faceId of [...new Set(input.faceIds)]) {
    const face = index.faces.get(faceId);
    if (!face) outcome.unsuccessfulFaceAssociations.push({ faceId, userId: null, confidence: null, reasons: ['FACE_NOT_FOUND'] });
    else if (face.userId === userId)
      continue; // already this user's: silently ignored
    else if (face.userId !== null) {
      outcome.unsuccessfulFaceAssociations.push({
        faceId,
        userId: face.userId,
        confidence: null,
        reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'],
      });
    } else if (face.data === null) {
      throw unsupported(
        deps.name,
        `face "${faceId}" was not indexed through facegate (no source image or position is known), so it cannot be copied into user "${userId}"`,
      );
    } else candidates.push(face as IndexedHere);
  }
  return candidates;
}

/** The retained source image of every candidate, by SHA-256; UNSUPPORTED_OPERATION when one is no longer retained. */
async function sourceImages(
  deps: AdapterDeps,
  { input }: Association,
  candidates: readonly IndexedHere[],
): Promise<Map<string, Uint8Array>> {
  const images = new Map<string, Uint8Array>();
  for (const face of candidates) {
    if (images.has(face.data.sha256)) continue;
    const bytes = await deps.images.get(input.collectionId, face.data.sha256);
    if (!bytes) {
      throw unsupported(
        deps.name,
        `face "${face.faceId}" cannot be copied into user "${input.userId}": Azure AI Face keeps no images and this gateway no longer retains the source image (sha256 ${face.data.sha256}); index the image again and associate the new face`,
      );
    }
    images.set(face.data.sha256, bytes);
  }
  return images;
}

/**
 * The candidates that match the user: each is detected again in its source
 * image (one detect per image) and /verify'd against the person; a
 * confidence (0..1 → × 100) under `userMatchThreshold` goes into the
 * outcome as LOW_MATCH_CONFIDENCE. A face Azure no longer detects where it
 * was indexed is PROVIDER_UNAVAILABLE.
 */
async function matchingFaces(
  deps: AdapterDeps,
  { input, index, user, outcome, call }: Association,
  candidates: readonly IndexedHere[],
  images: ReadonlyMap<string, Uint8Array>,
): Promise<IndexedHere[]> {
  const { collectionId, userId, userMatchThreshold } = input;
  const accepted: IndexedHere[] = [];
  const ctx = deps.callContext(collectionId, userId);
  const detections = new Map<string, DetectedFaceOut[]>();
  for (const face of candidates) {
    let detected = detections.get(face.data.sha256);
    if (!detected) {
      const bytes = images.get(face.data.sha256) as Uint8Array;
      detected = await deps.cache.call(ctx, () =>
        deps.api.detect(bytes, { returnFaceId: true, detectionModel: deps.detectionModel, recognitionModel: modelOf(index) }, call),
      );
      detections.set(face.data.sha256, detected);
    }
    const transient = bestMatch(detected, face.data.rect);
    if (!transient?.faceId) {
      throw new DomainError(
        'PROVIDER_UNAVAILABLE',
        `Azure Face no longer detects face "${face.faceId}" in its source image: expected the face at ${face.data.rect.join(',')}, got none`,
        {
          provider: deps.name,
          collectionId,
          operation: 'Detect',
        },
      );
    }
    const verdict = await deps.cache.call(ctx, () => deps.api.verify(collectionId, transient.faceId as string, user.personId, call));
    const confidence = Math.round(verdict.confidence * 100 * 1000) / 1000;
    if (confidence < userMatchThreshold) {
      outcome.unsuccessfulFaceAssociations.push({ faceId: face.faceId, userId: null, confidence, reasons: ['LOW_MATCH_CONFIDENCE'] });
    } else accepted.push(face);
  }
  return accepted;
}
