/**
 * Rekognition's FaceDetail (and CompareFaces' ComparedFace) ↔ the
 * contract's FaceDetailRecord, and the attributes a call asks for.
 *
 * Rekognition always returns the DEFAULT set (BoundingBox, Confidence,
 * Landmarks, Pose, Quality) and the other attributes only when asked
 * (`Attributes` / `DetectionAttributes`), so an attribute is mapped when
 * the wire carries it and null otherwise. Landmarks keep the contract's
 * five (eyeLeft, eyeRight, nose, mouthLeft, mouthRight) of Rekognition's
 * 30 types. Emotions are sorted highest confidence first (AWS promises no
 * order). Rekognition gives no liveness in FaceDetail: always null.
 */
import type { Attribute, ComparedFace, FaceDetail } from '@aws-sdk/client-rekognition';
import type { BoundingBox } from '../../engine/types.js';
import {
  EMOTION_TYPES,
  FACE_ATTRIBUTES,
  LANDMARK_TYPES,
  type BooleanAttributeRecord,
  type EmotionTypeName,
  type FaceAttributeName,
  type FaceDetailRecord,
  type LandmarkRecord,
  type LandmarkTypeName,
  type RecognitionQualityName,
} from '../../domain/face-details.js';
import { box } from './records.js';

/** The attributes Rekognition fills: every FACE_ATTRIBUTE_* except LIVENESS (its FaceDetail has none). */
export const REKOGNITION_ATTRIBUTES = FACE_ATTRIBUTES.filter((a): a is Exclude<FaceAttributeName, 'LIVENESS'> => a !== 'LIVENESS');

const WIRE_LANDMARKS: Readonly<Record<string, LandmarkTypeName>> = {
  eyeLeft: 'EYE_LEFT',
  eyeRight: 'EYE_RIGHT',
  nose: 'NOSE',
  mouthLeft: 'MOUTH_LEFT',
  mouthRight: 'MOUTH_RIGHT',
};

const EMOTIONS: ReadonlySet<string> = new Set(EMOTION_TYPES);
const ZERO_BOX: BoundingBox = { left: 0, top: 0, width: 0, height: 0 };

/** The wire `Attributes` of a call asking for `attributes` beyond DEFAULT (LIVENESS, which Rekognition lacks, is not sent). */
export function wireAttributes(attributes: ReadonlySet<FaceAttributeName> | undefined): Attribute[] {
  const named = REKOGNITION_ATTRIBUTES.filter((a) => attributes?.has(a));
  return ['DEFAULT', ...named];
}

/**
 * How usable a face is for recognition, derived by the gateway (Rekognition
 * reports no such grade): LOW below sharpness or brightness 20, above
 * brightness 95, or past 45° of yaw or pitch (what its quality filters call
 * LOW_SHARPNESS, LOW_BRIGHTNESS, EXTREME_POSE); MEDIUM below sharpness 50 or
 * past 30°; HIGH otherwise. Without a measure it is MEDIUM.
 */
export function forRecognition(
  quality: { brightness: number | null; sharpness: number | null },
  pose: { yaw: number; pitch: number } | null,
): RecognitionQualityName {
  const { brightness, sharpness } = quality;
  if (brightness === null || sharpness === null) return 'MEDIUM';
  const turn = pose ? Math.max(Math.abs(pose.yaw), Math.abs(pose.pitch)) : 0;
  if (sharpness < 20 || brightness < 20 || brightness > 95 || turn > 45) return 'LOW';
  if (sharpness < 50 || turn > 30) return 'MEDIUM';
  return 'HIGH';
}

const flag = (f: { Value?: boolean; Confidence?: number } | undefined): BooleanAttributeRecord | null =>
  f ? { value: f.Value ?? false, confidence: f.Confidence ?? 0 } : null;

function landmarks(wire: FaceDetail['Landmarks']): LandmarkRecord[] | null {
  if (!wire) return null;
  const byType = new Map<LandmarkTypeName, LandmarkRecord>();
  for (const l of wire) {
    const type = l.Type !== undefined ? WIRE_LANDMARKS[l.Type] : undefined;
    if (type && l.X !== undefined && l.Y !== undefined) byType.set(type, { type, x: l.X, y: l.Y });
  }
  return LANDMARK_TYPES.flatMap((t) => byType.get(t) ?? []);
}

/** A FaceDetail (or ComparedFace) as the contract's record; a missing box is all zeros. */
export function faceDetailRecord(d: FaceDetail | ComparedFace | undefined): FaceDetailRecord {
  const detail: FaceDetail = d ?? {};
  const pose = detail.Pose ? { roll: detail.Pose.Roll ?? 0, yaw: detail.Pose.Yaw ?? 0, pitch: detail.Pose.Pitch ?? 0 } : null;
  const measured = detail.Quality ? { brightness: detail.Quality.Brightness ?? null, sharpness: detail.Quality.Sharpness ?? null } : null;
  return {
    boundingBox: box(detail.BoundingBox) ?? ZERO_BOX,
    confidence: detail.Confidence ?? 0,
    landmarks: landmarks(detail.Landmarks),
    pose,
    quality: measured ? { ...measured, forRecognition: forRecognition(measured, pose) } : null,
    ageRange: detail.AgeRange ? { low: detail.AgeRange.Low ?? 0, high: detail.AgeRange.High ?? 0 } : null,
    gender:
      detail.Gender?.Value !== undefined
        ? { value: detail.Gender.Value === 'Male' ? 'MALE' : 'FEMALE', confidence: detail.Gender.Confidence ?? 0 }
        : null,
    emotions: detail.Emotions
      ? detail.Emotions.map((e) => ({
          type: (e.Type !== undefined && EMOTIONS.has(e.Type) ? e.Type : 'UNKNOWN') as EmotionTypeName,
          confidence: e.Confidence ?? 0,
        })).sort((a, b) => b.confidence - a.confidence)
      : null,
    smile: flag(detail.Smile),
    eyeglasses: flag(detail.Eyeglasses),
    sunglasses: flag(detail.Sunglasses),
    eyesOpen: flag(detail.EyesOpen),
    mouthOpen: flag(detail.MouthOpen),
    beard: flag(detail.Beard),
    mustache: flag(detail.Mustache),
    faceOccluded: flag(detail.FaceOccluded),
    liveness: null,
  };
}

/** Largest bounding box first (Rekognition orders DetectFaces' answer by nothing it documents). */
export const byAreaDescending = (a: FaceDetailRecord, b: FaceDetailRecord): number =>
  b.boundingBox.width * b.boundingBox.height - a.boundingBox.width * a.boundingBox.height;
