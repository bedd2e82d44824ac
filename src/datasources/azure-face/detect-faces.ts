/**
 * detectFaces: one detect (one billed transaction) without faceIds — so
 * it needs no Limited Access approval — with the 27 landmarks and the
 * attributes of the instance's detection model, mapped by
 * ./face-detail.ts. At most 100 faces, largest first (Azure's own cap).
 */
import type { CallOptions } from '../provider.js';
import type { DetectFacesInput, DetectFacesOutcome } from '../face-operations.js';
import type { AdapterDeps } from './adapter-deps.js';
import { detectImage } from './detect-image.js';
import { faceDetail } from './face-detail.js';

export async function detectFaces(deps: AdapterDeps, input: DetectFacesInput, call: CallOptions | undefined): Promise<DetectFacesOutcome> {
  const { size, faces } = await detectImage(
    deps,
    input.image,
    { faceIds: false, attributes: input.attributes, ctx: deps.callContext() },
    call,
  );
  return { faces: faces.slice(0, 100).map((f) => faceDetail(f, size, input.attributes)) };
}
