/**
 * "Indexing the same image into the same collection with the same
 * ExternalImageId does not save duplicate face metadata": a face detected
 * again in an image indexed before is matched to its earlier record by
 * bounding-box overlap (detection is deterministic, so this is normally an
 * exact match; the overlap rule tolerates float noise).
 */
import type { BoundingBox } from '../../engine/types.js';

/** Overlap (intersection over union) above which two boxes are the same face. */
const SAME_FACE_IOU = 0.5;

/**
 * For each new box, the index of the earlier box it repeats, or -1. Each
 * earlier box is matched at most once (greedy on the best overlap).
 */
export function matchEarlierFaces(fresh: readonly BoundingBox[], earlier: readonly BoundingBox[]): number[] {
  const pairs: { i: number; j: number; iou: number }[] = [];
  fresh.forEach((a, i) =>
    earlier.forEach((b, j) => {
      const overlap = iou(a, b);
      if (overlap >= SAME_FACE_IOU) pairs.push({ i, j, iou: overlap });
    }),
  );
  pairs.sort((x, y) => y.iou - x.iou);
  const match = new Array<number>(fresh.length).fill(-1);
  const taken = new Set<number>();
  for (const { i, j } of pairs) {
    if (match[i] !== -1 || taken.has(j)) continue;
    match[i] = j;
    taken.add(j);
  }
  return match;
}

function iou(a: BoundingBox, b: BoundingBox): number {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}
