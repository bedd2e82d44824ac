/**
 * How the fake Azure Face "sees" faces. There is no ML here: detection is a
 * pure function of the image bytes, exactly as in the fake Rekognition
 * (whose image helpers are reused, so one self-describing test image means
 * the same people on both fakes):
 *
 * 1. a declaration registered by the test for exactly these bytes
 *    (`fake.declareImage(bytes, faces)`);
 * 2. a PNG `tEXt` chunk `facegate:faces` holding the same JSON (what
 *    {@link fakePng} writes with `faces`);
 * 3. otherwise exactly one centred face, half the image wide, whose identity
 *    is the sha256 of the bytes.
 *
 * Azure-specific rules on top (providers.md §B.0/§B.1):
 * - JPEG, PNG, GIF and BMP are accepted; anything else is 400 InvalidImage
 *   "Decoding error, image format unsupported.".
 * - 1 KB .. 6 MB, else 400 InvalidImageSize.
 * - Faces under 36×36 px are not detected (the documented minimum).
 * - Faces come largest first, at most 100.
 * - `qualityForRecognition`: a declared `quality`, else `low` for a face the
 *   Rekognition fake would refuse (confidence < 50 or any quality issue),
 *   else `high`.
 * - The other attributes and the 27 landmarks are what the test declared
 *   ({@link DeclaredAttributes}), else neutral values (./attributes.ts).
 */
import {
  checkDeclaredFace as checkRekognitionFace,
  fakePng as rekognitionPng,
  readImageHeader,
  sha256Hex,
  similarity,
  type Box,
  type DeclaredFace as RekognitionFace,
  type FakePngOptions as RekognitionPngOptions,
} from '../rekognition/images.js';

export { sha256Hex, similarity, type Box };

/** Azure's qualityForRecognition values. */
export type Quality = 'low' | 'medium' | 'high';

/** Azure's level words for blur and noise. */
export type Level = 'low' | 'medium' | 'high';

/** The 27 landmark names detect returns (Face.json `FaceLandmarks`). */
export const LANDMARK_NAMES = [
  'pupilLeft',
  'pupilRight',
  'noseTip',
  'mouthLeft',
  'mouthRight',
  'eyebrowLeftOuter',
  'eyebrowLeftInner',
  'eyeLeftOuter',
  'eyeLeftTop',
  'eyeLeftBottom',
  'eyeLeftInner',
  'eyebrowRightInner',
  'eyebrowRightOuter',
  'eyeRightInner',
  'eyeRightTop',
  'eyeRightBottom',
  'eyeRightOuter',
  'noseRootLeft',
  'noseRootRight',
  'noseLeftAlarTop',
  'noseRightAlarTop',
  'noseLeftAlarOutTip',
  'noseRightAlarOutTip',
  'upperLipTop',
  'upperLipBottom',
  'underLipTop',
  'underLipBottom',
] as const;
export type LandmarkName = (typeof LANDMARK_NAMES)[number];

/** What detect reports of a face besides its rectangle; each one undeclared gets a neutral value. */
export interface DeclaredAttributes {
  /** Landmarks as ratios of the *image* (like `box`); the ones not declared sit at fixed places of the face box. */
  landmarks?: Partial<Record<LandmarkName, { x: number; y: number }>>;
  /** Degrees. @default 0, 0, 0 */
  headPose?: { pitch: number; roll: number; yaw: number };
  /** value 0..1, the larger the blurrier. @default low 0.05 */
  blur?: { blurLevel: Level; value: number };
  /** value 0..1: under 0.25 under-exposed, above 0.75 over-exposed. @default goodExposure 0.5 */
  exposure?: { exposureLevel: 'underExposure' | 'goodExposure' | 'overExposure'; value: number };
  /** value 0..1, the larger the noisier. @default low 0.05 */
  noise?: { noiseLevel: Level; value: number };
  /** detection_03 only. @default noMask, not covered */
  mask?: { type: 'noMask' | 'faceMask' | 'otherMaskOrOcclusion' | 'uncertain'; noseAndMouthCovered: boolean };
  /** detection_01 only. @default noGlasses */
  glasses?: 'noGlasses' | 'readingGlasses' | 'sunglasses' | 'swimmingGoggles';
  /** detection_01 only. @default nothing occluded */
  occlusion?: { foreheadOccluded: boolean; eyeOccluded: boolean; mouthOccluded: boolean };
}

/** One face a test declares in an image. */
/** Azure's own landmarks (27, by name) replace the Rekognition fake's five. */
export interface DeclaredFace extends Omit<RekognitionFace, 'landmarks'>, DeclaredAttributes {
  /** What detect reports as qualityForRecognition. */
  quality?: Quality;
}

/** Pixel rectangle, as Azure's faceRectangle / targetFace. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A face as the fake detected it in one image. */
export interface DetectedFace {
  identity: string;
  rect: Rect;
  quality: Quality;
  /** What the test declared of its attributes and landmarks. */
  declared: DeclaredAttributes;
  /** Stable per image and position: `<sha256>:<index>` (the input of {@link similarity}). */
  key: string;
}

export interface Detection {
  sha256: string;
  width: number;
  height: number;
  /** Largest first, at most 100. */
  faces: DetectedFace[];
}

/** A test's declaration for one image. */
export interface ImageDeclaration {
  faces: DeclaredFace[];
  /** Overrides the pixel size read from the header. */
  width?: number;
  height?: number;
}

/** Why an image was refused; the service turns it into a 400 with this code. */
export class ImageRefused extends Error {
  constructor(
    readonly code: 'InvalidImage' | 'InvalidImageSize',
    message: string,
  ) {
    super(message);
  }
}

export const MIN_IMAGE_BYTES = 1024;
export const MAX_IMAGE_BYTES = 6 * 1024 * 1024;
/** Smallest detectable face side in pixels. */
export const MIN_DETECTABLE_PIXELS = 36;
const MAX_FACES = 100;
const DEFAULT_BOX: Box = { left: 0.25, top: 0.25, width: 0.5, height: 0.5 };
const FACES_KEYWORD = 'facegate:faces';

interface Header {
  width: number;
  height: number;
  embedded: string | undefined;
}

function readHeader(bytes: Uint8Array): Header {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const unsupported = () => new ImageRefused('InvalidImage', 'Decoding error, image format unsupported.');
  // GIF87a / GIF89a: logical screen size, little-endian.
  if (buf.length >= 10 && buf.toString('latin1', 0, 6).match(/^GIF8[79]a$/)) {
    const width = buf.readUInt16LE(6);
    const height = buf.readUInt16LE(8);
    if (width === 0 || height === 0) throw unsupported();
    return { width, height, embedded: undefined };
  }
  // BMP: BITMAPINFOHEADER (or later) width/height at 18/22; height may be negative (top-down).
  if (buf.length >= 26 && buf[0] === 0x42 && buf[1] === 0x4d) {
    const width = buf.readInt32LE(18);
    const height = Math.abs(buf.readInt32LE(22));
    if (width <= 0 || height === 0) throw unsupported();
    return { width, height, embedded: undefined };
  }
  try {
    const header = readImageHeader(bytes);
    return { width: header.width, height: header.height, embedded: header.text.get(FACES_KEYWORD) };
  } catch {
    throw unsupported();
  }
}

/** Detects the faces of an image; `declared` is the test's declaration for these bytes. */
export function detectFaces(bytes: Uint8Array, declared: ImageDeclaration | undefined): Detection {
  if (bytes.byteLength < MIN_IMAGE_BYTES) throw new ImageRefused('InvalidImageSize', 'Image size is too small.');
  if (bytes.byteLength > MAX_IMAGE_BYTES) throw new ImageRefused('InvalidImageSize', 'Image size is too big.');
  const header = readHeader(bytes);
  const sha256 = sha256Hex(bytes);
  const width = declared?.width ?? header.width;
  const height = declared?.height ?? header.height;
  let faces: DeclaredFace[];
  if (declared) faces = declared.faces;
  else if (header.embedded !== undefined) faces = parseEmbedded(header.embedded);
  else faces = [{ identity: sha256 }];
  const detected = faces
    .map((face, index): DetectedFace => {
      const box = face.box ?? DEFAULT_BOX;
      const rect = {
        left: Math.round(box.left * width),
        top: Math.round(box.top * height),
        width: Math.round(box.width * width),
        height: Math.round(box.height * height),
      };
      return { identity: face.identity, rect, quality: qualityOf(face), declared: face, key: `${sha256}:${index}` };
    })
    .filter((f) => f.rect.width >= MIN_DETECTABLE_PIXELS && f.rect.height >= MIN_DETECTABLE_PIXELS);
  detected.sort((a, b) => b.rect.width * b.rect.height - a.rect.width * a.rect.height);
  return { sha256, width, height, faces: detected.slice(0, MAX_FACES) };
}

function qualityOf(face: DeclaredFace): Quality {
  if (face.quality) return face.quality;
  if ((face.confidence ?? 99.9) < 50 || (face.qualityIssues?.length ?? 0) > 0) return 'low';
  return 'high';
}

function parseEmbedded(json: string): DeclaredFace[] {
  try {
    const parsed = JSON.parse(json) as unknown;
    if (Array.isArray(parsed)) return parsed.map(checkDeclaredFace);
  } catch {
    // fall through
  }
  throw new Error(`fake azure face: expected a JSON array of faces in the PNG "${FACES_KEYWORD}" text chunk, got ${json.slice(0, 80)}`);
}

/** Checks a declared face (from a test or an embedded chunk). */
export function checkDeclaredFace(value: unknown): DeclaredFace {
  const face = checkRekognitionFace(value) as DeclaredFace;
  if (face.quality !== undefined && !['low', 'medium', 'high'].includes(face.quality)) {
    throw new Error(`fake azure face: expected quality low, medium or high, got ${JSON.stringify(face.quality)}`);
  }
  for (const name of Object.keys(face.landmarks ?? {})) {
    if (!(LANDMARK_NAMES as readonly string[]).includes(name)) {
      throw new Error(`fake azure face: expected a landmark name of Azure's 27, got ${JSON.stringify(name)}`);
    }
  }
  for (const [what, v] of [
    ['blur', face.blur?.value],
    ['exposure', face.exposure?.value],
    ['noise', face.noise?.value],
  ] as const) {
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new Error(`fake azure face: expected ${what}.value in 0..1, got ${v}`);
  }
  return face;
}

/** Intersection over union of two rectangles (0..1). */
export function iou(a: Rect, b: Rect): number {
  const x = Math.max(0, Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left));
  const y = Math.max(0, Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top));
  const inter = x * y;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Options for {@link fakePng}: the Rekognition fake's, with Azure's declared faces. */
export type FakePngOptions = Omit<RekognitionPngOptions, 'faces'> & {
  /** Faces embedded in the image itself; absent → the default single face. */
  faces?: DeclaredFace[];
};

/**
 * A valid greyscale PNG the fake (and the fake Rekognition) detect as
 * `faces`, padded to at least 1 KB so Azure's minimum image size holds.
 */
export function fakePng(options: FakePngOptions = {}): Uint8Array {
  options.faces?.forEach(checkDeclaredFace);
  // The faces travel as JSON in the PNG: Azure's named landmarks stay as declared (the Rekognition fake reads only its own five).
  const asRekognition = options as RekognitionPngOptions;
  const first = rekognitionPng(asRekognition);
  if (first.byteLength >= MIN_IMAGE_BYTES) return first;
  const pad = ' '.repeat(MIN_IMAGE_BYTES - first.byteLength + 1);
  return rekognitionPng({ ...asRekognition, label: `${options.label ?? ''}${pad}` });
}
