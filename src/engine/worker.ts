/**
 * Inference worker: one tfjs wasm backend + face-api models per thread.
 *
 * tfjs' wasm backend is single-threaded in Node (no SharedArrayBuffer
 * threads), so the only way to use several cores is several isolates, each
 * with its own copy of the weights (~0.5 GB RSS each). The worker receives
 * already-validated, decoded RGB pixels (see ./decode.ts for why sharp stays
 * on the main thread) and answers one message per request; every failure is
 * caught and reported, so only a genuine crash ends the thread.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { RawFace, WorkerInit, WorkerRequest, WorkerResponse, WorkerStats } from './protocol.js';

const require = createRequire(import.meta.url);

// The slice of face-api's API used here. Declared locally because the
// package's own typings reference a file it does not ship.
interface Tensor3D {
  dispose(): void;
}
interface TfApi {
  version_core: string;
  setWasmPaths(prefix: string, usePlatformFetch?: boolean): void;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  enableProdMode(): void;
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): Tensor3D;
  memory(): { numTensors: number };
  backend(): unknown;
}
interface Net {
  loadFromDisk(dir: string): Promise<void>;
}
interface LandmarkNet extends Net {
  detectLandmarks(input: Tensor3D): Promise<unknown>;
}
interface RecognitionNet extends Net {
  computeFaceDescriptor(input: Tensor3D): Promise<unknown>;
}
interface FaceApiResult {
  detection: { score: number; box: { x: number; y: number; width: number; height: number } };
  descriptor: Float32Array;
}
interface FaceApi {
  version: string;
  tf: TfApi;
  nets: { ssdMobilenetv1: Net; faceLandmark68Net: LandmarkNet; faceRecognitionNet: RecognitionNet };
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => object;
  detectAllFaces(input: Tensor3D, options: object): { withFaceLandmarks(): { withFaceDescriptors(): Promise<FaceApiResult[]> } };
}

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const init = workerData as WorkerInit;
const send = (m: WorkerResponse): void => port.postMessage(m);

let images = 0;
let tf: TfApi;

function stats(): WorkerStats {
  const wasm = (tf.backend() as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return {
    wasmHeapBytes: wasm?.HEAPU8?.byteLength ?? 0,
    jsHeapBytes: process.memoryUsage().heapUsed,
    tensors: tf.memory().numTensors,
    images,
  };
}

async function load(): Promise<{ faceapi: FaceApi; options: object }> {
  const t0 = performance.now();
  // By path: the package's main entry needs tfjs-node, which cannot be installed here.
  const faceapi = require(require.resolve('@vladmandic/face-api/dist/face-api.node-wasm.js')) as FaceApi;
  tf = faceapi.tf;
  // Local .wasm files: otherwise tfjs would look for them next to the script or on a CDN.
  const wasmFile = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  tf.setWasmPaths(path.dirname(wasmFile) + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
  await tf.ready();
  tf.enableProdMode();
  const modelDir = path.dirname(require.resolve('@vladmandic/face-api/model/ssd_mobilenetv1_model-weights_manifest.json'));
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: init.minConfidence, maxResults: init.maxResults });
  await warmUp(faceapi, options);
  send({
    type: 'ready',
    faceApiVersion: faceapi.version,
    tfjsVersion: tf.version_core,
    backend: tf.getBackend(),
    loadMs: performance.now() - t0,
    stats: stats(),
  });
  return { faceapi, options };
}

/**
 * Runs each network once on a blank image: the wasm backend's first pass
 * through a graph costs ~0.7 s extra (kernel set-up, heap growth), which
 * belongs to start-up rather than to the first caller's latency.
 */
async function warmUp(faceapi: FaceApi, options: object): Promise<void> {
  const blank = tf.tensor3d(new Uint8Array(160 * 160 * 3).fill(128), [160, 160, 3], 'int32');
  try {
    await faceapi.detectAllFaces(blank, options).withFaceLandmarks().withFaceDescriptors();
    await faceapi.nets.faceLandmark68Net.detectLandmarks(blank);
    await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(blank);
  } finally {
    blank.dispose();
  }
}

async function detect(faceapi: FaceApi, options: object, req: WorkerRequest): Promise<void> {
  const t0 = performance.now();
  try {
    if (req.data.length !== req.width * req.height * 3) {
      throw new Error(`expected ${req.width}×${req.height}×3 bytes, got ${req.data.length}`);
    }
    const input = tf.tensor3d(req.data, [req.height, req.width, 3], 'int32');
    let results: FaceApiResult[];
    try {
      results = await faceapi.detectAllFaces(input, options).withFaceLandmarks().withFaceDescriptors();
    } finally {
      input.dispose();
    }
    images++;
    const faces: RawFace[] = results.map((r) => ({
      x: r.detection.box.x,
      y: r.detection.box.y,
      width: r.detection.box.width,
      height: r.detection.box.height,
      score: r.detection.score,
      descriptor: r.descriptor,
    }));
    send({ type: 'result', id: req.id, faces, ms: performance.now() - t0, stats: stats() });
  } catch (e) {
    send({ type: 'error', id: req.id, message: e instanceof Error ? e.message : String(e) });
  }
}

load().then(
  ({ faceapi, options }) => {
    // One image at a time: the wasm backend is synchronous underneath, so
    // interleaving would only raise peak memory.
    let chain = Promise.resolve();
    port.on('message', (req: WorkerRequest) => {
      chain = chain.then(() => detect(faceapi, options, req));
    });
  },
  (e: unknown) => {
    send({ type: 'init-error', message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  },
);
