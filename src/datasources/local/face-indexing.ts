/**
 * IndexFaces on the local engine: detect, select (face-selection.ts), then
 * store the new faces in one transaction. Inference runs before the
 * transaction, never inside it (it would hold the store's write lock for the
 * whole inference).
 *
 * Indexing an image again under the same ExternalImageId returns the
 * earlier records of the faces it repeats (duplicate-faces.ts) instead of
 * storing them twice.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DomainError, invalidInput } from '../../domain/errors.js';
import type { FaceRow } from '../../store/store.js';
import type { CallOptions, IndexFacesInput, IndexFacesOutcome } from '../provider.js';
import { detectFaces } from './detection.js';
import { engineAttributesFor, toFaceDetail } from './face-detail.js';
import { matchEarlierFaces } from './duplicate-faces.js';
import { selectFaces } from './face-selection.js';
import { DEFAULT_MAX_FACES, MAX_FACES_PER_COLLECTION } from './limits.js';
import type { LocalDeps } from './local-deps.js';
import { requireCollection } from './lookups.js';
import { toFaceRecord } from './records.js';

/**
 * Indexes the largest faces of `input.image` that pass the quality filter
 * (at most `maxFaces`, @default 100; `qualityFilter` @default AUTO);
 * QUOTA_EXCEEDED past the collection's face quota, with nothing indexed.
 */
export async function indexFaces(deps: LocalDeps, input: IndexFacesInput, call?: CallOptions): Promise<IndexFacesOutcome> {
  const { collectionId, image } = input;
  const externalImageId = input.externalImageId ?? null;
  const maxFaces = input.maxFaces ?? DEFAULT_MAX_FACES;
  if (!Number.isInteger(maxFaces) || maxFaces < 1) {
    throw invalidInput('maxFaces', 'an integer ≥ 1', String(maxFaces));
  }
  // Fail fast, before inference; checked again in the transaction.
  await requireCollection(deps.store, deps.name, collectionId);
  const detection = await detectFaces(deps, collectionId, image, call, engineAttributesFor(input.detectionAttributes));
  const selection = selectFaces(detection.faces, maxFaces, input.qualityFilter ?? 'AUTO');
  const sha256 = createHash('sha256').update(image).digest('hex');

  const { rows, faceModelVersion } = await deps.store.transaction(async (tx) => {
    const collection = await requireCollection(tx, deps.name, collectionId);
    const done = (rows: FaceRow[]) => ({ rows, faceModelVersion: collection.faceModelVersion });
    if (selection.indexed.length === 0) return done([]);
    const earlier = await tx.findFacesFromImage(collection.key, sha256, externalImageId);
    const repeats = matchEarlierFaces(
      selection.indexed.map((f) => f.boundingBox),
      earlier.map((f) => f.boundingBox),
    );
    const fresh = selection.indexed.filter((_, i) => repeats[i] === -1);
    if (collection.faceCount + fresh.length > MAX_FACES_PER_COLLECTION) {
      throw new DomainError(
        'QUOTA_EXCEEDED',
        `Collection "${collectionId}" holds ${collection.faceCount} faces: expected at most ${MAX_FACES_PER_COLLECTION} after indexing, got ${collection.faceCount + fresh.length}`,
        { collectionId, provider: deps.name },
      );
    }
    const indexedAt = deps.now();
    const inserted = await tx.insertFaces(
      collection.key,
      fresh.map((face) => ({
        faceId: randomUUID(),
        externalImageId,
        boundingBox: face.boundingBox,
        confidence: face.confidence,
        descriptor: face.descriptor,
        indexedAt,
      })),
      fresh.length > 0 ? { sha256, bytes: image } : null,
    );
    // Back in selection order (largest first), earlier records in place of repeats.
    let next = 0;
    return done(selection.indexed.map((_, i) => (repeats[i] === -1 ? inserted[next++] : earlier[repeats[i]])));
  });

  const faces = rows.map((row) => toFaceRecord(row, collectionId));
  return {
    faces,
    // What this detection saw, also of a repeated face (its record is the earlier one).
    faceDetails: selection.indexed.map((f) => toFaceDetail(f, input.detectionAttributes)),
    unindexedFaces: selection.unindexed,
    faceModelVersion,
  };
}
