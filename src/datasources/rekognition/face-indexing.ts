/**
 * IndexFaces on Rekognition: one call, its answer in the contract's records
 * and reasons.
 */
import { createHash } from 'node:crypto';
import { IndexFacesCommand } from '@aws-sdk/client-rekognition';
import { invalidInput } from '../../domain/errors.js';
import type { CallOptions, IndexFacesInput, IndexFacesOutcome } from '../provider.js';
import { faceDetailRecord, wireAttributes } from './face-detail.js';
import { DEFAULT_MAX_FACES } from './limits.js';
import { box, faceRecord, unindexedReasons } from './records.js';
import type { RekognitionDeps } from './rekognition-deps.js';

/**
 * IndexFaces with the caller's QualityFilter (@default AUTO, Rekognition's
 * own default here) and DetectionAttributes (DEFAULT plus those asked for).
 * Every unindexed reason Rekognition gives is kept. `faceDetails` is each
 * indexed face's FaceDetail, in the order of `faces`. At most `maxFaces`
 * faces are indexed (@default 100). With `retainImages` the image is kept
 * for the faces indexed (face-images.ts); a store failure there is logged,
 * not thrown: the faces exist on AWS, and only a snapshot of them will be
 * refused (UnsupportedOperation naming the face).
 */
export async function indexFaces(deps: RekognitionDeps, input: IndexFacesInput, call?: CallOptions): Promise<IndexFacesOutcome> {
  const { calls } = deps;
  const { collectionId, image } = input;
  const maxFaces = input.maxFaces ?? DEFAULT_MAX_FACES;
  if (!Number.isInteger(maxFaces) || maxFaces < 1) throw invalidInput('maxFaces', 'an integer ≥ 1', String(maxFaces));
  const wireImage = calls.image('image', image);
  const out = await calls.run(calls.context('IndexFaces', { collectionId }), call, (o) =>
    calls.client.send(
      new IndexFacesCommand({
        CollectionId: collectionId,
        Image: wireImage,
        ExternalImageId: input.externalImageId,
        MaxFaces: maxFaces,
        QualityFilter: input.qualityFilter ?? 'AUTO',
        DetectionAttributes: wireAttributes(input.detectionAttributes),
      }),
      o,
    ),
  );
  const records = (out.FaceRecords ?? []).filter((r) => r.Face !== undefined);
  if (deps.images) {
    const faceIds = records.flatMap((r) => (r.Face?.FaceId ? [r.Face.FaceId] : []));
    const sha256 = createHash('sha256').update(image).digest('hex');
    await deps.images.retain(collectionId, sha256, image, faceIds, new Date()).catch((err: unknown) => {
      deps.logger?.error({ err, provider: calls.name, collectionId, faceIds }, 'retaining the image of indexed faces failed');
    });
  }
  return {
    faces: records.map((r) => faceRecord(collectionId, r.Face ?? {})),
    faceDetails: records.map((r) => faceDetailRecord(r.FaceDetail ?? { BoundingBox: r.Face?.BoundingBox, Confidence: r.Face?.Confidence })),
    unindexedFaces: (out.UnindexedFaces ?? []).map((u) => ({
      boundingBox: box(u.FaceDetail?.BoundingBox) ?? { left: 0, top: 0, width: 0, height: 0 },
      reasons: unindexedReasons(u.Reasons ?? []),
    })),
    faceModelVersion: out.FaceModelVersion ?? null,
  };
}
