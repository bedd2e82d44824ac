/**
 * A protocol-faithful fake of Azure AI Face v1.2 (LargePersonGroups,
 * LargeFaceLists, detect, identify, verify, findsimilars, training) for tests: a
 * node:http server speaking the Face REST API as the real service does
 * (providers.md §B), so the real `@azure-rest/ai-vision-face` client can be
 * pointed at it:
 *
 *   createClient(fake.url, new AzureKeyCredential(fake.apiKey), { allowInsecureConnection: true })
 *
 * Wire protocol:
 * - Routes under `/face/v1.2` (anything else is 404 code "404"
 *   "Resource not found").
 * - `Ocp-Apim-Subscription-Key` must equal the fake's key, else 401
 *   `{"error":{"code":"401","message":"Access denied due to invalid
 *   subscription key or wrong API endpoint. …"}}`.
 * - JSON bodies; images as `application/octet-stream` on the same routes.
 * - Success: JSON (or empty) with `apim-request-id`. Errors:
 *   `{"error":{"code","message"}}` with `x-ms-error-code: <code>`.
 * - Train: 202 with an absolute `operation-Location` (…/training).
 * - The retired v1.0 Snapshot API under `/face/v1.0` (snapshots and their
 *   operations, 48 h expiry on the fake's clock): ./snapshots.ts.
 *
 * Semantics live in ./service.ts, field rules in ./validation.ts and face
 * "detection" in ./images.ts. Tests can inject faults (429 with Retry-After
 * in both body shapes seen in the wild, 5xx, latency, dropped connections,
 * any error), move the fake's clock, make trainings fail and read a log of
 * every call; the HTTP server, fault queue and call log are
 * ../fake-http-server.ts, this file is the protocol.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  startFakeHttpServer,
  type FakeHttpServer,
  type FakeHttpServerOptions,
  type FaultBase,
  type ParsedRequest,
  type ProtocolFault,
  type RecordedCall,
} from '../fake-http-server.js';
import { checkDeclaredFace, sha256Hex, type DeclaredFace } from './images.js';
import {
  DEFAULT_LIMITS,
  FaceState,
  OPERATIONS,
  ROUTES,
  type FaceLimits,
  type FaceRequest,
  type FaceResponse,
  type OperationName,
} from './service.js';
import { SNAPSHOT_API_PREFIX, SNAPSHOT_ROUTES, SnapshotState, type SnapshotOperationName } from './snapshots.js';
import { AzureError } from './validation.js';

export { fakePng, LANDMARK_NAMES, type DeclaredFace, type FakePngOptions, type Quality } from './images.js';
export { OPERATIONS, type OperationName, type FaceLimits } from './service.js';

/** The key the fake accepts unless told otherwise. */
export const DEFAULT_API_KEY = 'fake-azure-face-key';
export const API_PREFIX = '/face/v1.2';

/** Kinds of injected fault. */
export type FaultKind = 'throttle' | 'throttle-legacy' | '500' | '503' | 'latency' | 'drop' | 'error';

/** A fault to inject into the next `times` matching requests. */
export interface FaultSpec extends FaultBase {
  /** Only requests to this operation (e.g. `Detect`, `Identify`); any when absent. */
  op?: OperationName | SnapshotOperationName;
  /**
   * - `throttle`: 429 `{"error":{"code":"429","message":"Rate limit is exceeded. …"}}` + Retry-After
   * - `throttle-legacy`: 429 `{"error":{"statusCode":429,"message":"Rate limit is exceeded. Try again later."}}` + Retry-After
   * - `500`: 500 InternalServerError; `503`: 503 ServiceUnavailable
   * - `latency`: answer normally after `latencyMs`
   * - `drop`: destroy the socket without any response
   * - `error`: answer with `error`
   */
  kind: FaultKind;
  /** Retry-After of a throttle, in seconds (`null`: no header). @default 1 */
  retryAfterSeconds?: number | null;
  /** For `error`. */
  error?: { status: number; code: string; message?: string };
}

/** One request the fake received. */
export interface FakeCall extends RecordedCall {
  /** Operation name (e.g. `AddLargeFaceListFace`), or `METHOD path` when no route matched. */
  op: string;
  method: string;
  /** Path below `/face/v1.2`. */
  path: string;
  query: Record<string, string>;
  /** The JSON body; an image body is `{ byteLength, sha256 }`. */
  body: unknown;
  fault: FaultKind | null;
  /** `error.code` of an error response. */
  errorCode: string | null;
}

/** A running fake: `url` is the endpoint to give the client (it appends `/face/v1.2`). */
export interface FakeAzureFace extends FakeHttpServer<FakeCall, FaultSpec> {
  /** The subscription key it accepts. */
  readonly apiKey: string;
  /** The Face subscription (lowercase GUID) that key belongs to: Apply needs it in a snapshot's applyScope. */
  readonly subscriptionId: string;
  /** Forgets state, pending faults, the call log and the clock offset; image declarations stay unless `images: true`. */
  reset(options?: { images?: boolean }): void;
  /** Says which faces the fake detects in exactly these bytes. */
  declareImage(bytes: Uint8Array, faces: DeclaredFace[], options?: { width?: number; height?: number }): void;
  callsTo(op: OperationName | SnapshotOperationName): FakeCall[];
  /** The fake's clock (epoch ms). */
  now(): number;
  /** Moves the fake's clock forward (training completion, faceId expiry). */
  advanceClock(ms: number): void;
  /** How long trainings started from now on run (fake clock). */
  setTrainingMs(ms: number): void;
  /** How long v1.0 snapshot takes and applies started from now on run (fake clock). */
  setSnapshotMs(ms: number): void;
  /**
   * Starts a new quota period allowing `max` v1.0 snapshot takes per
   * `windowMs` of the fake's clock (default: S0's 100 a day; takes made
   * before are no longer counted); takes past it answer 403 QuotaExceeded.
   */
  setSnapshotTakeQuota(max: number, windowMs?: number): void;
  /** The next training of container `id` (of any container, when absent) ends `failed`. */
  failNextTraining(id?: string, message?: string): void;
  /** Persons, faces and training status of a group, looking behind the API. */
  inspectGroup(id: string): { persons: number; faces: number; trainingStatus: string | null } | null;
}

export interface FakeAzureFaceOptions extends FakeHttpServerOptions<FakeCall> {
  /** @default {@link DEFAULT_API_KEY} */
  apiKey?: string;
  /** How long a training runs on the fake's clock. @default 25 */
  trainingMs?: number;
  /** How long a v1.0 snapshot take or apply runs on the fake's clock. @default 25 */
  snapshotMs?: number;
  /** The Face subscription its key belongs to, which Apply checks against a snapshot's applyScope. @default {@link DEFAULT_SUBSCRIPTION_ID} */
  subscriptionId?: string;
  /** Limited Access approval for identification/verification. @default true */
  identification?: boolean;
  /** Limited Access approval for the age, smile, facialHair and hair attributes (403 UnsupportedFeature without). @default false */
  limitedAttributes?: boolean;
  limits?: Partial<FaceLimits>;
  /** Base clock; `advanceClock` adds to it. @default Date.now */
  now?: () => number;
}

/** The Face subscription of the fake's key unless told otherwise. */
export const DEFAULT_SUBSCRIPTION_ID = '6f0c1c52-9d2b-4a36-9f4e-0d2a3b4c5d6e';

/** Bodies above this are refused (6 MB images must still reach validation). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const ACCESS_DENIED =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';

/** Starts a fake Azure AI Face on loopback. */
export async function startFakeAzureFace(options: FakeAzureFaceOptions = {}): Promise<FakeAzureFace> {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  let offset = 0;
  const baseNow = options.now ?? Date.now;
  const now = () => baseNow() + offset;
  const state = new FaceState({
    now,
    trainingMs: options.trainingMs ?? 25,
    identification: options.identification ?? true,
    limitedAttributes: options.limitedAttributes ?? false,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  });
  let snapshotMs = options.snapshotMs ?? 25;
  const subscriptionId = (options.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID).toLowerCase();
  const snapshots = new SnapshotState(state, now, () => snapshotMs, subscriptionId);

  function parse(req: IncomingMessage, body: Buffer | null, requestId: string): ParsedRequest<FakeCall, Reply> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = (req.method ?? 'GET').toUpperCase();
    const v10 = url.pathname.startsWith(`${SNAPSHOT_API_PREFIX}/`) ? url.pathname.slice(SNAPSHOT_API_PREFIX.length) : null;
    const below = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : v10;
    const routes: readonly { method: string; path: RegExp; op: string }[] = v10 !== null ? SNAPSHOT_ROUTES : ROUTES;
    const route = below === null ? undefined : routes.find((r) => r.method === method && r.path.test(below));
    const contentType = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const call: FakeCall = {
      op: route?.op ?? `${method} ${url.pathname}`,
      method,
      path: below ?? url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: summarize(body, contentType),
      fault: null,
      status: null,
      errorCode: null,
      requestId,
      clientAborted: false,
    };
    const refuse = (status: number, code: string, message: string) => ({ call, answer: errorReply(new AzureError(status, code, message)) });

    if (below === null) return refuse(404, '404', 'Resource not found');
    if (req.headers['ocp-apim-subscription-key'] !== apiKey) return refuse(401, '401', ACCESS_DENIED);
    if (!route) {
      const known = routes.some((r) => r.path.test(below));
      return known ? refuse(405, '405', `Method ${method} is not allowed on ${below}.`) : refuse(404, '404', 'Resource not found');
    }
    if (body === null) return refuse(400, 'InvalidImageSize', 'Image size is too big.');

    const match = route.path.exec(below) as RegExpExecArray;
    const request: FaceRequest = {
      method,
      params: match.slice(1).map((p) => decodeURIComponent(p)),
      query: url.searchParams,
      body,
      contentType,
      base: `http://${req.headers.host ?? '127.0.0.1'}${v10 !== null ? SNAPSHOT_API_PREFIX : API_PREFIX}`,
    };
    return {
      call,
      run: () => {
        try {
          snapshots.settle();
          const out: FaceResponse =
            v10 !== null ? snapshots.handle(route.op as SnapshotOperationName, request) : state.handle(route.op as OperationName, request);
          return { status: out.status, body: out.body, headers: out.headers ?? {}, errorCode: null };
        } catch (e) {
          if (!(e instanceof AzureError)) throw e;
          return errorReply(e);
        }
      },
    };
  }

  const server = await startFakeHttpServer<FakeCall, FaultSpec, Reply>(
    {
      name: 'fake azure face',
      operations: [...OPERATIONS, ...SNAPSHOT_ROUTES.map((r) => r.op)],
      maxBodyBytes: MAX_BODY_BYTES,
      parse,
      send,
      record: (call, reply) => {
        call.errorCode = reply.errorCode;
      },
      faultReply,
      internalError: (message) => errorReply(new AzureError(500, 'InternalServerError', message)),
    },
    options,
  );

  return Object.assign(server, {
    apiKey,
    subscriptionId,
    reset(resetOptions?: { images?: boolean }) {
      state.reset(resetOptions);
      snapshots.reset();
      snapshotMs = options.snapshotMs ?? 25;
      server.clearFaults();
      server.clearCalls();
      offset = 0;
      state.options.trainingMs = options.trainingMs ?? 25;
    },
    declareImage(bytes: Uint8Array, faces: DeclaredFace[], declareOptions: { width?: number; height?: number } = {}) {
      faces.forEach(checkDeclaredFace);
      state.declareImage(sha256Hex(bytes), { faces: faces.map((f) => ({ ...f })), ...declareOptions });
    },
    now,
    advanceClock(ms: number) {
      if (!(ms >= 0)) throw new Error(`fake azure face: advanceClock expected ms ≥ 0, got ${ms}`);
      offset += ms;
    },
    setSnapshotMs(ms: number) {
      if (!(ms >= 0)) throw new Error(`fake azure face: setSnapshotMs expected ms ≥ 0, got ${ms}`);
      snapshotMs = ms;
    },
    setSnapshotTakeQuota(max: number, windowMs = 24 * 60 * 60 * 1000) {
      if (!(max >= 0) || !(windowMs > 0))
        throw new Error(`fake azure face: setSnapshotTakeQuota expected max ≥ 0 and windowMs > 0, got ${max} and ${windowMs}`);
      snapshots.setTakeQuota(max, windowMs);
    },
    setTrainingMs(ms: number) {
      if (!(ms >= 0)) throw new Error(`fake azure face: setTrainingMs expected ms ≥ 0, got ${ms}`);
      state.options.trainingMs = ms;
    },
    failNextTraining(id?: string, message = 'Training failed (injected).') {
      state.failNextTraining(id, message);
    },
    inspectGroup(id: string) {
      return state.inspectGroup(id);
    },
  });
}

/** The answer of an injected fault. */
function faultReply(fault: ProtocolFault<FaultSpec>): Reply {
  const retryAfter = fault.retryAfterSeconds === undefined ? 1 : fault.retryAfterSeconds;
  const retryHeaders: Record<string, string> = retryAfter === null ? {} : { 'Retry-After': String(retryAfter) };
  switch (fault.kind) {
    case 'throttle':
      return errorReply(new AzureError(429, '429', `Rate limit is exceeded. Try again in ${retryAfter ?? 1} seconds.`, retryHeaders));
    case 'throttle-legacy':
      // The older body shape (microsoft/Cognitive-Face-iOS#9): statusCode instead of code, no x-ms-error-code.
      return {
        status: 429,
        body: { error: { statusCode: 429, message: 'Rate limit is exceeded. Try again later.' } },
        headers: retryHeaders,
        errorCode: '429',
        noErrorHeader: true,
      };
    case '500':
      return errorReply(new AzureError(500, 'InternalServerError', 'An internal server error occurred.'));
    case '503':
      return errorReply(new AzureError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.'));
    case 'error': {
      const e = fault.error ?? { status: 500, code: 'InternalServerError' };
      return errorReply(new AzureError(e.status, e.code, e.message ?? `Injected ${e.code}`));
    }
  }
}

interface Reply {
  status: number;
  body?: unknown;
  headers: Record<string, string>;
  errorCode: string | null;
  /** Leave out x-ms-error-code (the legacy throttle body). */
  noErrorHeader?: boolean;
}

function errorReply(e: AzureError): Reply {
  return { status: e.status, body: { error: { code: e.code, message: e.message } }, headers: { ...e.headers }, errorCode: e.code };
}

function send(res: ServerResponse, requestId: string, reply: Reply): void {
  const payload = reply.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(reply.body), 'utf8');
  const headers: Record<string, string | number> = { 'apim-request-id': requestId, 'Content-Length': payload.length, ...reply.headers };
  if (payload.length > 0) headers['Content-Type'] = 'application/json; charset=utf-8';
  if (reply.errorCode !== null && !reply.noErrorHeader) headers['x-ms-error-code'] = reply.errorCode;
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** The body for the call log, without megabytes of image. */
function summarize(body: Buffer | null, contentType: string): unknown {
  if (body === null) return { byteLength: MAX_BODY_BYTES + 1 };
  if (body.length === 0) return null;
  if (contentType === 'application/json') {
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      return body.toString('utf8').slice(0, 200);
    }
  }
  return { byteLength: body.length, sha256: sha256Hex(body) };
}
