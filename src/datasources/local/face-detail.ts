/**
 * The local engine's view of a face as the contract's FaceDetailRecord, the
 * attributes this instance can fill, and its quality rules.
 *
 * Landmarks, pose and the brightness/sharpness measures come from the
 * engine (engine/types.ts); what an engine does not give is null, never
 * guessed. Attributes map from face-api's shipped nets:
 * - AGE_RANGE: the age net's estimate ± {@link AGE_BAND} years (face-api's
 *   age net is off by about that much on average; Rekognition answers a
 *   range too);
 * - GENDER: the gender net's label and probability × 100;
 * - EMOTIONS: the seven expressions, highest first, probability × 100;
 *   neutral is CALM, fearful FEAR, the others by name;
 * - LIVENESS: a liveness model's probability × 100, when shipped.
 * Smile, glasses, eyes/mouth open, beard, moustache and occlusion have no
 * net: null and not advertised.
 *
 * forRecognition is the lowest of four grades, each LOW, MEDIUM or HIGH
 * (see {@link gradeFace}): the face's size in pixels, the detector's
 * confidence, the pose, and brightness and sharpness. A face whose
 * brightness and sharpness the engine did not measure has no quality
 * (null): passesQualityFilter then keeps it for NONE, AUTO and LOW.
 */
import {
  attributeCapability,
  type EmotionTypeName,
  type FaceAttributeName,
  type FaceDetailRecord,
  type FaceQualityRecord,
  type LandmarkTypeName,
  type QualityFilterName,
  type RecognitionQualityName,
  LANDMARK_TYPES,
  RECOGNITION_QUALITIES,
} from '../../domain/face-details.js';
import type { DetectedFace, EngineAttribute, FaceAttributes } from '../../engine/types.js';
import type { UnindexedReason } from '../provider.js';

/** Half-width of the age range around the age net's estimate, years. */
export const AGE_BAND = 5;

/** The engine network behind each attribute the local provider can fill. */
const ENGINE_ATTRIBUTE_OF: Partial<Record<FaceAttributeName, EngineAttribute>> = {
  AGE_RANGE: 'age',
  GENDER: 'gender',
  EMOTIONS: 'expressions',
  LIVENESS: 'liveness',
};

/** The FACE_ATTRIBUTE_* capabilities an engine with these networks fills. */
export function attributeCapabilities(engineAttributes: ReadonlySet<EngineAttribute> | undefined): `FACE_ATTRIBUTE_${FaceAttributeName}`[] {
  return (Object.entries(ENGINE_ATTRIBUTE_OF) as [FaceAttributeName, EngineAttribute][])
    .filter(([, net]) => engineAttributes?.has(net))
    .map(([name]) => attributeCapability(name));
}

/** The engine networks to run for `attributes` (those the provider advertises; others are refused before this). */
export function engineAttributesFor(attributes: ReadonlySet<FaceAttributeName> | undefined): Set<EngineAttribute> {
  const nets = new Set<EngineAttribute>();
  for (const a of attributes ?? []) {
    const net = ENGINE_ATTRIBUTE_OF[a];
    if (net) nets.add(net);
  }
  return nets;
}

const EMOTION_OF: Record<keyof NonNullable<FaceAttributes['expressions']>, EmotionTypeName> = {
  neutral: 'CALM',
  happy: 'HAPPY',
  sad: 'SAD',
  angry: 'ANGRY',
  fearful: 'FEAR',
  disgusted: 'DISGUSTED',
  surprised: 'SURPRISED',
};

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Face-api's seven expressions as Rekognition emotions, highest confidence first. */
export function emotionsOf(expressions: NonNullable<FaceAttributes['expressions']>): { type: EmotionTypeName; confidence: number }[] {
  return (Object.entries(expressions) as [keyof typeof EMOTION_OF, number][])
    .map(([name, p]) => ({ type: EMOTION_OF[name], confidence: round1(p * 100) }))
    .sort((a, b) => b.confidence - a.confidence);
}

// ---- quality --------------------------------------------------------------

/**
 * Grade bounds: a face is HIGH on a measure at or past the HIGH bound,
 * MEDIUM at or past the MEDIUM one, else LOW. Sizes are the box's shorter
 * side in pixels (MEDIUM ~ Azure's advice of 100 px for recognition, halved
 * for tight crops; under 40 px the face is not used at all,
 * SMALL_BOUNDING_BOX); confidence is the detector's 0..100; pose is the
 * larger of |yaw| and |pitch|, degrees; brightness and sharpness 0..100
 * (brightness also bounded above: an overexposed face is as bad).
 */
const GRADES = {
  size: { HIGH: 100, MEDIUM: 50 },
  confidence: { HIGH: 80, MEDIUM: 55 },
  /** At most this many degrees. */
  pose: { HIGH: 25, MEDIUM: 45 },
  brightness: { HIGH: [25, 90], MEDIUM: [10, 97] },
  sharpness: { HIGH: 40, MEDIUM: 10 },
} as const;

/** Which unindexed reason a measure below the bar gives. */
const REASON_OF = {
  size: 'LOW_FACE_QUALITY',
  confidence: 'LOW_CONFIDENCE',
  pose: 'EXTREME_POSE',
  brightness: 'LOW_BRIGHTNESS',
  sharpness: 'LOW_SHARPNESS',
} as const satisfies Record<keyof typeof GRADES, UnindexedReason>;

const grade = (high: boolean, medium: boolean): RecognitionQualityName => (high ? 'HIGH' : medium ? 'MEDIUM' : 'LOW');
const within = (x: number, [lo, hi]: readonly [number, number]) => x >= lo && x <= hi;

/** Each measured aspect of a face with its grade; aspects the engine did not measure are left out. */
export function gradeFace(face: DetectedFace): Partial<Record<keyof typeof GRADES, RecognitionQualityName>> {
  const side = Math.min(face.pixelWidth, face.pixelHeight);
  const grades: Partial<Record<keyof typeof GRADES, RecognitionQualityName>> = {
    size: grade(side >= GRADES.size.HIGH, side >= GRADES.size.MEDIUM),
    confidence: grade(face.confidence >= GRADES.confidence.HIGH, face.confidence >= GRADES.confidence.MEDIUM),
  };
  if (face.pose) {
    const angle = Math.max(Math.abs(face.pose.yaw), Math.abs(face.pose.pitch));
    grades.pose = grade(angle <= GRADES.pose.HIGH, angle <= GRADES.pose.MEDIUM);
  }
  if (face.quality) {
    const { brightness, sharpness } = face.quality;
    grades.brightness = grade(within(brightness, GRADES.brightness.HIGH), within(brightness, GRADES.brightness.MEDIUM));
    grades.sharpness = grade(sharpness >= GRADES.sharpness.HIGH, sharpness >= GRADES.sharpness.MEDIUM);
  }
  return grades;
}

const rank = (q: RecognitionQualityName): number => RECOGNITION_QUALITIES.indexOf(q);

/** The face's quality: the engine's measures and forRecognition, the lowest grade; null when the engine measured nothing. */
export function qualityOf(face: DetectedFace): FaceQualityRecord | null {
  if (!face.quality) return null;
  const grades = Object.values(gradeFace(face));
  const forRecognition = grades.reduce((low, g) => (rank(g) < rank(low) ? g : low), 'HIGH' as RecognitionQualityName);
  return { brightness: round1(face.quality.brightness), sharpness: round1(face.quality.sharpness), forRecognition };
}

/**
 * Why a face does not pass `filter` (Rekognition's reasons: each measure
 * below the bar), or [] when it passes. A face without a quality passes
 * NONE, AUTO and LOW and fails MEDIUM and HIGH with LOW_FACE_QUALITY.
 */
export function qualityShortfalls(face: DetectedFace, filter: QualityFilterName): UnindexedReason[] {
  if (filter === 'NONE') return [];
  const bar: RecognitionQualityName = filter === 'AUTO' ? 'MEDIUM' : filter;
  if (!face.quality) return filter === 'AUTO' || filter === 'LOW' ? [] : ['LOW_FACE_QUALITY'];
  const reasons = new Set<UnindexedReason>();
  for (const [aspect, g] of Object.entries(gradeFace(face)) as [keyof typeof GRADES, RecognitionQualityName][]) {
    if (rank(g) < rank(bar)) reasons.add(REASON_OF[aspect]);
  }
  return [...reasons];
}

// ---- the record -------------------------------------------------------------

/** The record of a detected face with the attributes asked for (those the engine did not give stay null). */
export function toFaceDetail(face: DetectedFace, attributes: ReadonlySet<FaceAttributeName> = new Set()): FaceDetailRecord {
  const a = face.attributes;
  const detail: FaceDetailRecord = {
    boundingBox: { ...face.boundingBox },
    confidence: face.confidence,
    landmarks:
      face.landmarks?.length === LANDMARK_TYPES.length
        ? face.landmarks.map((p, i) => ({ type: LANDMARK_TYPES[i] as LandmarkTypeName, x: p.x, y: p.y }))
        : null,
    pose: face.pose ? { roll: round1(face.pose.roll), yaw: round1(face.pose.yaw), pitch: round1(face.pose.pitch) } : null,
    quality: qualityOf(face),
  };
  if (attributes.has('AGE_RANGE')) {
    detail.ageRange = a?.age === undefined ? null : { low: Math.max(0, Math.floor(a.age - AGE_BAND)), high: Math.ceil(a.age + AGE_BAND) };
  }
  if (attributes.has('GENDER')) {
    detail.gender = a?.gender
      ? { value: a.gender.value === 'male' ? 'MALE' : 'FEMALE', confidence: round1(a.gender.probability * 100) }
      : null;
  }
  if (attributes.has('EMOTIONS')) detail.emotions = a?.expressions ? emotionsOf(a.expressions) : null;
  if (attributes.has('LIVENESS')) {
    detail.liveness = a?.liveness === undefined ? null : { score: round1(a.liveness * 100), isLive: a.liveness >= 0.5 };
  }
  return detail;
}
