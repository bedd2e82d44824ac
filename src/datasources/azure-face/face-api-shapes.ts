/**
 * The answers of the Face REST calls this adapter reads (./transport.ts),
 * as far as it reads them: API v1.2, and v1.0 for the retired Snapshot
 * API.
 */

/** A LargePersonGroup (a collection). */
export interface LargePersonGroupOut {
  largePersonGroupId: string;
  name: string;
  userData?: string;
  recognitionModel?: string;
}
/** A LargeFaceList (a collection's face registry). */
export interface LargeFaceListOut {
  largeFaceListId: string;
  name: string;
  userData?: string;
  recognitionModel?: string;
}
/** A person of a LargePersonGroup (a user). */
export interface PersonOut {
  personId: string;
  name: string;
  userData?: string;
  persistedFaceIds?: string[];
}
/** A persisted face of a list or a person. */
export interface PersistedFaceOut {
  persistedFaceId: string;
  userData?: string;
}
/** A LargePersonGroup's training status. */
export interface TrainingStatusOut {
  status: 'notStarted' | 'running' | 'succeeded' | 'failed';
  createdDateTime?: string;
  lastActionDateTime?: string;
  lastSuccessfulTrainingDateTime?: string | null;
  message?: string;
}
/** A face's position in its image, in pixels. */
export interface FaceRectangle {
  top: number;
  left: number;
  width: number;
  height: number;
}
/** A point of a face, in pixels of the image. */
export interface PointOut {
  x: number;
  y: number;
}
/** detect's `faceLandmarks`: 27 named points; the adapter reads five of them. */
export interface FaceLandmarksOut {
  pupilLeft: PointOut;
  pupilRight: PointOut;
  noseTip: PointOut;
  mouthLeft: PointOut;
  mouthRight: PointOut;
  [name: string]: PointOut;
}
/** detect's `faceAttributes`, as far as the adapter asks for them (v1.2; values 0..1). */
export interface FaceAttributesOut {
  headPose?: { pitch: number; roll: number; yaw: number };
  blur?: { blurLevel: 'low' | 'medium' | 'high'; value: number };
  exposure?: { exposureLevel: 'underExposure' | 'goodExposure' | 'overExposure'; value: number };
  noise?: { noiseLevel: 'low' | 'medium' | 'high'; value: number };
  mask?: { type: 'noMask' | 'faceMask' | 'otherMaskOrOcclusion' | 'uncertain'; noseAndMouthCovered: boolean };
  glasses?: 'noGlasses' | 'readingGlasses' | 'sunglasses' | 'swimmingGoggles';
  occlusion?: { foreheadOccluded: boolean; eyeOccluded: boolean; mouthOccluded: boolean };
  qualityForRecognition?: 'low' | 'medium' | 'high';
}
/** A face found by detect; `faceId` only when asked for (it expires). */
export interface DetectedFaceOut {
  faceId?: string;
  faceRectangle: FaceRectangle;
  faceLandmarks?: FaceLandmarksOut;
  faceAttributes?: FaceAttributesOut;
}
/** findsimilars' answer against a LargeFaceList: persisted faces with confidence 0..1, highest first. */
export interface SimilarFaceOut {
  persistedFaceId: string;
  confidence: number;
}
/** identify's answer for one face: candidate persons with confidence 0..1. */
export interface IdentifyOut {
  faceId: string;
  candidates: { personId: string; confidence: number }[];
}
/** verify's answer: whether the face belongs to the person, with confidence 0..1. */
export interface VerifyOut {
  isIdentical: boolean;
  confidence: number;
}
/** v1.0 Snapshot API (§B.3): what Take and Apply run as. */
export interface SnapshotOperationOut {
  status: 'notstarted' | 'running' | 'succeeded' | 'failed';
  createdTime: string;
  lastActionTime?: string;
  /** Take: `/snapshots/{snapshotId}`; Apply: the target object id. */
  resourceLocation?: string;
  message?: string;
}
/** A v1.0 snapshot. */
export interface SnapshotOut {
  id: string;
  type: string;
  createdTime: string;
}
