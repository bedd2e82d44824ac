/**
 * IndexFaces on Rekognition: one call, its answer in the contract's records
 * and reasons.
 */
import { IndexFacesCommand } from '@aws-sdk/client-rekognition';
import { invalidInput } from '../../domain/errors.js';
import type { CallOptions, IndexFacesInput, IndexFacesOutcome } from '../provider.js';
import { DEFAULT_MAX_FACES } from './limits.js';
import { box, faceRecord, unindexedReasons } from './records.js';
import type { RekognitionDeps } from './rekognition-deps.js';
import { REKOGNITION_IMAGE_FORMATS, requireImageFormat } from '../../images/image-format.js';
import { boxOnlyFaceDetail } from '../../domain/face-details.js';

/**
 * IndexFaces with QualityFilter AUTO, like the local provider, which
 * refuses faces too small to be reliable (SMALL_BOUNDING_BOX). Rekognition
 * reasons the contract has no name for (EXTREME_POSE, LOW_BRIGHTNESS,
 * LOW_SHARPNESS, LOW_FACE_QUALITY) are reported as LOW_CONFIDENCE.
 * At most `maxFaces` faces are indexed (@default 100).
 */
export async function indexFaces(deps: RekognitionDeps, input: IndexFacesInput, call?: CallOptions): Promise<IndexFacesOutcome> {
  const { calls } = deps;
  const { collectionId, image } = input;
  const maxFaces = input.maxFaces ?? DEFAULT_MAX_FACES;
  if (!Number.isInteger(maxFaces) || maxFaces < 1) throw invalidInput('maxFaces', 'an integer ≥ 1', String(maxFaces));
  // What AWS refuses (InvalidImageFormatException), refused before the call.
  requireImageFormat('image', image, REKOGNITION_IMAGE_FORMATS, calls.name);
  const out = await calls.run(calls.context('IndexFaces', { collectionId }), call, (o) =>
    calls.client.send(
      new IndexFacesCommand({
        CollectionId: collectionId,
        Image: { Bytes: image },
        ExternalImageId: input.externalImageId,
        MaxFaces: maxFaces,
        QualityFilter: 'AUTO',
        DetectionAttributes: ['DEFAULT'],
      }),
      o,
    ),
  );
  const faces = (out.FaceRecords ?? []).flatMap((r) => (r.Face ? [faceRecord(collectionId, r.Face)] : []));
  const unindexedFaces = (out.UnindexedFaces ?? []).map((u) => ({
    boundingBox: box(u.FaceDetail?.BoundingBox) ?? { left: 0, top: 0, width: 0, height: 0 },
    reasons: unindexedReasons(u.Reasons ?? []),
  }));
  // TODO(issue 20): FaceDetail's landmarks, pose and quality.
  const faceDetails = faces.map((f) => boxOnlyFaceDetail(f.boundingBox ?? { left: 0, top: 0, width: 0, height: 0 }, f.confidence ?? 0));
  return { faces, faceDetails, unindexedFaces, faceModelVersion: out.FaceModelVersion ?? null };
}
