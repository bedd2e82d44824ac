/**
 * What the fake's detect answers for `returnFaceAttributes` and
 * `returnFaceLandmarks`, and which attributes each detection model accepts
 * (Azure AI Face v1.2):
 *
 * - The v1.2 attribute enum (Face.json `FaceAttributeType`): headPose,
 *   glasses, occlusion, accessories, blur, exposure, noise, mask,
 *   qualityForRecognition, age, smile, facialHair, hair. Anything else —
 *   the retired emotion and gender, and makeup — is 400 BadArgument
 *   "Invalid argument returnFaceAttributes." (reference-face-error-codes.md,
 *   "Face Detection error codes").
 * - detection_02: no attributes and no landmarks (error-codes doc:
 *   "'returnFaceAttributes' is not supported by detection_02.",
 *   "'returnLandmarks' is not supported by detection_02.").
 * - detection_03: only headPose, mask, blur and qualityForRecognition
 *   (SDK `FaceAttributeType.Detection03` + qualityForRecognition). Anything
 *   else is 400 BadArgument "Only face attributes
 *   'headpose,mask,qualityforrecognition' are supported by detection_03."
 *   — the wording the service answered in MicrosoftDocs/azure-docs#119106
 *   (2024-01), before blur was added; the fake lists blur too.
 * - detection_01: everything but mask (SDK `FaceAttributeType.Detection01`;
 *   "'mask' is not supported by detection_01." is the fake's wording).
 * - qualityForRecognition needs recognition_03 or recognition_04 (fake's
 *   wording).
 * - age, smile, facialHair and hair are Limited Access ("The limited
 *   capabilities are age, smile, facial hair, hair and makeup", Detect
 *   reference): without that approval the fake answers 403
 *   UnsupportedFeature like the identification gate (the service's exact
 *   answer is undocumented: the fake's choice).
 */
import { LANDMARK_NAMES, type DeclaredAttributes, type DetectedFace, type LandmarkName, type Rect } from './images.js';
import { AzureError, badArgument, type Json } from './validation.js';

/** The v1.2 `returnFaceAttributes` values. */
export const FACE_ATTRIBUTES = [
  'headPose',
  'glasses',
  'occlusion',
  'accessories',
  'blur',
  'exposure',
  'noise',
  'mask',
  'qualityForRecognition',
  'age',
  'smile',
  'facialHair',
  'hair',
] as const;

const DETECTION_03 = ['headPose', 'mask', 'blur', 'qualityForRecognition'];
/** Limited Access attributes (approval needed). */
const LIMITED = ['age', 'smile', 'facialHair', 'hair'];

/** The parsed `returnFaceAttributes` of a detect, checked against the detection and recognition models. */
export function checkDetectAttributes(
  raw: string | null,
  options: { detectionModel: string; recognitionModel: string; landmarks: boolean; limitedAttributes: boolean },
): string[] {
  const attributes = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const a of attributes) {
    if (!(FACE_ATTRIBUTES as readonly string[]).includes(a)) throw badArgument('Invalid argument returnFaceAttributes.');
  }
  const { detectionModel, recognitionModel } = options;
  if (detectionModel === 'detection_02') {
    if (attributes.length > 0) throw badArgument("'returnFaceAttributes' is not supported by detection_02.");
    if (options.landmarks) throw badArgument("'returnLandmarks' is not supported by detection_02.");
  }
  if (detectionModel === 'detection_03' && attributes.some((a) => !DETECTION_03.includes(a))) {
    throw badArgument("Only face attributes 'headpose,mask,blur,qualityforrecognition' are supported by detection_03.");
  }
  if (detectionModel === 'detection_01' && attributes.includes('mask')) throw badArgument("'mask' is not supported by detection_01.");
  if (attributes.includes('qualityForRecognition') && !['recognition_03', 'recognition_04'].includes(recognitionModel)) {
    throw badArgument("'qualityForRecognition' requires recognitionModel recognition_03 or recognition_04.");
  }
  const limited = attributes.filter((a) => LIMITED.includes(a));
  if (limited.length > 0 && !options.limitedAttributes) {
    throw new AzureError(
      403,
      'UnsupportedFeature',
      `Feature is not supported, missing approval for one or more of the following features: ${limited.join(',')}. Please apply for access at https://aka.ms/facerecognition`,
    );
  }
  return attributes;
}

/** Where an undeclared landmark sits, as a fraction of the face rectangle. */
const DEFAULT_LANDMARKS: Record<LandmarkName, [number, number]> = {
  pupilLeft: [0.3, 0.4],
  pupilRight: [0.7, 0.4],
  noseTip: [0.5, 0.6],
  mouthLeft: [0.35, 0.8],
  mouthRight: [0.65, 0.8],
  eyebrowLeftOuter: [0.15, 0.3],
  eyebrowLeftInner: [0.4, 0.3],
  eyeLeftOuter: [0.2, 0.4],
  eyeLeftTop: [0.3, 0.37],
  eyeLeftBottom: [0.3, 0.43],
  eyeLeftInner: [0.4, 0.4],
  eyebrowRightInner: [0.6, 0.3],
  eyebrowRightOuter: [0.85, 0.3],
  eyeRightInner: [0.6, 0.4],
  eyeRightTop: [0.7, 0.37],
  eyeRightBottom: [0.7, 0.43],
  eyeRightOuter: [0.8, 0.4],
  noseRootLeft: [0.45, 0.42],
  noseRootRight: [0.55, 0.42],
  noseLeftAlarTop: [0.43, 0.55],
  noseRightAlarTop: [0.57, 0.55],
  noseLeftAlarOutTip: [0.4, 0.6],
  noseRightAlarOutTip: [0.6, 0.6],
  upperLipTop: [0.5, 0.75],
  upperLipBottom: [0.5, 0.78],
  underLipTop: [0.5, 0.82],
  underLipBottom: [0.5, 0.86],
};

/** The 27 landmarks of a face, in pixels: declared ones (image ratios) scaled, the rest at fixed places of the rectangle. */
export function landmarksOf(face: DetectedFace, image: { width: number; height: number }): Json {
  const r: Rect = face.rect;
  const declared = face.declared.landmarks ?? {};
  const out: Json = {};
  for (const name of LANDMARK_NAMES) {
    const d = declared[name];
    const [fx, fy] = DEFAULT_LANDMARKS[name];
    out[name] = d ? { x: d.x * image.width, y: d.y * image.height } : { x: r.left + r.width * fx, y: r.top + r.height * fy };
  }
  return out;
}

/** The asked-for attributes of a face: declared values, else neutral ones. */
export function attributesOf(names: readonly string[], face: DetectedFace): Json {
  const d: DeclaredAttributes = face.declared;
  const all: Json = {
    headPose: d.headPose ?? { pitch: 0, roll: 0, yaw: 0 },
    glasses: d.glasses ?? 'noGlasses',
    occlusion: d.occlusion ?? { foreheadOccluded: false, eyeOccluded: false, mouthOccluded: false },
    accessories: [],
    blur: d.blur ?? { blurLevel: 'low', value: 0.05 },
    exposure: d.exposure ?? { exposureLevel: 'goodExposure', value: 0.5 },
    noise: d.noise ?? { noiseLevel: 'low', value: 0.05 },
    mask: d.mask ?? { type: 'noMask', noseAndMouthCovered: false },
    qualityForRecognition: face.quality,
    age: 30,
    smile: 0,
    facialHair: { moustache: 0, beard: 0, sideburns: 0 },
    hair: { bald: 0, invisible: false, hairColor: [] },
  };
  return Object.fromEntries(names.map((n) => [n, all[n]]));
}
