/**
 * What image format some bytes are, by their magic number: enough to refuse
 * what a decoder or a provider does not take before any decode or call, and
 * to name what came in an error message.
 */

/** The raster formats a facegate provider may accept. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'bmp';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean =>
  b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, from: number, to: number): string => String.fromCharCode(...b.subarray(from, Math.min(to, b.length)));

/** The format of `b` by its magic number, or undefined for anything else. */
export function imageFormatOf(b: Uint8Array): ImageFormat | undefined {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, PNG_MAGIC)) return 'png';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (ascii(b, 0, 4) === 'GIF8') return 'gif';
  if (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*') return 'tiff';
  if (ascii(b, 0, 2) === 'BM') return 'bmp';
  return undefined;
}

const NAMES: Record<ImageFormat, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF', tiff: 'TIFF', bmp: 'BMP' };

/** A format's usual name (JPEG, PNG, WebP, …). */
export const formatName = (f: ImageFormat): string => NAMES[f];

/** "JPEG, PNG or GIF": the formats of a list, for messages. */
export function formatList(formats: readonly ImageFormat[]): string {
  const names = formats.map(formatName);
  return names.length <= 1 ? (names[0] ?? 'no format') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** Names what the bytes look like, for error messages: a known format, or a guess at what else they are. */
export function sniffFormat(b: Uint8Array): string {
  const known = imageFormatOf(b);
  if (known) return formatName(known);
  if (ascii(b, 4, 8) === 'ftyp') {
    const brand = ascii(b, 8, 12);
    return brand.startsWith('avi') ? 'AVIF' : brand.startsWith('hei') || brand === 'mif1' ? 'HEIF' : 'ISO media';
  }
  if (ascii(b, 0, 4) === '%PDF') return 'PDF';
  const head = ascii(b, 0, 64).trimStart().toLowerCase();
  if (head.startsWith('<svg') || head.startsWith('<?xml')) return 'SVG/XML';
  if (head.startsWith('<')) return 'HTML/text';
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON/text';
  return 'unrecognised data';
}
