/**
 * How the fake Rekognition "sees" faces. There is no ML here: detection is
 * a pure function of the image bytes, so every test knows in advance what
 * IndexFaces and SearchUsersByImage will find.
 *
 * An image must first be a real JPEG or PNG (magic bytes and a readable
 * header with its pixel size); anything else is InvalidImageFormatException,
 * like the real service. Its faces then come from, in this order:
 *
 * 1. a declaration registered by the test for exactly these bytes
 *    (`fake.declareImage(bytes, faces)`);
 * 2. a PNG `tEXt` chunk with keyword `facegate:faces` holding the same JSON
 *    (what {@link fakePng} writes with `faces`), so self-describing images
 *    also work against a fake started by hand;
 * 3. a PNG without either (a client's crop of a fakePng): the faces whose
 *    codes fakePng painted into the pixels and whose faces chunk the fake
 *    has read before (face-codes.ts), boxed where they are in the crop;
 * 4. otherwise exactly one face, centred, half the image wide, whose
 *    identity is the sha256 of the bytes (so two different undeclared images
 *    never match each other, and the same image always matches itself).
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { faceCode, findCodedRegions, paintCode, pngGrey } from './face-codes.js';

/** Ratios of the image's width and height, 0..1 (Rekognition's BoundingBox, camel-cased). */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Reasons a quality filter may refuse a face for, besides the computed ones. */
export type QualityIssue = 'EXTREME_POSE' | 'LOW_BRIGHTNESS' | 'LOW_SHARPNESS' | 'LOW_FACE_QUALITY';

/** The quality bars of QualityFilter, loosest first. */
export type QualityBar = 'LOW' | 'MEDIUM' | 'HIGH';

/** A yes/no attribute as the wire carries it. */
export interface DeclaredFlag {
  value: boolean;
  confidence: number;
}

/**
 * Attributes a test declares for a face (camel-cased wire fields); what is
 * not declared is the fake's neutral default (see face-detail.ts).
 */
export interface DeclaredAttributes {
  ageRange?: { low: number; high: number };
  gender?: { value: 'Male' | 'Female'; confidence: number };
  /** Wire emotion types (HAPPY, CALM, …), in the order the fake answers them. */
  emotions?: { type: string; confidence: number }[];
  smile?: DeclaredFlag;
  eyeglasses?: DeclaredFlag;
  sunglasses?: DeclaredFlag;
  eyesOpen?: DeclaredFlag;
  mouthOpen?: DeclaredFlag;
  beard?: DeclaredFlag;
  mustache?: DeclaredFlag;
  faceOccluded?: DeclaredFlag;
}

/** One face a test declares in an image. */
export interface DeclaredFace {
  /** Who it is: faces with the same identity match at 99.x similarity, others below 50. */
  identity: string;
  /** @default { left: 0.25, top: 0.25, width: 0.5, height: 0.5 } */
  box?: Box;
  /** Detector confidence 0..100; below 50 a quality filter refuses it as LOW_CONFIDENCE. @default 99.9 */
  confidence?: number;
  /** Extra reasons any QualityFilter other than NONE refuses this face for. */
  qualityIssues?: QualityIssue[];
  /**
   * The strictest QualityFilter bar the face passes; a stricter one refuses
   * it as LOW_FACE_QUALITY (AUTO is the MEDIUM bar in the fake: AWS says
   * only that it "chooses the quality bar"). @default HIGH
   */
  qualityBar?: QualityBar;
  /** Landmarks with wire types (eyeLeft, nose, chinBottom, …) in image ratios. @default derived from the box (face-detail.ts) */
  landmarks?: { type: string; x: number; y: number }[];
  /** Degrees. @default { roll: 0, yaw: 0, pitch: 0 } */
  pose?: { roll: number; yaw: number; pitch: number };
  /** FaceDetail.Quality, 0..100 each (named so as not to clash with the Azure fake's `quality`, which extends this). @default { brightness: 80, sharpness: 90 } */
  qualityScores?: { brightness: number; sharpness: number };
  attributes?: DeclaredAttributes;
}

/** A face as the fake detected it in one image. */
export interface DetectedFace {
  identity: string;
  box: Box;
  confidence: number;
  /** Face size in pixels (box × image size). */
  pixelWidth: number;
  pixelHeight: number;
  /** Why any quality filter (QualityFilter ≠ NONE) refuses it: computed (size, confidence) and declared issues. */
  issues: string[];
  /** The strictest bar it passes. */
  qualityBar: QualityBar;
  /** The declaration it came from (landmarks, pose, quality, attributes). */
  declared: DeclaredFace;
  /** Stable per image and position: `<sha256>:<index>`, or `code:<code>` for a face read from pixels. */
  key: string;
}

export interface Detection {
  sha256: string;
  width: number;
  height: number;
  /** Largest bounding box first, as Rekognition orders FaceRecords. */
  faces: DetectedFace[];
}

const BARS: readonly string[] = ['LOW', 'MEDIUM', 'HIGH'];

/**
 * Why QualityFilter `filter` refuses `face` (empty: it passes). NONE
 * refuses nothing; AUTO is the MEDIUM bar. A face under the bar is
 * LOW_FACE_QUALITY, besides its own issues.
 */
export function refusedBy(face: DetectedFace, filter: string): string[] {
  if (filter === 'NONE') return [];
  const bar = filter === 'AUTO' ? 'MEDIUM' : filter;
  const reasons = [...face.issues];
  if (BARS.indexOf(face.qualityBar) < BARS.indexOf(bar) && !reasons.includes('LOW_FACE_QUALITY')) reasons.push('LOW_FACE_QUALITY');
  return reasons;
}

/** Why an image was refused; the server turns it into the matching exception. */
export class ImageRefused extends Error {
  constructor(
    readonly type: 'InvalidImageFormatException' | 'ImageTooLargeException',
    message: string,
  ) {
    super(message);
  }
}

/** Faces narrower or shorter than this are SMALL_BOUNDING_BOX under a quality filter (as the local provider). */
export const MIN_FACE_PIXELS = 40;
/** Faces under this detector confidence are LOW_CONFIDENCE under a quality filter. */
export const MIN_CONFIDENCE = 50;
/**
 * Larger sides are ImageTooLargeException. Rekognition does not publish its
 * pixel limit; this is the fake's own, documented rule.
 */
export const MAX_IMAGE_SIDE = 10_000;

const DEFAULT_BOX: Box = { left: 0.25, top: 0.25, width: 0.5, height: 0.5 };
const FACES_KEYWORD = 'facegate:faces';
const LABEL_KEYWORD = 'facegate:label';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** Text chunks of a PNG by keyword. */
  text: Map<string, string>;
}

/** Reads a JPEG's or PNG's header; throws {@link ImageRefused} for anything else. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 8 && buf.subarray(0, 8).equals(PNG_SIGNATURE)) return readPng(buf);
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return readJpeg(buf);
  throw invalidFormat();
}

const invalidFormat = () => new ImageRefused('InvalidImageFormatException', 'Request has invalid image format');

function readPng(buf: Buffer): ImageHeader {
  const text = new Map<string, string>();
  let width = 0;
  let height = 0;
  let offset = 8;
  let first = true;
  for (;;) {
    if (offset + 12 > buf.length) throw invalidFormat(); // truncated: no IEND
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const data = offset + 8;
    if (data + length + 4 > buf.length) throw invalidFormat();
    if (first) {
      if (type !== 'IHDR' || length !== 13) throw invalidFormat();
      width = buf.readUInt32BE(data);
      height = buf.readUInt32BE(data + 4);
      first = false;
    } else if (type === 'tEXt') {
      const chunk = buf.subarray(data, data + length);
      const nul = chunk.indexOf(0);
      if (nul > 0) text.set(chunk.toString('latin1', 0, nul), chunk.toString('latin1', nul + 1));
    } else if (type === 'IEND') {
      break;
    }
    offset = data + length + 4;
  }
  if (width === 0 || height === 0) throw invalidFormat();
  return { format: 'png', width, height, text };
}

function readJpeg(buf: Buffer): ImageHeader {
  let offset = 2;
  while (offset + 4 <= buf.length) {
    if (buf[offset] !== 0xff) throw invalidFormat();
    const marker = buf[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // standalone markers
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // EOI / SOS before any frame header
    const length = buf.readUInt16BE(offset + 2);
    if (length < 2 || offset + 2 + length > buf.length) break;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (length < 7) break;
      const height = buf.readUInt16BE(offset + 5);
      const width = buf.readUInt16BE(offset + 7);
      if (width === 0 || height === 0) break;
      return { format: 'jpeg', width, height, text: new Map() };
    }
    offset += 2 + length;
  }
  throw invalidFormat();
}

/**
 * Detects the faces of an image (see the module comment for the rules).
 * `declared` is the test's declaration for these exact bytes, if any;
 * `codes` maps the face codes of every faces chunk seen so far to their
 * faces (it learns this image's), for reading crops (face-codes.ts).
 */
export function detectFaces(bytes: Uint8Array, declared: ImageDeclaration | undefined, codes: Map<string, DeclaredFace>): Detection {
  const header = readImageHeader(bytes);
  const sha256 = sha256Hex(bytes);
  const width = declared?.width ?? header.width;
  const height = declared?.height ?? header.height;
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new ImageRefused('ImageTooLargeException', 'Image size is too large.');
  }
  let faces: { face: DeclaredFace; box?: Box; key?: string }[];
  if (declared) {
    faces = declared.faces.map((face) => ({ face }));
  } else if (header.text.has(FACES_KEYWORD)) {
    const embedded = parseEmbeddedFaces(header.text.get(FACES_KEYWORD) as string);
    const label = header.text.get(LABEL_KEYWORD);
    embedded.forEach((face, i) => codes.set(faceCode(label, i, face), face));
    faces = embedded.map((face) => ({ face }));
  } else {
    faces = codedFaces(bytes, header, codes) ?? [{ face: { identity: sha256 } }];
  }
  const detected = faces.map(({ face, box: seenBox, key }, index): DetectedFace => {
    const box = { ...(seenBox ?? face.box ?? DEFAULT_BOX) };
    const confidence = face.confidence ?? 99.9;
    const pixelWidth = Math.round(box.width * width);
    const pixelHeight = Math.round(box.height * height);
    const issues: string[] = [];
    if (pixelWidth < MIN_FACE_PIXELS || pixelHeight < MIN_FACE_PIXELS) issues.push('SMALL_BOUNDING_BOX');
    if (confidence < MIN_CONFIDENCE) issues.push('LOW_CONFIDENCE');
    for (const issue of face.qualityIssues ?? []) if (!issues.includes(issue)) issues.push(issue);
    return {
      identity: face.identity,
      box,
      confidence,
      pixelWidth,
      pixelHeight,
      issues,
      qualityBar: face.qualityBar ?? 'HIGH',
      declared: face,
      key: key ?? `${sha256}:${index}`,
    };
  });
  // Stable: equal sizes keep declaration order.
  detected.sort((a, b) => b.pixelWidth * b.pixelHeight - a.pixelWidth * a.pixelHeight);
  return { sha256, width, height, faces: detected };
}

/** The coded faces of a PNG without a faces chunk (a crop); null when it holds none the fake knows. */
function codedFaces(
  bytes: Uint8Array,
  header: ImageHeader,
  codes: Map<string, DeclaredFace>,
): { face: DeclaredFace; box: Box; key: string }[] | null {
  if (header.format !== 'png' || codes.size === 0) return null;
  const pixels = pngGrey(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (!pixels) return null;
  const found = findCodedRegions(pixels.width, pixels.height, pixels.grey).flatMap((r) => {
    const face = codes.get(r.code);
    if (!face) return [];
    const box = { left: r.x / pixels.width, top: r.y / pixels.height, width: r.w / pixels.width, height: r.h / pixels.height };
    return [{ face, box, key: `code:${r.code}` }];
  });
  return found.length > 0 ? found : null;
}

function parseEmbeddedFaces(json: string): DeclaredFace[] {
  try {
    const parsed = JSON.parse(json) as unknown;
    if (Array.isArray(parsed)) return parsed.map(checkDeclaredFace);
  } catch {
    // fall through
  }
  // A broken declaration is the test's bug, not an image error: be loud.
  throw new Error(`fake rekognition: expected a JSON array of faces in the PNG "${FACES_KEYWORD}" text chunk, got ${json.slice(0, 80)}`);
}

/** Checks a declared face (from a test or an embedded chunk). */
export function checkDeclaredFace(value: unknown): DeclaredFace {
  const face = value as DeclaredFace;
  if (typeof face !== 'object' || face === null || typeof face.identity !== 'string' || face.identity.length === 0) {
    throw new Error(`fake rekognition: expected a face { identity: string, box?, confidence? }, got ${JSON.stringify(value)}`);
  }
  if (face.box) {
    const { left, top, width, height } = face.box;
    const ok = [left, top, width, height].every((n) => typeof n === 'number' && n >= 0 && n <= 1) && width > 0 && height > 0;
    if (!ok) throw new Error(`fake rekognition: expected box ratios in 0..1, got ${JSON.stringify(face.box)}`);
  }
  return face;
}

/** A test's declaration for one image. */
export interface ImageDeclaration {
  faces: DeclaredFace[];
  /** Overrides the pixel size read from the header (e.g. to make ImageTooLargeException cheaply). */
  width?: number;
  height?: number;
}

// ---- a small, valid PNG for tests ------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const idatCache = new Map<string, Buffer>();

/** Compressed all-black 8-bit greyscale scanlines (cached: a 1000×1000 image deflates to ~1 KB). */
function blackIdat(width: number, height: number): Buffer {
  const key = `${width}x${height}`;
  let idat = idatCache.get(key);
  if (!idat) {
    idat = deflateSync(Buffer.alloc((width + 1) * height));
    idatCache.set(key, idat);
  }
  return idat;
}

/** Scanlines with each face's box painted with its code (face-codes.ts), so crops of the image still show the faces. */
function codedIdat(width: number, height: number, faces: readonly DeclaredFace[], label: string | undefined): Buffer {
  const raster = Buffer.alloc(width * height);
  faces.forEach((face, i) => {
    const b = face.box ?? DEFAULT_BOX;
    const x = Math.min(width - 1, Math.round(b.left * width));
    const y = Math.min(height - 1, Math.round(b.top * height));
    const w = Math.max(1, Math.min(width - x, Math.round(b.width * width)));
    const h = Math.max(1, Math.min(height - y, Math.round(b.height * height)));
    paintCode(raster, width, { x, y, w, h }, faceCode(label, i, face));
  });
  const lines = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) raster.copy(lines, y * (width + 1) + 1, y * width, (y + 1) * width);
  return deflateSync(lines);
}

/** Options for {@link fakePng}. */
export interface FakePngOptions {
  /** Makes the bytes unique (tEXt `facegate:label`), so two images with the same faces differ. */
  label?: string;
  /** Faces embedded in the image itself (tEXt `facegate:faces`); absent → the fake's default single face. */
  faces?: DeclaredFace[];
  /** @default 1000 */
  width?: number;
  /** @default 1000 */
  height?: number;
}

/**
 * A valid greyscale PNG (decodable by any PNG reader) that the fake
 * detects as `faces`. Non-ASCII in the JSON is \u-escaped (tEXt is Latin-1).
 */
export function fakePng(options: FakePngOptions = {}): Uint8Array {
  const width = options.width ?? 1000;
  const height = options.height ?? 1000;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const text = (keyword: string, value: string) =>
    chunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(value, 'latin1')]));
  const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const parts = [PNG_SIGNATURE, chunk('IHDR', ihdr)];
  if (options.label !== undefined) parts.push(text('facegate:label', ascii(options.label)));
  if (options.faces !== undefined) {
    options.faces.forEach(checkDeclaredFace);
    parts.push(text(FACES_KEYWORD, ascii(JSON.stringify(options.faces))));
  }
  const faces = options.faces ?? [];
  const idat =
    faces.length === 0
      ? blackIdat(width, height)
      : codedIdat(width, height, faces, options.label === undefined ? undefined : ascii(options.label));
  parts.push(chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0)));
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * Deterministic similarity (0..100) of two detected faces: 99.00–99.99
 * for the same identity, 0–49.99 for different ones, derived from the pair
 * so it is stable across runs and symmetric.
 */
export function similarity(a: { identity: string; key: string }, b: { identity: string; key: string }): number {
  const [x, y] = [a.key, b.key].sort();
  const h = createHash('sha256')
    .update(`${a.identity === b.identity ? 'same' : [a.identity, b.identity].sort().join('\0')}\0${x}\0${y}`)
    .digest();
  const n = h.readUInt32BE(0);
  return a.identity === b.identity ? 99 + (n % 100) / 100 : (n % 5000) / 100;
}
