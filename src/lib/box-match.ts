/**
 * Finding "the same face" again when another detector (or the same one on
 * another day) looked at an image: boxes never match exactly. Works on any
 * {left, top, width, height} boxes in one unit (pixels or ratios).
 */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Intersection over union of two boxes, 0..1. */
export function iou(a: Box, b: Box): number {
  const x = Math.max(0, Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left));
  const y = Math.max(0, Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top));
  const inter = x * y;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * The face at `target` among `faces`: the best overlap (IoU ≥ 0.5), else
 * the smallest face whose box holds the target's centre (detectors differ
 * in how much forehead and chin they include), else undefined.
 */
export function faceAtBox<T>(faces: readonly T[], target: Box, boxOf: (face: T) => Box): T | undefined {
  let best: T | undefined;
  let score = 0.5;
  for (const f of faces) {
    const s = iou(boxOf(f), target);
    if (s >= score) [best, score] = [f, s];
  }
  if (best) return best;
  const [cx, cy] = [target.left + target.width / 2, target.top + target.height / 2];
  const area = (f: T) => boxOf(f).width * boxOf(f).height;
  return faces
    .filter((f) => {
      const r = boxOf(f);
      return cx >= r.left && cx <= r.left + r.width && cy >= r.top && cy <= r.top + r.height;
    })
    .sort((a, b) => area(a) - area(b))[0];
}
