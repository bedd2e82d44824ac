/** The enums of a face's details (contract-face-operations.graphql); values equal the domain's string unions. */
import { registerEnumType } from 'type-graphql';
import {
  EMOTION_TYPES,
  FACE_ATTRIBUTES,
  LANDMARK_TYPES,
  QUALITY_FILTERS,
  RECOGNITION_QUALITIES,
  type EmotionTypeName,
  type FaceAttributeName,
  type LandmarkTypeName,
  type QualityFilterName,
  type RecognitionQualityName,
} from '../domain/face-details.js';

const enumOf = <T extends string>(values: readonly T[]): { [K in T]: K } =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

/** What a caller may ask a detection for: DEFAULT (box, confidence, landmarks, pose, quality), ALL, or one attribute. */
export const FaceAttribute = enumOf<'DEFAULT' | 'ALL' | FaceAttributeName>(['DEFAULT', 'ALL', ...FACE_ATTRIBUTES]);
export type FaceAttribute = keyof typeof FaceAttribute;
registerEnumType(FaceAttribute, {
  name: 'FaceAttribute',
  description:
    "DEFAULT: boundingBox, confidence, landmarks (5 points), pose, quality (Rekognition's DEFAULT set); ALL: every attribute the provider instance advertises (FACE_ATTRIBUTE_<NAME> capabilities).",
  valuesConfig: { LIVENESS: { description: 'A passive liveness hint (local engine only): not a certified presentation-attack check.' } },
});

export const QualityFilter = enumOf<QualityFilterName>(QUALITY_FILTERS);
export type QualityFilter = QualityFilterName;
registerEnumType(QualityFilter, {
  name: 'QualityFilter',
  description:
    "Rekognition's QualityFilter: faces below the bar are not used (reported as unindexed/unsearched where the operation has such a list).",
});

export const LandmarkType = enumOf<LandmarkTypeName>(LANDMARK_TYPES);
export type LandmarkType = LandmarkTypeName;
registerEnumType(LandmarkType, { name: 'LandmarkType' });

export const EmotionType = enumOf<EmotionTypeName>(EMOTION_TYPES);
export type EmotionType = EmotionTypeName;
registerEnumType(EmotionType, { name: 'EmotionType', description: "Rekognition's emotion types; a neutral expression is CALM." });

export const Gender = enumOf(['MALE', 'FEMALE'] as const);
export type Gender = keyof typeof Gender;
registerEnumType(Gender, { name: 'Gender' });

export const RecognitionQuality = enumOf<RecognitionQualityName>(RECOGNITION_QUALITIES);
export type RecognitionQuality = RecognitionQualityName;
registerEnumType(RecognitionQuality, { name: 'RecognitionQuality' });
