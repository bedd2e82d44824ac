/**
 * Applying a gateway snapshot to a new collection (importFromSnapshot).
 * On a `snapshotApi: "v1.0"` instance, a snapshot taken through Azure's
 * own Snapshot API is applied by Azure (./azure-snapshots.ts: ids and
 * training kept). Any other is re-created face by face from the copy in
 * the gateway store: Azure AI Face can only add faces from images, so each
 * face is found again in its source image.
 */
import { DomainError } from '../../domain/errors.js';
import type { SnapshotRecord } from '../../domain/operation-records.js';
import type { SnapshotFaceRow } from '../../store/snapshot-store.js';
import type { Store } from '../../store/store.js';
import { faceAtBox } from '../../lib/box-match.js';
import type { CallOptions, CopyOutcome, CopyProgress } from '../provider.js';
import type { AdapterDeps } from './adapter-deps.js';
import { AzureSnapshots, type AzureSnapshotRecord } from './azure-snapshots.js';
import { checkCollectionId } from './collection-id.js';
import type { CollectionIndex, IndexedFace } from './collection-index.js';
import { createCollection } from './collections.js';
import type { DetectedFaceOut } from './face-api-shapes.js';
import { addToList } from './face-registry.js';
import { requireImageSize, type ImageSize } from './image-size.js';
import { SNAPSHOT_CHUNK } from './limits.js';
import { addPerson, copyIntoPerson } from './persons.js';
import { requireStore, unsupported } from './refusals.js';
import type { ListFaceData } from './userdata.js';

/** One apply under way. */
interface Apply {
  store: Store;
  snapshotId: string;
  targetCollectionId: string;
  onProgress: (p: CopyProgress) => Promise<void>;
  call: CallOptions | undefined;
}

/** A snapshot image with its size and the faces Azure detects in it (once per page of faces). */
interface SourceImage {
  bytes: Uint8Array;
  size: ImageSize;
  detected: DetectedFaceOut[];
}

/**
 * Creates the collection and re-creates the snapshot's users and faces:
 * each face is found again by Azure in its image (the detected face at the
 * snapshot's box), added to the registry and, when it had a user, copied
 * into the person. New face ids; users, associations, external image ids
 * and index times are kept. One training follows (debounced).
 */
export async function importFromSnapshot(
  deps: AdapterDeps,
  snapshotId: string,
  targetCollectionId: string,
  onProgress: (p: CopyProgress) => Promise<void>,
  call: CallOptions | undefined,
): Promise<CopyOutcome> {
  const store = requireStore(deps.name, deps.options.store, 'APPLY_SNAPSHOT');
  const snapshot = await store.getSnapshot(snapshotId);
  if (!snapshot) throw snapshotGone(snapshotId);
  const apply: Apply = { store, snapshotId, targetCollectionId, onProgress, call };
  const azure = await deps.azureSnapshots?.recordOf(snapshotId);
  if (azure && deps.azureSnapshots) await applyThroughAzure(deps, deps.azureSnapshots, azure, apply);
  else await recreate(deps, snapshot, apply);
  return { userCount: snapshot.userCount, faceCount: snapshot.faceCount };
}

/** Azure applies its snapshots of the group and list; the images are copied for the target (Azure's apply copies none). */
async function applyThroughAzure(
  deps: AdapterDeps,
  azureSnapshots: AzureSnapshots,
  record: AzureSnapshotRecord,
  apply: Apply,
): Promise<void> {
  const { snapshotId, targetCollectionId, onProgress, call } = apply;
  checkCollectionId(targetCollectionId);
  const units = AzureSnapshots.units(record.list === null ? 1 : 2);
  await deps.cache.locked(targetCollectionId, async () => {
    deps.cache.forget(targetCollectionId);
    await azureSnapshots.apply(snapshotId, record, targetCollectionId, (done) => onProgress({ processed: done, total: units }), call);
    await copySnapshotImages(deps, apply);
    deps.cache.forget(targetCollectionId);
  });
}

/** The gateway's own apply: a new collection, then the users, then the faces, holding the collection's lock. */
async function recreate(deps: AdapterDeps, snapshot: SnapshotRecord, apply: Apply): Promise<void> {
  const { store, snapshotId, targetCollectionId, onProgress, call } = apply;
  deps.assertOpen(); // closed since the apply began: PROVIDER_UNAVAILABLE, as createCollection on its own answers
  await createCollection(deps, targetCollectionId, call);
  const total = snapshot.userCount + snapshot.faceCount;
  let processed = 0;
  // An empty page ends a listing only if the snapshot still exists (a deleted one reads as empty).
  const ended = async () => {
    if (!(await store.getSnapshot(snapshotId))) throw snapshotGone(snapshotId);
    return true;
  };
  await deps.cache.locked(targetCollectionId, async () => {
    const { index, trainer } = await deps.cache.index(targetCollectionId, call);
    const ctx = deps.callContext(targetCollectionId);
    const changed = new Set<string>();
    try {
      for (let after: number | null = null; ;) {
        const users = await store.listSnapshotUsers(snapshotId, { after, limit: SNAPSHOT_CHUNK });
        if (users.length === 0 && (await ended())) break;
        for (const u of users) {
          await deps.cache.call(ctx, () => addPerson(deps, index, u.userId, call));
          await onProgress({ processed: ++processed, total });
        }
        after = users[users.length - 1].seq;
      }
      for (let after: number | null = null; ;) {
        const faces = await store.listSnapshotFaces(snapshotId, { after, limit: SNAPSHOT_CHUNK });
        if (faces.length === 0 && (await ended())) break;
        const images = new Map<string, SourceImage>();
        for (const [ordinal, f] of faces.entries()) {
          const userId = await addSnapshotFace(deps, apply, index, f, ordinal, images);
          if (userId !== null) changed.add(userId);
          await onProgress({ processed: ++processed, total });
        }
        after = faces[faces.length - 1].seq;
      }
    } finally {
      if (changed.size > 0) {
        index.markChanged([...changed]);
        trainer.schedule();
      }
    }
  });
}

/**
 * Re-creates one snapshot face: Azure detects the faces of its image (and
 * the image is retained for the target), the one at the snapshot's box is
 * added to the registry and, when the face had a user, copied into the
 * person. Returns that user's id, or null.
 */
async function addSnapshotFace(
  deps: AdapterDeps,
  apply: Apply,
  index: CollectionIndex,
  f: SnapshotFaceRow,
  ordinal: number,
  images: Map<string, SourceImage>,
): Promise<string | null> {
  const { store, snapshotId, targetCollectionId, call } = apply;
  const ctx = deps.callContext(targetCollectionId);
  const sha256 = f.imageSha256;
  let image = sha256 ? images.get(sha256) : undefined;
  if (sha256 && !image) {
    const bytes = await store.getSnapshotImage(snapshotId, sha256);
    if (bytes) {
      const detected = await deps.cache.call(ctx, () =>
        deps.api.detect(bytes, { returnFaceId: false, detectionModel: deps.detectionModel }, call),
      );
      image = { bytes, size: requireImageSize(bytes), detected };
      images.set(sha256, image);
      await deps.images.put(targetCollectionId, sha256, bytes);
    }
  }
  if (!sha256 || !image)
    throw unsupported(
      deps.name,
      `face "${f.faceId}" of snapshot ${snapshotId} has no source image, and Azure AI Face can only add faces from images`,
      'ApplySnapshot',
    );
  const { bytes, size, detected } = image;
  const box = f.boundingBox;
  const target = {
    left: box.left * size.width,
    top: box.top * size.height,
    width: box.width * size.width,
    height: box.height * size.height,
  };
  const found = faceAtBox(detected, target, (d) => d.faceRectangle);
  if (!found)
    throw unsupported(
      deps.name,
      `Azure AI Face finds no face at the box of face "${f.faceId}" of snapshot ${snapshotId} in its image`,
      'ApplySnapshot',
    );
  const face = await deps.cache.call(ctx, () =>
    addToList(
      deps,
      index,
      bytes,
      { externalImageId: f.externalImageId, sha256, rect: found.faceRectangle, size, indexedAt: f.indexedAt.getTime(), ordinal },
      call,
    ),
  );
  if (f.userId === null) return null;
  const user = index.users.get(f.userId);
  if (!user) throw new Error(`snapshot ${snapshotId}: face ${f.faceId} names user ${f.userId}, who is not in the snapshot`);
  await deps.cache.call(ctx, () => copyIntoPerson(deps, index, user, face as IndexedFace & { data: ListFaceData }, bytes, call));
  return f.userId;
}

/** Retains the images of a snapshot's faces for the target collection (Azure's apply copies no images). */
async function copySnapshotImages(deps: AdapterDeps, { store, snapshotId, targetCollectionId }: Apply): Promise<void> {
  const copied = new Set<string>();
  for (let after: number | null = null; ;) {
    const faces = await store.listSnapshotFaces(snapshotId, { after, limit: SNAPSHOT_CHUNK });
    if (faces.length === 0) return;
    for (const { imageSha256: sha256 } of faces) {
      if (!sha256 || copied.has(sha256)) continue;
      const bytes = await store.getSnapshotImage(snapshotId, sha256);
      if (bytes) await deps.images.put(targetCollectionId, sha256, bytes);
      copied.add(sha256);
    }
    after = faces[faces.length - 1].seq;
  }
}

/** SNAPSHOT_NOT_FOUND: the snapshot was deleted during the apply. */
function snapshotGone(snapshotId: string): DomainError {
  return new DomainError('SNAPSHOT_NOT_FOUND', `snapshot ${snapshotId} was deleted while it was being applied`, { snapshotId });
}
