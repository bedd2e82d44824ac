/**
 * Taking a gateway snapshot of a Rekognition collection (exportToSnapshot),
 * for an instance with `retainImages`: users, faces with their boxes,
 * external image ids and associations, and the retained source image of
 * each face. No descriptors: Rekognition never returns face vectors, so an
 * apply anywhere re-detects each face in its image at its box (the local
 * engine describes it, Azure and Rekognition index it again).
 *
 * Rekognition has no consistent read of a collection: the faces are listed
 * first, then the users, and a face whose user was deleted in between is
 * taken unassociated (as DeleteUser leaves it). The snapshot content is
 * written in one store transaction.
 */
import { ListUsersCommand } from '@aws-sdk/client-rekognition';
import { DomainError } from '../../domain/errors.js';
import type { FaceRecord } from '../../domain/records.js';
import type { SnapshotFaceRow } from '../../store/snapshot-store.js';
import type { CallOptions, CopyOutcome, CopyProgress } from '../provider.js';
import type { FaceImages } from './face-images.js';
import { listAllFaces } from './face-pages.js';
import { MAX_USERS_RESULTS } from './limits.js';
import type { RekognitionDeps } from './rekognition-deps.js';

/** Faces written to the snapshot per progress event. */
const CHUNK = 200;

/**
 * Copies the collection into snapshot `snapshotId`. UNSUPPORTED_OPERATION
 * without `retainImages`, and for a face whose image the gateway does not
 * hold (indexed while `retainImages` was off, or outside facegate): it
 * could not be re-created from the snapshot.
 */
export async function exportToSnapshot(
  deps: RekognitionDeps,
  collectionId: string,
  snapshotId: string,
  onProgress: (p: CopyProgress) => void,
  call: CallOptions | undefined,
): Promise<CopyOutcome> {
  const { calls } = deps;
  const images = requireImages(deps, 'TAKE_SNAPSHOT');
  const faces = await listAllFaces(deps, calls.context('ListFaces', { collectionId }), call, { CollectionId: collectionId });
  const users = await listAllUsers(deps, collectionId, call);
  const retained = await images.facesOf(
    collectionId,
    faces.map((f) => f.faceId),
  );
  const missing = faces.findIndex((_, i) => retained[i] === null);
  if (missing >= 0) {
    throw unsupported(
      calls.name,
      `face "${faces[missing].faceId}" of collection "${collectionId}" has no retained source image (indexed while retainImages was off, or not through facegate), so it cannot be put into a snapshot`,
      'TAKE_SNAPSHOT',
    );
  }
  const known = new Set(users);
  const faceCounts = new Map<string, number>();
  for (const f of faces) if (f.userId !== null && known.has(f.userId)) faceCounts.set(f.userId, (faceCounts.get(f.userId) ?? 0) + 1);
  const total = users.length + faces.length;
  const store = images.storeOf();
  await store.transaction(async (tx) => {
    await tx.clearSnapshotContent(snapshotId);
    await tx.insertSnapshotUsers(
      snapshotId,
      users.map((userId, i) => ({ seq: i + 1, userId, status: (faceCounts.get(userId) ?? 0) > 0 ? 'ACTIVE' : 'CREATED' })),
    );
    let processed = users.length;
    onProgress({ processed, total });
    const copied = new Set<string>();
    for (let i = 0; i < faces.length; i += CHUNK) {
      const rows: SnapshotFaceRow[] = [];
      for (let j = i; j < Math.min(faces.length, i + CHUNK); j++) {
        const face = faces[j];
        const { sha256, indexedAt } = retained[j]!;
        if (!copied.has(sha256)) {
          const bytes = await images.image(collectionId, sha256);
          if (!bytes) throw unsupported(calls.name, `face "${face.faceId}": its source image is no longer retained`, 'TAKE_SNAPSHOT');
          await tx.putSnapshotImage(snapshotId, sha256, bytes);
          copied.add(sha256);
        }
        rows.push(snapshotFace(face, j + 1, known, sha256, indexedAt));
      }
      await tx.insertSnapshotFaces(snapshotId, rows);
      processed += rows.length;
      onProgress({ processed, total });
    }
  });
  return { userCount: users.length, faceCount: faces.length };
}

/** One face as the snapshot keeps it: no descriptor, the retained image, unassociated if its user is gone. */
function snapshotFace(face: FaceRecord, seq: number, users: ReadonlySet<string>, sha256: string, indexedAt: Date): SnapshotFaceRow {
  return {
    seq,
    faceId: face.faceId,
    userId: face.userId !== null && users.has(face.userId) ? face.userId : null,
    externalImageId: face.externalImageId,
    boundingBox: face.boundingBox ?? { left: 0, top: 0, width: 0, height: 0 },
    confidence: face.confidence ?? 0,
    descriptor: new Float32Array(0),
    imageSha256: sha256,
    indexedAt,
  };
}

/** Every user id of the collection, in ListUsers' order (500 a call). */
async function listAllUsers(deps: RekognitionDeps, collectionId: string, call: CallOptions | undefined): Promise<string[]> {
  const { calls } = deps;
  const ctx = calls.context('ListUsers', { collectionId });
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await calls.run(ctx, call, (o) =>
      calls.client.send(new ListUsersCommand({ CollectionId: collectionId, MaxResults: MAX_USERS_RESULTS, NextToken: token }), o),
    );
    for (const u of page.Users ?? []) if (u.UserId !== undefined) out.push(u.UserId);
    token = page.NextToken;
  } while (token);
  return out;
}

/** The instance's retained images; UNSUPPORTED_OPERATION without `retainImages`. */
export function requireImages(deps: RekognitionDeps, operation: 'TAKE_SNAPSHOT' | 'APPLY_SNAPSHOT'): FaceImages {
  if (deps.images) return deps.images;
  throw unsupported(
    deps.calls.name,
    'snapshots need retainImages: true (Rekognition keeps no face images, and this instance keeps none either)',
    operation,
  );
}

/** UNSUPPORTED_OPERATION of this instance. */
export function unsupported(provider: string, message: string, operation: string): DomainError {
  return new DomainError('UNSUPPORTED_OPERATION', `Provider "${provider}" (AWS Rekognition): ${message}`, { provider, operation });
}
