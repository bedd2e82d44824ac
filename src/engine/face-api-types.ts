/**
 * The slice of face-api's (and its bundled tfjs') API the inference worker
 * uses, declared here because the package's own typings reference a file it
 * does not ship.
 */

export interface Tensor {
  readonly shape: number[];
  dispose(): void;
  data(): Promise<Float32Array | Int32Array | Uint8Array>;
}
export interface Tensor3D extends Tensor {
  squeeze(axis?: number[]): Tensor3D;
}
export interface Tensor4D extends Tensor {
  squeeze(axis?: number[]): Tensor3D;
}

export interface TfApi {
  version_core: string;
  setWasmPaths(prefix: string, usePlatformFetch?: boolean): void;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  enableProdMode(): void;
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): Tensor3D;
  tensor4d(values: number[], shape: [number, number, number, number], dtype?: 'float32'): Tensor4D;
  tidy<T extends Tensor>(fn: () => T): T;
  cast(x: Tensor, dtype: 'float32'): Tensor;
  expandDims(x: Tensor, axis: number): Tensor4D;
  mul(a: Tensor, b: Tensor): Tensor;
  sum(x: Tensor, axis?: number, keepDims?: boolean): Tensor;
  conv2d(x: Tensor, filter: Tensor, strides: number, pad: 'valid' | 'same'): Tensor;
  moments(x: Tensor): { mean: Tensor; variance: Tensor };
  stack(xs: Tensor[]): Tensor;
  image: {
    cropAndResize(
      image: Tensor4D,
      boxes: number[][],
      boxInd: number[],
      cropSize: [number, number],
      method: 'bilinear',
      extrapolationValue: number,
    ): Tensor4D;
  };
  memory(): { numTensors: number };
  backend(): unknown;
}

export interface Net {
  loadFromDisk(dir: string): Promise<void>;
}

export interface FaceDetectionLike {
  score: number;
  box: { x: number; y: number; width: number; height: number };
}

export interface SsdNet extends Net {
  locateFaces(input: Tensor3D, options: object): Promise<FaceDetectionLike[]>;
}

export interface FaceLandmarks68 {
  positions: { x: number; y: number }[];
}

/** What a chain of face-api tasks yields per face. */
export interface FaceApiResult {
  detection: FaceDetectionLike;
  landmarks: FaceLandmarks68;
  descriptor: Float32Array;
  age?: number;
  gender?: 'male' | 'female';
  genderProbability?: number;
  expressions?: Record<string, number>;
}

/** A composable face-api task after landmarks and descriptors; thenable like face-api's ComposableTask. */
export interface DescriptorTask extends PromiseLike<FaceApiResult[]> {
  withAgeAndGender(): DescriptorTask;
  withFaceExpressions(): DescriptorTask;
}

export interface FaceApi {
  version: string;
  tf: TfApi;
  nets: {
    ssdMobilenetv1: SsdNet;
    faceLandmark68Net: Net;
    faceRecognitionNet: Net;
    ageGenderNet: Net;
    faceExpressionNet: Net;
  };
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => object;
  Rect: new (x: number, y: number, width: number, height: number) => object;
  FaceDetection: new (score: number, relativeBox: object, imageDims: { width: number; height: number }) => FaceDetectionLike;
  DetectAllFaceLandmarksTask: new (
    parent: Promise<{ detection: FaceDetectionLike }[]>,
    input: Tensor3D,
    useTinyLandmarkNet: boolean,
  ) => { withFaceDescriptors(): DescriptorTask };
  detectAllFaces(input: Tensor3D, options: object): { withFaceLandmarks(): { withFaceDescriptors(): DescriptorTask } };
}
