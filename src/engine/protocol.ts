/** Messages between {@link FaceEngine} and its inference workers (./worker.ts). */
import type { EngineAttribute, FaceAttributes, PipelineKind } from './types.js';

/** `workerData` of an inference worker. */
export interface WorkerInit {
  /** Detector score threshold, 0..1. */
  minConfidence: number;
  /** Most faces reported per image. */
  maxResults: number;
  /** How faces are found and described (./face-pipeline.ts). */
  pipeline: PipelineKind;
}

/** Main → worker: run detection on decoded, upright RGB pixels. */
export interface DetectRequest {
  type: 'detect';
  id: number;
  width: number;
  height: number;
  /** width × height × 3 bytes. */
  data: Uint8Array;
  /** Optional networks to run on every face. */
  attributes: EngineAttribute[];
}

export type WorkerRequest = DetectRequest;

/** A face in the coordinates of the pixels that were sent. */
export interface RawFace {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Detector score, 0..1. */
  score: number;
  descriptor: Float32Array;
  /** The five points of ./face-geometry.ts, in the pixels that were sent. */
  landmarks: { x: number; y: number }[];
  pose: { roll: number; yaw: number; pitch: number };
  quality: { brightness: number; sharpness: number };
  /** Only when the request asked for attributes. */
  attributes?: FaceAttributes;
}

/** Memory of one worker, reported with every result (for metrics and the benchmark). */
export interface WorkerStats {
  /** Size of the tfjs wasm heap (grows, never shrinks). */
  wasmHeapBytes: number;
  /** V8 heap of the worker isolate. */
  jsHeapBytes: number;
  /** Live tensors; constant at steady state (the model weights) unless something leaks. */
  tensors: number;
  /** Images processed by this worker. */
  images: number;
}

export type WorkerResponse =
  | { type: 'ready'; faceApiVersion: string; tfjsVersion: string; backend: string; loadMs: number; stats: WorkerStats }
  | { type: 'init-error'; message: string }
  | { type: 'result'; id: number; faces: RawFace[]; ms: number; stats: WorkerStats }
  | { type: 'error'; id: number; message: string };
