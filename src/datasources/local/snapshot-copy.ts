/**
 * Snapshot take and apply for the local provider. Both sides live in the
 * same store, so a take is a SQL copy inside one write transaction (a
 * consistent view; no rows pass through JS) and an apply re-creates users
 * and faces from the stored descriptors, without running inference again.
 */
import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/errors.js';
import type { CopyChunk, SnapshotFaceRow, SnapshotUserRow } from '../../store/snapshot-store.js';
import type { CollectionRef } from '../../domain/records.js';
import type { CollectionRow, NewFace, Store, StoreTx } from '../../store/store.js';
import type { DetectionResult } from '../../engine/types.js';
import { faceAtBox } from '../../lib/box-match.js';
import type { CopyOutcome, CopyProgress } from '../provider.js';
import type { UserFaceChange } from './user-face-index.js';

/**
 * better-sqlite3 runs each statement synchronously; between chunks the copy
 * yields to the event loop so requests and progress events keep flowing.
 */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Rows per chunk: small enough for an event every 1 %, large enough to be cheap. */
function chunkSize(total: number): number {
  return Math.min(1000, Math.max(50, Math.floor(total / 100)));
}

/** Copies a collection into a snapshot in one transaction. */
export async function exportCollection(
  store: Store,
  source: CollectionRef,
  notFound: () => never,
  snapshotId: string,
  onProgress: (p: CopyProgress) => void,
): Promise<CopyOutcome> {
  return store.transaction(async (tx) => {
    const c = (await tx.getCollection(source)) ?? notFound();
    const total = c.userCount + c.faceCount;
    const limit = chunkSize(total);
    let processed = 0;
    await tx.clearSnapshotContent(snapshotId);
    for (const copy of [tx.copyUsersToSnapshot.bind(tx), tx.copyFacesToSnapshot.bind(tx)]) {
      for (let after: number | null = null; ;) {
        const chunk: CopyChunk = await copy(c.key, snapshotId, after, limit);
        if (chunk.copied === 0) break;
        after = chunk.lastSeq;
        processed += chunk.copied;
        onProgress({ processed, total });
        await yieldToEventLoop();
      }
    }
    return { userCount: c.userCount, faceCount: c.faceCount };
  });
}

/** What {@link importSnapshot} needs from the provider. */
export interface ImportTarget {
  store: Store;
  /** The created (empty) target collection. */
  collection: CollectionRow;
  now: () => Date;
  /** Registers index changes to apply after the transaction commits. */
  onCommit: (tx: StoreTx, changes: UserFaceChange[]) => void;
  /** The engine: faces of a snapshot taken on a provider without descriptors (Azure, Rekognition) are described from their image. */
  detect: (image: Uint8Array) => Promise<DetectionResult>;
}

/** Fills an empty collection from a snapshot, chunk by chunk, each chunk one transaction. */
export async function importSnapshot(
  target: ImportTarget,
  snapshotId: string,
  onProgress: (p: CopyProgress) => Promise<void>,
): Promise<CopyOutcome> {
  const { store, collection } = target;
  const snapshot = await store.getSnapshot(snapshotId);
  if (!snapshot) throw snapshotGone(snapshotId);
  const total = snapshot.userCount + snapshot.faceCount;
  const limit = chunkSize(total);
  let processed = 0;

  /** Runs one chunk's writes, refusing to go on once the snapshot is deleted. */
  const inChunk = (fn: (tx: StoreTx) => Promise<void>) =>
    store.transaction(async (tx) => {
      if (!(await tx.getSnapshot(snapshotId))) throw snapshotGone(snapshotId);
      return fn(tx);
    });

  // An empty page ends a listing only if the snapshot still exists: a
  // deleted snapshot's content reads as empty too.
  const ended = async () => {
    if (!(await store.getSnapshot(snapshotId))) throw snapshotGone(snapshotId);
    return true;
  };

  for (let after: number | null = null; ;) {
    const users: SnapshotUserRow[] = await store.listSnapshotUsers(snapshotId, { after, limit });
    if (users.length === 0 && (await ended())) break;
    await inChunk(async (tx) => {
      for (const u of users) await tx.insertUser(collection.key, u.userId, target.now());
    });
    after = users[users.length - 1].seq;
    processed += users.length;
    await onProgress({ processed, total });
    await yieldToEventLoop();
  }

  for (let after: number | null = null; ;) {
    // Inference (for faces without descriptors) runs before the chunk's transaction, not inside it.
    const faces: SnapshotFaceRow[] = await describeMissing(target, snapshotId, await store.listSnapshotFaces(snapshotId, { after, limit }));
    if (faces.length === 0 && (await ended())) break;
    await inChunk(async (tx) => {
      const changes: UserFaceChange[] = [];
      // insertFaces takes one retained image per call: group the chunk by image.
      const byImage = new Map<string | null, SnapshotFaceRow[]>();
      for (const f of faces) byImage.set(f.imageSha256, [...(byImage.get(f.imageSha256) ?? []), f]);
      for (const [sha256, group] of byImage) {
        const bytes = sha256 ? await tx.getSnapshotImage(snapshotId, sha256) : null;
        const newFaces: NewFace[] = group.map((f) => ({
          faceId: randomUUID(),
          externalImageId: f.externalImageId,
          boundingBox: f.boundingBox,
          confidence: f.confidence,
          descriptor: f.descriptor,
          indexedAt: f.indexedAt,
        }));
        const rows = await tx.insertFaces(collection.key, newFaces, sha256 && bytes ? { sha256, bytes } : null);
        for (let i = 0; i < group.length; i++) {
          const userId = group[i].userId;
          if (!userId) continue;
          const user = await tx.getUser(collection.key, userId);
          if (!user) throw new Error(`snapshot ${snapshotId}: face ${group[i].faceId} names user ${userId}, who is not in the snapshot`);
          await tx.setFacesUser(collection.key, [rows[i].seq], user.seq);
          await tx.refreshUserStatus(user.seq);
          changes.push({ kind: 'associate', faceId: rows[i].faceId, userId, descriptor: group[i].descriptor });
        }
      }
      target.onCommit(tx, changes);
    });
    after = faces[faces.length - 1].seq;
    processed += faces.length;
    await onProgress({ processed, total });
    await yieldToEventLoop();
  }
  if (processed !== total) {
    throw new Error(`snapshot ${snapshotId}: expected ${total} users and faces, copied ${processed}`);
  }
  return { userCount: snapshot.userCount, faceCount: snapshot.faceCount };
}

/**
 * Faces with an empty descriptor (from a provider that keeps none) get the
 * descriptor, box and confidence of the face the engine finds at their box
 * in their image; UNSUPPORTED_OPERATION when there is no image or no face.
 */
async function describeMissing(target: ImportTarget, snapshotId: string, faces: SnapshotFaceRow[]): Promise<SnapshotFaceRow[]> {
  const detections = new Map<string, DetectionResult>();
  const out: SnapshotFaceRow[] = [];
  for (const f of faces) {
    if (f.descriptor.length > 0) {
      out.push(f);
      continue;
    }
    const sha256 = f.imageSha256;
    let detection = sha256 ? detections.get(sha256) : undefined;
    if (sha256 && !detection) {
      const bytes = await target.store.getSnapshotImage(snapshotId, sha256);
      if (bytes) detections.set(sha256, (detection = await target.detect(bytes)));
    }
    const found = detection && faceAtBox(detection.faces, f.boundingBox, (d) => d.boundingBox);
    if (!found) {
      throw new DomainError(
        'UNSUPPORTED_OPERATION',
        `snapshot ${snapshotId}: face ${f.faceId} has no descriptor and the local engine finds no face at its box in its image`,
        {
          provider: target.collection.provider,
          operation: 'APPLY_SNAPSHOT',
        },
      );
    }
    out.push({ ...f, descriptor: found.descriptor, boundingBox: found.boundingBox, confidence: found.confidence });
  }
  return out;
}

function snapshotGone(snapshotId: string): DomainError {
  return new DomainError('SNAPSHOT_NOT_FOUND', `snapshot ${snapshotId} was deleted while it was being applied`, { snapshotId });
}
