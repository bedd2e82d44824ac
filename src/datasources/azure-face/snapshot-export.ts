/**
 * Taking a gateway snapshot of a collection (exportToSnapshot): a copy in
 * the gateway store, and on a `snapshotApi: "v1.0"` instance also Azure's
 * own snapshots of the group and list (./azure-snapshots.ts).
 */
import type { BoundingBox } from '../../engine/types.js';
import type { CallOptions, CopyOutcome, CopyProgress } from '../provider.js';
import type { AdapterDeps } from './adapter-deps.js';
import { AzureSnapshots } from './azure-snapshots.js';
import { checkCollectionId } from './collection-id.js';
import type { IndexedFace } from './collection-index.js';
import { faceRecord } from './contract-records.js';
import { SNAPSHOT_CHUNK } from './limits.js';
import { requireStore, unsupported } from './refusals.js';
import type { ListFaceData } from './userdata.js';

/**
 * Submits Azure's takes of a v1.0 instance inside the takeSnapshot request
 * (SnapshotCapable.startTake), under the collection's lock: Azure's refusal
 * (quota, throttling) is then the request's answer, before any gateway
 * operation exists. Nothing to do on an instance without `snapshotApi: "v1.0"`,
 * where a non-empty `shareWith` is UNSUPPORTED_OPERATION (gateway copies
 * cannot be applied by another Azure subscription).
 */
export async function submitTake(
  deps: AdapterDeps,
  collectionId: string,
  snapshotId: string,
  shareWith: readonly string[],
  call: CallOptions | undefined,
): Promise<void> {
  const azure = deps.azureSnapshots;
  if (!azure) {
    if (shareWith.length > 0)
      throw unsupported(
        deps.name,
        `azureApplyScope: expected none on an instance without snapshotApi "v1.0" (its snapshots are gateway copies, which no other Azure subscription can apply), got ${shareWith.length} subscription id(s)`,
        'TakeSnapshot',
      );
    return;
  }
  checkCollectionId(collectionId);
  await deps.cache.locked(collectionId, async () => {
    const { index } = await deps.cache.index(collectionId, call);
    await azure.submitTake(collectionId, index.hasFaceList, snapshotId, shareWith, call);
  });
}

/**
 * Copies the collection into a gateway snapshot: users in creation order,
 * faces in index order with their boxes and retained source images, and
 * no descriptors (Azure keeps none; a local apply computes them from the
 * images). Holds the collection's lock, so no write of this gateway lands
 * half-way; the snapshot content is written in one store transaction. On a
 * v1.0 instance the Azure takes were normally submitted by the request
 * ({@link submitTake}, so that Azure's refusal is the request's answer) and
 * are only followed here; a take without submitted ones (an older
 * gateway's) starts them under the lock after the copy. Either way the lock
 * is released once Azure accepted them: following a take (hours for 1M
 * persons) blocks no write. Azure: "writes to the source during Take may
 * not be captured" and may fail the take (its operation ends failed); a
 * write landing between the request's take and this copy is likewise in
 * the gateway copy and maybe not in Azure's.
 * A face facegate did not index (no retained image) makes it
 * UNSUPPORTED_OPERATION: it could not be re-created from the snapshot.
 */
export function exportToSnapshot(
  deps: AdapterDeps,
  collectionId: string,
  snapshotId: string,
  onProgress: (p: CopyProgress) => void,
  call: CallOptions | undefined,
): Promise<CopyOutcome> {
  checkCollectionId(collectionId);
  const store = requireStore(deps.name, deps.options.store, 'TAKE_SNAPSHOT');
  const copied = deps.cache.locked(collectionId, async () => {
    const pending = (await deps.azureSnapshots?.pendingTake(snapshotId)) ?? null;
    const { index } = await deps.cache.index(collectionId, call);
    const users = index.sortedUsers();
    const faces = index.sortedFaces();
    const items = users.length + faces.length;
    const takes = pending ? pending.operations.length : index.hasFaceList ? 2 : 1;
    const total = items + (deps.azureSnapshots ? AzureSnapshots.units(takes) : 0);
    const orphan = faces.find((f) => f.data === null);
    if (orphan)
      throw unsupported(
        deps.name,
        `face "${orphan.faceId}" of collection "${collectionId}" was not indexed through facegate (no source image is retained), so it cannot be put into a snapshot`,
        'TakeSnapshot',
      );
    await store.transaction(async (tx) => {
      await tx.clearSnapshotContent(snapshotId);
      await tx.insertSnapshotUsers(
        snapshotId,
        users.map((u, i) => ({ seq: i + 1, userId: u.userId, status: index.faceCountOf(u.userId) > 0 ? 'ACTIVE' : 'CREATED' })),
      );
      let processed = users.length;
      onProgress({ processed, total });
      const copied = new Set<string>();
      for (let i = 0; i < faces.length; i += SNAPSHOT_CHUNK) {
        const chunk = faces.slice(i, i + SNAPSHOT_CHUNK) as (IndexedFace & { data: ListFaceData })[];
        for (const { faceId, data } of chunk) {
          if (copied.has(data.sha256)) continue;
          const bytes = await deps.images.get(collectionId, data.sha256);
          if (!bytes)
            throw unsupported(
              deps.name,
              `face "${faceId}" cannot be put into a snapshot: its source image (sha256 ${data.sha256}) is no longer retained`,
              'TakeSnapshot',
            );
          await tx.putSnapshotImage(snapshotId, data.sha256, bytes);
          copied.add(data.sha256);
        }
        await tx.insertSnapshotFaces(
          snapshotId,
          chunk.map((f, j) => {
            const record = faceRecord(collectionId, f);
            return {
              seq: i + j + 1,
              faceId: f.faceId,
              userId: f.userId,
              externalImageId: record.externalImageId,
              boundingBox: record.boundingBox as BoundingBox,
              confidence: 100,
              descriptor: new Float32Array(0),
              imageSha256: f.data.sha256,
              indexedAt: new Date(f.data.indexedAt),
            };
          }),
        );
        processed += chunk.length;
        onProgress({ processed, total });
      }
    });
    const azure = pending ?? (await deps.azureSnapshots?.startTake(collectionId, index.hasFaceList, snapshotId, [], call)) ?? null;
    return { counts: { userCount: users.length, faceCount: faces.length }, items, total, azure };
  });
  return copied.then(async ({ counts, items, total, azure }) => {
    if (azure) await deps.azureSnapshots?.finishTake(azure, (done) => onProgress({ processed: items + done, total }), call);
    return counts;
  });
}
