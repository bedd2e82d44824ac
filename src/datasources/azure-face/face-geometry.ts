/**
 * Face rectangles: Azure reports them in pixels of the image, the contract's
 * bounding boxes are ratios of it. The registry keeps a face's rectangle as
 * `[left, top, width, height]` (./userdata.ts); these helpers convert and
 * compare.
 */
import type { BoundingBox } from '../../engine/types.js';
import { iou } from '../../lib/box-match.js';
import type { DetectedFaceOut, FaceRectangle } from './face-api-shapes.js';
import type { ImageSize } from './image-size.js';

const clamp01 = (n: number) => Math.min(1, Math.max(0, n));

/** The pixel rectangle `r` as a contract bounding box (ratios of `size`, clamped to 0..1). */
export function ratioBox(r: FaceRectangle, size: ImageSize): BoundingBox {
  return {
    left: clamp01(r.left / size.width),
    top: clamp01(r.top / size.height),
    width: clamp01(r.width / size.width),
    height: clamp01(r.height / size.height),
  };
}

/** A stored `[left, top, width, height]` as Azure's rectangle. */
export const rectOf = (r: readonly number[]): FaceRectangle => ({ left: r[0], top: r[1], width: r[2], height: r[3] });

/** Whether a stored rectangle is exactly `r` (the same face of the same image, indexed before). */
export function sameRect(stored: readonly number[] | undefined, r: FaceRectangle): boolean {
  return stored !== undefined && stored[0] === r.left && stored[1] === r.top && stored[2] === r.width && stored[3] === r.height;
}

/** Largest first (Azure promises it; sorted anyway, stable). */
export function byArea(faces: readonly DetectedFaceOut[]): DetectedFaceOut[] {
  return [...faces].sort((a, b) => b.faceRectangle.width * b.faceRectangle.height - a.faceRectangle.width * a.faceRectangle.height);
}

/** The detected face overlapping `rect` best (IoU ≥ 0.5). */
export function bestMatch(detected: readonly DetectedFaceOut[], rect: readonly number[]): DetectedFaceOut | undefined {
  const target = rectOf(rect);
  let best: DetectedFaceOut | undefined;
  let score = 0.5;
  for (const f of detected) {
    const s = iou(f.faceRectangle, target);
    if (s >= score) [best, score] = [f, s];
  }
  return best;
}
