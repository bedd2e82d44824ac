/**
 * What a provider can tell about a face it found in an image (Rekognition's
 * FaceDetail): where it is, how sure the detector is, and the attributes a
 * caller asked for and the provider can give. Every provider fills the
 * DEFAULT set (box, confidence, landmarks, pose, quality) as far as it can;
 * the other attributes only when asked for and advertised as a
 * `FACE_ATTRIBUTE_<NAME>` capability. What a provider cannot give is null,
 * never guessed.
 */
import type { BoundingBox } from '../engine/types.js';

/** Attributes a caller may ask for besides the DEFAULT set (the contract's FaceAttribute without DEFAULT and ALL). */
export const FACE_ATTRIBUTES = [
  'AGE_RANGE',
  'GENDER',
  'EMOTIONS',
  'SMILE',
  'EYEGLASSES',
  'SUNGLASSES',
  'EYES_OPEN',
  'MOUTH_OPEN',
  'BEARD',
  'MUSTACHE',
  'FACE_OCCLUDED',
  /** A passive liveness hint (local engine only): not a certified presentation-attack check. */
  'LIVENESS',
] as const;

export type FaceAttributeName = (typeof FACE_ATTRIBUTES)[number];

/** The capability that says a provider fills `attribute`. */
export const attributeCapability = <A extends FaceAttributeName>(attribute: A): `FACE_ATTRIBUTE_${A}` => `FACE_ATTRIBUTE_${attribute}`;

/** Rekognition's QualityFilter: faces below the bar are not used. NONE keeps every face. */
export const QUALITY_FILTERS = ['NONE', 'AUTO', 'LOW', 'MEDIUM', 'HIGH'] as const;
export type QualityFilterName = (typeof QUALITY_FILTERS)[number];

export const LANDMARK_TYPES = ['EYE_LEFT', 'EYE_RIGHT', 'NOSE', 'MOUTH_LEFT', 'MOUTH_RIGHT'] as const;
export type LandmarkTypeName = (typeof LANDMARK_TYPES)[number];

/** Rekognition's emotion types; a neutral expression is CALM. */
export const EMOTION_TYPES = ['HAPPY', 'SAD', 'ANGRY', 'CONFUSED', 'DISGUSTED', 'SURPRISED', 'CALM', 'FEAR', 'UNKNOWN'] as const;
export type EmotionTypeName = (typeof EMOTION_TYPES)[number];

export const RECOGNITION_QUALITIES = ['LOW', 'MEDIUM', 'HIGH'] as const;
export type RecognitionQualityName = (typeof RECOGNITION_QUALITIES)[number];

/** x, y: ratios of the image's width and height, 0..1 (may stray slightly outside for a face cut by the edge). */
export interface LandmarkRecord {
  type: LandmarkTypeName;
  x: number;
  y: number;
}

/** Degrees. */
export interface PoseRecord {
  roll: number;
  yaw: number;
  pitch: number;
}

export interface FaceQualityRecord {
  /** 0..100; null when the provider cannot tell. */
  brightness: number | null;
  /** 0..100; null when the provider cannot tell. */
  sharpness: number | null;
  /** Good enough to index or search with. */
  forRecognition: RecognitionQualityName;
}

/** A yes/no attribute with its confidence 0..100. */
export interface BooleanAttributeRecord {
  value: boolean;
  confidence: number;
}

/** A face found in an image, with the attributes asked for (null: not asked for, or not given by this provider). */
export interface FaceDetailRecord {
  boundingBox: BoundingBox;
  /** Detector confidence 0..100. */
  confidence: number;
  landmarks: LandmarkRecord[] | null;
  pose: PoseRecord | null;
  quality: FaceQualityRecord | null;
  ageRange?: { low: number; high: number } | null;
  gender?: { value: 'MALE' | 'FEMALE'; confidence: number } | null;
  /** Highest confidence first. */
  emotions?: { type: EmotionTypeName; confidence: number }[] | null;
  smile?: BooleanAttributeRecord | null;
  eyeglasses?: BooleanAttributeRecord | null;
  sunglasses?: BooleanAttributeRecord | null;
  eyesOpen?: BooleanAttributeRecord | null;
  mouthOpen?: BooleanAttributeRecord | null;
  beard?: BooleanAttributeRecord | null;
  mustache?: BooleanAttributeRecord | null;
  faceOccluded?: BooleanAttributeRecord | null;
  /** Passive liveness hint: score 0..100, isLive = score ≥ 50. */
  liveness?: { score: number; isLive: boolean } | null;
}

/**
 * Whether a face of quality `quality` passes `filter`, on providers that
 * filter in the gateway (Rekognition filters itself): NONE keeps every face,
 * LOW, MEDIUM and HIGH keep faces whose forRecognition is at least that, and
 * AUTO is MEDIUM's bar (Azure advises at least medium for recognition). A
 * face whose quality is unknown passes NONE, AUTO and LOW: a stricter bar
 * needs a measure.
 */
export function passesQualityFilter(quality: FaceQualityRecord | null, filter: QualityFilterName): boolean {
  if (filter === 'NONE') return true;
  const bar: RecognitionQualityName = filter === 'AUTO' ? 'MEDIUM' : filter;
  if (quality === null) return filter === 'AUTO' || filter === 'LOW';
  return RECOGNITION_QUALITIES.indexOf(quality.forRecognition) >= RECOGNITION_QUALITIES.indexOf(bar);
}

/** The DEFAULT set of a face whose provider gives only its box and confidence: landmarks, pose and quality null. */
export const boxOnlyFaceDetail = (boundingBox: BoundingBox, confidence: number): FaceDetailRecord => ({
  boundingBox,
  confidence,
  landmarks: null,
  pose: null,
  quality: null,
});
