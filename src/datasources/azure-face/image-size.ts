/**
 * Pixel size of an image from its header. Azure reports face rectangles in
 * pixels; the contract's bounding boxes are ratios of the image, so the
 * adapter needs the size. Reads the formats Azure accepts: JPEG, PNG, GIF
 * and BMP. EXIF orientation is not applied (Azure's rectangles refer to the
 * stored pixel grid as well).
 */
import { DomainError } from '../../domain/errors.js';

export interface ImageSize {
  width: number;
  height: number;
}

/** The size, or null when the bytes are not a readable JPEG/PNG/GIF/BMP. */
export function readImageSize(bytes: Uint8Array): ImageSize | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ok = (width: number, height: number) => (width > 0 && height > 0 ? { width, height } : null);
  if (buf.length >= 24 && buf.readUInt32BE(0) === 0x89504e47 && buf.readUInt32BE(4) === 0x0d0a1a0a) {
    if (buf.toString('latin1', 12, 16) !== 'IHDR') return null;
    return ok(buf.readUInt32BE(16), buf.readUInt32BE(20));
  }
  if (buf.length >= 10 && /^GIF8[79]a$/.test(buf.toString('latin1', 0, 6))) return ok(buf.readUInt16LE(6), buf.readUInt16LE(8));
  if (buf.length >= 26 && buf[0] === 0x42 && buf[1] === 0x4d) return ok(buf.readInt32LE(18), Math.abs(buf.readInt32LE(22)));
  if (buf.length >= 4 && buf[0] === 0xff && buf[1] === 0xd8) return jpegSize(buf);
  return null;
}

/** The size of an image the adapter is handed; INVALID_IMAGE when it cannot be read. */
export function requireImageSize(image: Uint8Array): ImageSize {
  const size = readImageSize(image);
  if (!size) {
    throw new DomainError(
      'INVALID_IMAGE',
      'image: expected a JPEG or PNG image (GIF and BMP are accepted too) whose pixel size can be read, got bytes of no such format',
      {
        field: 'image',
      },
    );
  }
  return size;
}

function jpegSize(buf: Buffer): ImageSize | null {
  let offset = 2;
  while (offset + 4 <= buf.length) {
    if (buf[offset] !== 0xff) return null;
    const marker = buf[offset + 1];
    if (marker === 0xff) {
      offset++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    const length = buf.readUInt16BE(offset + 2);
    if (length < 2 || offset + 2 + length > buf.length) return null;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (length < 7) return null;
      const height = buf.readUInt16BE(offset + 5);
      const width = buf.readUInt16BE(offset + 7);
      return width > 0 && height > 0 ? { width, height } : null;
    }
    offset += 2 + length;
  }
  return null;
}
