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
import type { FaceApi, TfApi } from './face-api-types.js';
import { FacePipeline } from './face-pipeline.js';
import type { WorkerInit, WorkerRequest, WorkerResponse, WorkerStats } from './protocol.js';

const require = createRequire(import.meta.url);

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

async function load(): Promise<FacePipeline> {
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
  // The attribute nets are small (0.4 and 0.3 MB of weights) and run only when asked for.
  await faceapi.nets.ageGenderNet.loadFromDisk(modelDir);
  await faceapi.nets.faceExpressionNet.loadFromDisk(modelDir);
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: init.minConfidence, maxResults: init.maxResults });
  const pipeline = new FacePipeline(faceapi, options, init.pipeline);
  await warmUp(pipeline);
  send({
    type: 'ready',
    faceApiVersion: faceapi.version,
    tfjsVersion: tf.version_core,
    backend: tf.getBackend(),
    loadMs: performance.now() - t0,
    stats: stats(),
  });
  return pipeline;
}

/**
 * Runs each network once on a blank image: the wasm backend's first pass
 * through a graph costs ~0.7 s extra (kernel set-up, heap growth), which
 * belongs to start-up rather than to the first caller's latency.
 */
async function warmUp(pipeline: FacePipeline): Promise<void> {
  await pipeline.warmUp();
}

async function detect(pipeline: FacePipeline, req: WorkerRequest): Promise<void> {
  const t0 = performance.now();
  try {
    const faces = await pipeline.run(req);
    images++;
    send({ type: 'result', id: req.id, faces, ms: performance.now() - t0, stats: stats() });
  } catch (e) {
    send({ type: 'error', id: req.id, message: e instanceof Error ? e.message : String(e) });
  }
}

load().then(
  (pipeline) => {
    // One image at a time: the wasm backend is synchronous underneath, so
    // interleaving would only raise peak memory.
    let chain = Promise.resolve();
    port.on('message', (req: WorkerRequest) => {
      chain = chain.then(() => detect(pipeline, req));
    });
  },
  (e: unknown) => {
    send({ type: 'init-error', message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  },
);
