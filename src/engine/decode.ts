/**
 * Image validation and decoding, on the calling (main) thread.
 *
 * Why here and not in the inference workers: sharp's native libvips must not
 * be unloaded or interrupted mid-operation, and terminating a worker that is
 * inside sharp can take the whole process down (lovell/sharp#2263). Keeping
 * sharp on the main thread (its work runs on libuv's pool, not on the event
 * loop) means a worker can always be killed and replaced safely, and a bad
 * image never reaches a worker at all.
 *
 * Validation is staged from cheap to expensive so bad input is refused fast:
 * 1. {@link checkEncoded}: byte size and magic number, synchronous;
 * 2. {@link probeImage}: header parse (format, dimensions, pixel limit) —
 *    a decompression bomb is refused here without inflating a single pixel;
 * 3. {@link decodeImage}: full decode, which is the only way to find a
 *    truncated or corrupt body; it runs just before inference so queued
 *    images hold only their encoded bytes.
 */
import sharp, { type Metadata } from 'sharp';
import { formatList, formatName, imageFormatOf, sniffFormat } from '../lib/image-format.js';
import { EngineError, type DecodableFormat } from './types.js';

export { sniffFormat } from '../lib/image-format.js';

/** Limits applied to every image. */
export interface DecodeLimits {
  /** Largest accepted encoded image, bytes. */
  maxImageBytes: number;
  /** Largest accepted decoded image, pixels. */
  maxImagePixels: number;
  /**
   * Longest side fed to the networks; larger images are downscaled first.
   * The detector sees 512×512 and the recognition net 150×150 face crops
   * anyway, while a full-size tensor would grow the worker's wasm heap (which
   * never shrinks) by 12 bytes a pixel.
   */
  maxInferenceSide: number;
  /** Formats accepted (by magic number, then by sharp's header parse); others are refused before any decode. */
  formats: readonly DecodableFormat[];
}

/** Every format sharp's prebuilt libvips reads that a face photo comes in (BMP it cannot read). */
export const DECODABLE_FORMATS: readonly DecodableFormat[] = ['jpeg', 'png', 'webp', 'gif', 'tiff'];

export type AcceptedFormat = DecodableFormat;

/** What {@link probeImage} learns from the header. */
export interface ImageInfo {
  format: AcceptedFormat;
  /** Orientation-corrected size. */
  width: number;
  height: number;
}

/** Raw RGB pixels ready for inference. */
export interface DecodedImage {
  /** width × height × 3 bytes, row-major RGB. */
  data: Uint8Array;
  /** Size of `data` (after any downscaling). */
  width: number;
  height: number;
  /** Orientation-corrected size of the original image. */
  imageWidth: number;
  imageHeight: number;
}

const fmtBytes = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB (${n} bytes)` : `${n} bytes`);

/**
 * Synchronous first gate: non-empty, within the byte limit, and of an
 * accepted format by magic number. Throws EngineError INVALID_IMAGE.
 */
export function checkEncoded(image: Uint8Array, limits: Pick<DecodeLimits, 'maxImageBytes' | 'formats'>): AcceptedFormat {
  if (!(image instanceof Uint8Array)) {
    throw new EngineError('INVALID_IMAGE', `expected image bytes (Uint8Array), got ${typeof image}`);
  }
  if (image.length === 0) {
    throw new EngineError('INVALID_IMAGE', `expected a ${formatList(limits.formats)} image, got 0 bytes`);
  }
  if (image.length > limits.maxImageBytes) {
    throw new EngineError('INVALID_IMAGE', `expected an image of at most ${fmtBytes(limits.maxImageBytes)}, got ${fmtBytes(image.length)}`);
  }
  const format = imageFormatOf(image);
  if (format && (limits.formats as readonly string[]).includes(format)) return format as AcceptedFormat;
  throw new EngineError('INVALID_IMAGE', `expected a ${formatList(limits.formats)} image, got ${sniffFormat(image)}`);
}

/** libvips' message, first line, without the "Input buffer" boilerplate. */
const vipsReason = (e: unknown): string =>
  (e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/^Input (buffer|Buffer) (has |contains )?/, '');

/**
 * Header-only check: format agrees with the magic number, dimensions are
 * known and within the pixel limit. Reads the header only, so it never inflates pixel data.
 */
export async function probeImage(image: Uint8Array, limits: DecodeLimits): Promise<ImageInfo> {
  const expected = checkEncoded(image, limits);
  let meta: Metadata;
  try {
    // Header only, so sharp's own pixel limit is lifted here: the check below
    // then names the actual dimensions instead of a generic refusal.
    meta = await sharp(image, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (e) {
    throw new EngineError('INVALID_IMAGE', `expected a valid ${formatName(expected)} image, got ${vipsReason(e)}`);
  }
  if (meta.format !== expected || !meta.width || !meta.height) {
    throw new EngineError(
      'INVALID_IMAGE',
      `expected a ${formatName(expected)} image with known dimensions, got format ${meta.format ?? 'unknown'} ${meta.width ?? '?'}×${meta.height ?? '?'}`,
    );
  }
  // A GIF's or TIFF's first frame (page) only: that is what decodeImage reads.
  const pixels = meta.width * (meta.pageHeight ?? meta.height);
  if (pixels > limits.maxImagePixels) {
    throw new EngineError(
      'INVALID_IMAGE',
      `expected at most ${limits.maxImagePixels} pixels, got ${meta.width}×${meta.height} = ${pixels}`,
    );
  }
  const upright = meta.autoOrient ?? { width: meta.width, height: meta.pageHeight ?? meta.height };
  return { format: expected, width: upright.width, height: upright.height };
}

/**
 * Full decode to upright 8-bit RGB (EXIF orientation applied, alpha
 * flattened on white, any colour space converted to sRGB), downscaled to
 * `maxInferenceSide`. Truncated or corrupt data is refused: libvips is told
 * to fail on errors (a truncated JPEG is one), while harmless decoder
 * warnings that real cameras produce are tolerated.
 */
export async function decodeImage(
  image: Uint8Array,
  limits: DecodeLimits,
  /** The {@link probeImage} result when already known. */
  probed?: ImageInfo,
): Promise<DecodedImage> {
  const info = probed ?? (await probeImage(image, limits));
  try {
    const side = limits.maxInferenceSide;
    // The first frame of an animated GIF or a multi-page TIFF (sharp's default, spelled out).
    const { data, info: out } = await sharp(image, { failOn: 'error', limitInputPixels: limits.maxImagePixels, pages: 1, page: 0 })
      .rotate()
      .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (out.channels !== 3) throw new Error(`decoded to ${out.channels} channels`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: out.width,
      height: out.height,
      imageWidth: info.width,
      imageHeight: info.height,
    };
  } catch (e) {
    throw new EngineError('INVALID_IMAGE', `expected a complete, valid ${formatName(info.format)} image, got ${vipsReason(e)}`);
  }
}
