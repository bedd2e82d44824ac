/**
 * What Azure's detect says of a face, as the contract's FaceDetailRecord,
 * and which Azure attributes that takes for the instance's detection model.
 *
 * Azure AI Face v1.2 (Detect reference; SDK `FaceAttributeType.Detection01`
 * / `Detection03`): detection_03 (the default) gives headPose, mask, blur
 * and qualityForRecognition; detection_01 gives headPose, glasses,
 * occlusion, blur, exposure, noise and qualityForRecognition (with
 * recognition_03/04), no mask. Emotion and gender are retired; age, smile,
 * facialHair, hair and makeup are Limited Access: this adapter never asks
 * for them, leaves them null and does not advertise them.
 *
 * Mapping (Azure gives labels and 0..1 values, never a confidence):
 * - confidence: Azure reports none for a detection → 100.
 * - landmarks: the 27 points → the contract's 5 (pupilLeft → EYE_LEFT,
 *   pupilRight → EYE_RIGHT, noseTip → NOSE, mouthLeft/Right →
 *   MOUTH_LEFT/RIGHT), pixels → ratios of the image.
 * - pose: headPose's roll, yaw and pitch (degrees) as they are.
 * - quality.sharpness = (1 − blur.value) × 100 (blur 0 is sharp);
 *   quality.brightness = exposure.value × 100 (higher is brighter, as
 *   Rekognition's Brightness; Azure calls under 25 under-exposed and over
 *   75 over-exposed) — detection_01 only, else null; noise is not mapped
 *   (the contract has no field for it). quality.forRecognition =
 *   qualityForRecognition upper-cased; quality is null when Azure gave none.
 * - faceOccluded: detection_03 from mask (true when nose and mouth are
 *   covered, or the type is faceMask / otherMaskOrOcclusion); detection_01
 *   from occlusion (eyes or mouth occluded; a covered forehead is not, as
 *   Rekognition's FaceOccluded ignores "strands of hair"). Confidence 100,
 *   or 50 for mask type "uncertain".
 * - eyeglasses / sunglasses (detection_01): readingGlasses → eyeglasses;
 *   sunglasses → both (sunglasses are glasses); noGlasses and
 *   swimmingGoggles → neither. Confidence 100.
 */
import type { Capability } from '../../domain/records.js';
import {
  attributeCapability,
  type BooleanAttributeRecord,
  type FaceAttributeName,
  type FaceDetailRecord,
  type LandmarkRecord,
  type RecognitionQualityName,
} from '../../domain/face-details.js';
import type { DetectedFaceOut, FaceAttributesOut, PointOut } from './face-api-shapes.js';
import { ratioBox } from './face-geometry.js';
import type { ImageSize } from './image-size.js';

/** The detection models an instance may be configured with. */
export type DetectionModel = 'detection_01' | 'detection_03';

/** Contract attributes each detection model lets this adapter fill. */
const ATTRIBUTES_OF: Record<DetectionModel, readonly FaceAttributeName[]> = {
  detection_03: ['FACE_OCCLUDED'],
  detection_01: ['EYEGLASSES', 'SUNGLASSES', 'FACE_OCCLUDED'],
};

/** The FACE_ATTRIBUTE_* capabilities of an instance on `model`. */
export function attributeCapabilities(model: DetectionModel): Capability[] {
  return ATTRIBUTES_OF[model].map(attributeCapability);
}

/** Azure's `returnFaceAttributes` for the DEFAULT set plus `wanted` (attributes the model cannot give are ignored). */
export function azureAttributes(model: DetectionModel, wanted: ReadonlySet<FaceAttributeName>): string[] {
  const names = ['headPose', 'blur', 'qualityForRecognition'];
  if (model === 'detection_01') names.push('exposure');
  const fills = (a: FaceAttributeName) => wanted.has(a) && ATTRIBUTES_OF[model].includes(a);
  if (fills('FACE_OCCLUDED')) names.push(model === 'detection_03' ? 'mask' : 'occlusion');
  if (fills('EYEGLASSES') || fills('SUNGLASSES')) names.push('glasses');
  return names;
}

const CERTAIN = 100;
const round = (n: number) => Math.round(n * 1000) / 1000;

/** The face as the contract's FaceDetailRecord; attributes not in `wanted` (or not given) are null. */
export function faceDetail(face: DetectedFaceOut, size: ImageSize, wanted: ReadonlySet<FaceAttributeName>): FaceDetailRecord {
  const a: FaceAttributesOut = face.faceAttributes ?? {};
  const detail: FaceDetailRecord = {
    boundingBox: ratioBox(face.faceRectangle, size),
    confidence: CERTAIN,
    landmarks: landmarksOf(face, size),
    pose: a.headPose ? { roll: a.headPose.roll, yaw: a.headPose.yaw, pitch: a.headPose.pitch } : null,
    quality: a.qualityForRecognition
      ? {
          brightness: a.exposure ? round(a.exposure.value * 100) : null,
          sharpness: a.blur ? round((1 - a.blur.value) * 100) : null,
          forRecognition: a.qualityForRecognition.toUpperCase() as RecognitionQualityName,
        }
      : null,
  };
  if (wanted.has('FACE_OCCLUDED')) detail.faceOccluded = occludedOf(a);
  if (wanted.has('EYEGLASSES')) detail.eyeglasses = a.glasses ? yes(a.glasses === 'readingGlasses' || a.glasses === 'sunglasses') : null;
  if (wanted.has('SUNGLASSES')) detail.sunglasses = a.glasses ? yes(a.glasses === 'sunglasses') : null;
  return detail;
}

const yes = (value: boolean, confidence = CERTAIN): BooleanAttributeRecord => ({ value, confidence });

function occludedOf(a: FaceAttributesOut): BooleanAttributeRecord | null {
  if (a.mask) {
    const covered = a.mask.noseAndMouthCovered || a.mask.type === 'faceMask' || a.mask.type === 'otherMaskOrOcclusion';
    return yes(covered, a.mask.type === 'uncertain' ? 50 : CERTAIN);
  }
  if (a.occlusion) return yes(a.occlusion.eyeOccluded || a.occlusion.mouthOccluded);
  return null;
}

function landmarksOf(face: DetectedFaceOut, size: ImageSize): LandmarkRecord[] | null {
  const l = face.faceLandmarks;
  if (!l) return null;
  const at = (type: LandmarkRecord['type'], p: PointOut): LandmarkRecord => ({ type, x: p.x / size.width, y: p.y / size.height });
  return [
    at('EYE_LEFT', l.pupilLeft),
    at('EYE_RIGHT', l.pupilRight),
    at('NOSE', l.noseTip),
    at('MOUTH_LEFT', l.mouthLeft),
    at('MOUTH_RIGHT', l.mouthRight),
  ];
}
