/**
 * DetectFaces on Rekognition: one call (billed as a Group 2 API, like the
 * other non-storage image APIs).
 */
import { DetectFacesCommand } from '@aws-sdk/client-rekognition';
import type { FaceAttributeName, FaceDetailRecord } from '../../domain/face-details.js';
import type { CallOptions, DetectFacesInput, DetectFacesOutcome } from '../provider.js';
import { byAreaDescending, faceDetailRecord, wireAttributes } from './face-detail.js';
import type { RekognitionDeps } from './rekognition-deps.js';

/** DetectFaces with DEFAULT plus the attributes asked for; faces largest first (Rekognition detects the 100 largest). */
export async function detectFaces(deps: RekognitionDeps, input: DetectFacesInput, call?: CallOptions): Promise<DetectFacesOutcome> {
  return { faces: await detectFaceDetails(deps, input.image, input.attributes, call, 'image') };
}

/** The faces of `image`, largest first; `field` names the image in errors (compareFaces' `sourceImage`, …). */
export async function detectFaceDetails(
  deps: RekognitionDeps,
  image: Uint8Array,
  attributes: ReadonlySet<FaceAttributeName> | undefined,
  call: CallOptions | undefined,
  field: string,
): Promise<FaceDetailRecord[]> {
  const { calls } = deps;
  const wireImage = calls.image(field, image);
  const out = await calls.run(calls.context('DetectFaces', { field }), call, (o) =>
    calls.client.send(new DetectFacesCommand({ Image: wireImage, Attributes: wireAttributes(attributes) }), o),
  );
  return (out.FaceDetails ?? []).map(faceDetailRecord).sort(byAreaDescending);
}
