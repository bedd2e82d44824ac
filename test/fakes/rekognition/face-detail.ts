/**
 * The FaceDetail the fake answers for a detected face: the DEFAULT set
 * (BoundingBox, Confidence, Landmarks, Pose, Quality) always, and the other
 * attributes when asked for. AWS (DetectFaces `Attributes`, IndexFaces
 * `DetectionAttributes`): "A DEFAULT subset of facial attributes -
 * BoundingBox, Confidence, Pose, Quality, and Landmarks - will always be
 * returned. You can request for specific facial attributes (in addition to
 * the default list) - by using ["DEFAULT", "FACE_OCCLUDED"] or just
 * ["FACE_OCCLUDED"]. You can request for all facial attributes by using
 * ["ALL"]." What a test does not declare is a neutral default below.
 * Landmarks are some of the 30 wire types, not only the five eyes/nose/mouth
 * corners a client may keep; Emotions come in a fixed order that is not by
 * confidence (AWS promises none).
 */
import type { Box, DeclaredFace, DeclaredFlag, DetectedFace } from './images.js';

type Json = Record<string, unknown>;

/** Attribute names of the wire besides DEFAULT and ALL. */
export const WIRE_ATTRIBUTES = [
  'AGE_RANGE',
  'BEARD',
  'EMOTIONS',
  'EYE_DIRECTION',
  'EYEGLASSES',
  'EYES_OPEN',
  'GENDER',
  'MOUTH_OPEN',
  'MUSTACHE',
  'FACE_OCCLUDED',
  'SMILE',
  'SUNGLASSES',
] as const;

/** The attributes a request's list asks for beyond DEFAULT (absent or DEFAULT only: none; ALL: every one). */
export function requestedAttributes(list: readonly string[] | undefined): Set<string> {
  if (!list) return new Set();
  if (list.includes('ALL')) return new Set(WIRE_ATTRIBUTES);
  return new Set(list.filter((a) => a !== 'DEFAULT'));
}

export const wireBox = (b: Box): Json => ({ Width: b.width, Height: b.height, Left: b.left, Top: b.top });

/** Landmarks derived from the box: the five a client keeps and a few of the other wire types. */
function defaultLandmarks(b: Box): { type: string; x: number; y: number }[] {
  const at = (type: string, fx: number, fy: number) => ({ type, x: b.left + fx * b.width, y: b.top + fy * b.height });
  return [
    at('eyeLeft', 0.3, 0.38),
    at('eyeRight', 0.7, 0.38),
    at('mouthLeft', 0.36, 0.76),
    at('mouthRight', 0.64, 0.76),
    at('nose', 0.5, 0.58),
    at('leftEyeBrowLeft', 0.18, 0.28),
    at('leftPupil', 0.3, 0.38),
    at('chinBottom', 0.5, 0.98),
  ];
}

const NEUTRAL: Required<Omit<NonNullable<DeclaredFace['attributes']>, 'ageRange' | 'gender' | 'emotions'>> = {
  smile: { value: false, confidence: 95.5 },
  eyeglasses: { value: false, confidence: 97.5 },
  sunglasses: { value: false, confidence: 99.5 },
  eyesOpen: { value: true, confidence: 98.5 },
  mouthOpen: { value: false, confidence: 96.5 },
  beard: { value: false, confidence: 94.5 },
  mustache: { value: false, confidence: 95 },
  faceOccluded: { value: false, confidence: 99 },
};

const NEUTRAL_EMOTIONS = [
  { type: 'SURPRISED', confidence: 1.5 },
  { type: 'CALM', confidence: 92.5 },
  { type: 'HAPPY', confidence: 3 },
  { type: 'SAD', confidence: 1 },
  { type: 'CONFUSED', confidence: 0.5 },
  { type: 'FEAR', confidence: 0.5 },
  { type: 'DISGUSTED', confidence: 0.5 },
  { type: 'ANGRY', confidence: 0.5 },
];

const flag = (f: DeclaredFlag): Json => ({ Value: f.value, Confidence: f.confidence });

/** The wire FaceDetail of `face` with the DEFAULT set and `attributes` (wire names). */
export function faceDetail(face: DetectedFace, attributes: ReadonlySet<string> = new Set()): Json {
  const d = face.declared;
  const pose = d.pose ?? { roll: 0, yaw: 0, pitch: 0 };
  const quality = d.qualityScores ?? { brightness: 80, sharpness: 90 };
  const a = { ...NEUTRAL, ...(d.attributes ?? {}) };
  const out: Json = {
    BoundingBox: wireBox(face.box),
    Confidence: face.confidence,
    Landmarks: (d.landmarks ?? defaultLandmarks(face.box)).map((l) => ({ Type: l.type, X: l.x, Y: l.y })),
    Pose: { Roll: pose.roll, Yaw: pose.yaw, Pitch: pose.pitch },
    Quality: { Brightness: quality.brightness, Sharpness: quality.sharpness },
  };
  const has = (name: string) => attributes.has(name);
  if (has('AGE_RANGE')) {
    const r = d.attributes?.ageRange ?? { low: 25, high: 35 };
    out.AgeRange = { Low: r.low, High: r.high };
  }
  if (has('SMILE')) out.Smile = flag(a.smile);
  if (has('EYEGLASSES')) out.Eyeglasses = flag(a.eyeglasses);
  if (has('SUNGLASSES')) out.Sunglasses = flag(a.sunglasses);
  if (has('GENDER')) {
    const g = d.attributes?.gender ?? { value: 'Female', confidence: 99.1 };
    out.Gender = { Value: g.value, Confidence: g.confidence };
  }
  if (has('BEARD')) out.Beard = flag(a.beard);
  if (has('MUSTACHE')) out.Mustache = flag(a.mustache);
  if (has('EYES_OPEN')) out.EyesOpen = flag(a.eyesOpen);
  if (has('MOUTH_OPEN')) out.MouthOpen = flag(a.mouthOpen);
  if (has('EMOTIONS')) out.Emotions = (d.attributes?.emotions ?? NEUTRAL_EMOTIONS).map((e) => ({ Type: e.type, Confidence: e.confidence }));
  if (has('FACE_OCCLUDED')) out.FaceOccluded = flag(a.faceOccluded);
  if (has('EYE_DIRECTION')) out.EyeDirection = { Yaw: 0, Pitch: 0, Confidence: 99 };
  return out;
}

/** CompareFaces' ComparedFace: BoundingBox, Confidence, Landmarks, Pose and Quality (as AWS's own example answers). */
export function comparedFace(face: DetectedFace): Json {
  const { BoundingBox, Confidence, Landmarks, Pose, Quality } = faceDetail(face);
  return { BoundingBox, Confidence, Landmarks, Pose, Quality };
}
