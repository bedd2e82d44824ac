/**
 * Applying a gateway snapshot to a new Rekognition collection
 * (importFromSnapshot), for an instance with `retainImages`. Rekognition
 * adds faces only from images, so each face is indexed again from the
 * snapshot's copy of its source image: one IndexFaces per image (and
 * external image id), the face Rekognition finds at the snapshot's box
 * kept, any other face it found in that image deleted again. Users are
 * created first; each user's faces are then associated (AssociateFaces,
 * UserMatchThreshold 0: the snapshot says they are the user's). New face
 * ids, AWS's own index times; users, associations, external image ids and
 * the number of faces per user are kept, and the images are retained for
 * the new collection.
 */
import { DomainError } from '../../domain/errors.js';
import type { FaceRecord } from '../../domain/records.js';
import { faceAtBox } from '../../lib/box-match.js';
import type { SnapshotFaceRow } from '../../store/snapshot-store.js';
import type { CallOptions, CopyOutcome, CopyProgress } from '../provider.js';
import { associateFaces } from './associations.js';
import { createCollection } from './collections.js';
import { indexFaces } from './face-indexing.js';
import { deleteFaces } from './faces.js';
import { MAX_USERS_RESULTS } from './limits.js';
import type { RekognitionDeps } from './rekognition-deps.js';
import { requireImages, unsupported } from './snapshot-export.js';
import { createUser } from './users.js';

/** Snapshot faces re-created per page (and per round of AssociateFaces). */
const FACE_PAGE = 100;
/** Faces of one AssociateFaces call (Rekognition's FaceIds cap). */
const ASSOCIATE_CHUNK = 100;
/** Faces IndexFaces is asked for in one image (its MaxFaces ceiling is higher; 100 is its default). */
const MAX_FACES_PER_IMAGE = 100;

/**
 * Creates `targetCollectionId` and fills it from the snapshot.
 * UNSUPPORTED_OPERATION without `retainImages`, and when a face has no
 * image in the snapshot or Rekognition finds none at its box;
 * SNAPSHOT_NOT_FOUND when the snapshot is deleted meanwhile (the caller
 * removes the partial target).
 */
export async function importFromSnapshot(
  deps: RekognitionDeps,
  snapshotId: string,
  targetCollectionId: string,
  onProgress: (p: CopyProgress) => Promise<void>,
  call: CallOptions | undefined,
): Promise<CopyOutcome> {
  const store = requireImages(deps, 'APPLY_SNAPSHOT').storeOf();
  const snapshot = await store.getSnapshot(snapshotId);
  if (!snapshot) throw snapshotGone(snapshotId);
  const total = snapshot.userCount + snapshot.faceCount;
  let processed = 0;
  // An empty page ends a listing only if the snapshot still exists (a deleted one reads as empty).
  const ended = async () => {
    if (!(await store.getSnapshot(snapshotId))) throw snapshotGone(snapshotId);
    return true;
  };
  await createCollection(deps, targetCollectionId, call);
  for (let after: number | null = null; ;) {
    const users = await store.listSnapshotUsers(snapshotId, { after, limit: MAX_USERS_RESULTS });
    if (users.length === 0 && (await ended())) break;
    for (const u of users) {
      await createUser(deps, { collectionId: targetCollectionId, userId: u.userId }, call);
      await onProgress({ processed: ++processed, total });
    }
    after = users[users.length - 1].seq;
  }
  /** New faces of this apply already standing for a snapshot face (never matched twice, never deleted). */
  const taken = new Set<string>();
  for (let after: number | null = null; ;) {
    const faces = await store.listSnapshotFaces(snapshotId, { after, limit: FACE_PAGE });
    if (faces.length === 0 && (await ended())) break;
    const byUser = new Map<string, string[]>();
    for (const [key, group] of groupByImage(faces)) {
      const bytes = key.sha256 ? await store.getSnapshotImage(snapshotId, key.sha256) : null;
      if (!bytes) {
        throw unsupported(
          deps.calls.name,
          `face "${group[0].faceId}" of snapshot ${snapshotId} has no source image, and Rekognition can only add faces from images`,
          'APPLY_SNAPSHOT',
        );
      }
      const found = await indexImage(deps, targetCollectionId, bytes, key.externalImageId, taken, call);
      for (const f of group) {
        const face = faceAtBox(
          found.filter((c) => !taken.has(c.faceId) && c.boundingBox !== null),
          f.boundingBox,
          (c) => c.boundingBox!,
        );
        if (!face) {
          throw unsupported(
            deps.calls.name,
            `Rekognition finds no face at the box of face "${f.faceId}" of snapshot ${snapshotId} in its image`,
            'APPLY_SNAPSHOT',
          );
        }
        taken.add(face.faceId);
        if (f.userId !== null) byUser.set(f.userId, [...(byUser.get(f.userId) ?? []), face.faceId]);
      }
      const extra = found.filter((c) => !taken.has(c.faceId)).map((c) => c.faceId);
      if (extra.length > 0) await deleteFaces(deps, targetCollectionId, extra, call);
      for (let i = 0; i < group.length; i++) await onProgress({ processed: ++processed, total });
    }
    for (const [userId, faceIds] of byUser) await associateAll(deps, targetCollectionId, userId, faceIds, call);
    after = faces[faces.length - 1].seq;
  }
  return { userCount: snapshot.userCount, faceCount: snapshot.faceCount };
}

/** One IndexFaces of a snapshot image (no quality filter: the faces were accepted once); its new faces, taken ones left out. */
async function indexImage(
  deps: RekognitionDeps,
  collectionId: string,
  image: Uint8Array,
  externalImageId: string | null,
  taken: ReadonlySet<string>,
  call: CallOptions | undefined,
): Promise<FaceRecord[]> {
  const out = await indexFaces(
    deps,
    { collectionId, image, externalImageId: externalImageId ?? undefined, maxFaces: MAX_FACES_PER_IMAGE, qualityFilter: 'NONE' },
    call,
  );
  return out.faces.filter((f) => !taken.has(f.faceId));
}

/** AssociateFaces of a user's faces, 100 a call, threshold 0; any face refused is an error (the apply fails and its target is removed). */
async function associateAll(
  deps: RekognitionDeps,
  collectionId: string,
  userId: string,
  faceIds: string[],
  call: CallOptions | undefined,
): Promise<void> {
  for (let i = 0; i < faceIds.length; i += ASSOCIATE_CHUNK) {
    const out = await associateFaces(
      deps,
      { collectionId, userId, faceIds: faceIds.slice(i, i + ASSOCIATE_CHUNK), userMatchThreshold: 0 },
      call,
    );
    const refused = out.unsuccessfulFaceAssociations[0];
    if (refused) {
      throw new Error(
        `applying a snapshot to ${collectionId}: expected AssociateFaces to take face ${refused.faceId} for user ${userId}, got ${[...refused.reasons, ...(refused.providerReasons ?? [])].join(', ')}`,
      );
    }
  }
}

/** The page's faces by (image, external image id), in first-seen order: one IndexFaces each. */
function groupByImage(
  faces: readonly SnapshotFaceRow[],
): Map<{ sha256: string | null; externalImageId: string | null }, SnapshotFaceRow[]> {
  const keys = new Map<string, { sha256: string | null; externalImageId: string | null }>();
  const groups = new Map<{ sha256: string | null; externalImageId: string | null }, SnapshotFaceRow[]>();
  for (const f of faces) {
    const name = JSON.stringify([f.imageSha256, f.externalImageId]);
    let key = keys.get(name);
    if (!key) keys.set(name, (key = { sha256: f.imageSha256, externalImageId: f.externalImageId }));
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return groups;
}

/** SNAPSHOT_NOT_FOUND: the snapshot was deleted during the apply. */
function snapshotGone(snapshotId: string): DomainError {
  return new DomainError('SNAPSHOT_NOT_FOUND', `snapshot ${snapshotId} was deleted while it was being applied`, { snapshotId });
}
