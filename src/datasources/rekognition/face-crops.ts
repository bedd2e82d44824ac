/**
 * Face crops for identify: AWS's own advice for searching every face of an
 * image is to "call the DetectFaces operation and use the bounding boxes in
 * the response to make face crops, which then you can pass in to the
 * SearchFacesByImage operation" (the SearchFacesByImage reference);
 * SearchUsersByImage, like it, searches only the largest face of what it
 * is given. Rekognition's boxes are tight around the face, so each crop is
 * padded to give its detector the head around it.
 */
import sharp from 'sharp';
import type { BoundingBox } from '../../engine/types.js';
import { DomainError } from '../../domain/errors.js';

/** Padding added on each side of a face's box, as a fraction of its width (left, right) and height (top, bottom). */
export const CROP_PADDING = 0.25;
/** Rekognition's smallest accepted image side: a smaller crop is widened around the face (as far as the image allows). */
export const MIN_CROP_SIDE = 80;

/** One side of the crop: [start, end) in pixels, padded, at least MIN_CROP_SIDE, inside 0..size. */
function span(start: number, length: number, size: number): [number, number] {
  let from = Math.floor((start - CROP_PADDING * length) * size);
  let to = Math.ceil((start + length + CROP_PADDING * length) * size);
  const missing = Math.min(MIN_CROP_SIDE, size) - (to - from);
  if (missing > 0) {
    from -= Math.ceil(missing / 2);
    to += Math.ceil(missing / 2);
  }
  // Shift back inside the image, then clip.
  if (from < 0) [from, to] = [0, to - from];
  if (to > size) [from, to] = [from - (to - size), size];
  return [Math.max(0, from), Math.min(size, to)];
}

/** A face crop: its bytes and where it lies in the image (ratios, as Rekognition's boxes). */
export interface FaceCrop {
  bytes: Uint8Array;
  region: BoundingBox;
}

/**
 * The padded crop of the face at `box` (ratios of the image as Rekognition
 * sees it: after its EXIF orientation, which sharp's rotate() applies too),
 * in the image's own format (PNG stays PNG, anything else is JPEG at
 * quality 95). Throws INVALID_IMAGE if the image cannot be decoded.
 */
export async function cropFace(image: Uint8Array, box: BoundingBox): Promise<FaceCrop> {
  try {
    const meta = await sharp(image).metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    const width = (swap ? meta.height : meta.width) ?? 0;
    const height = (swap ? meta.width : meta.height) ?? 0;
    const [left, right] = span(box.left, box.width, width);
    const [top, bottom] = span(box.top, box.height, height);
    const extract = { left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
    const cropped = sharp(image).rotate().extract(extract);
    const bytes = new Uint8Array(await (meta.format === 'png' ? cropped.png() : cropped.jpeg({ quality: 95 })).toBuffer());
    return { bytes, region: { left: left / width, top: top / height, width: extract.width / width, height: extract.height / height } };
  } catch (e) {
    throw new DomainError(
      'INVALID_IMAGE',
      'image: expected a JPEG or PNG image the gateway can crop faces from, got one it could not decode',
      { field: 'image' },
      e,
    );
  }
}

/** A box given in ratios of `crop` (what Rekognition answers for the crop) in ratios of the whole image. */
export function inImage(crop: BoundingBox, b: BoundingBox): BoundingBox {
  return {
    left: crop.left + b.left * crop.width,
    top: crop.top + b.top * crop.height,
    width: b.width * crop.width,
    height: b.height * crop.height,
  };
}
