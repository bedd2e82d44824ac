/**
 * A protocol-faithful fake of AWS Rekognition (collections, users and
 * faces) for tests: a node:http server speaking awsJson1_1 as the real
 * service does (providers.md §A.0), so the real `@aws-sdk/client-rekognition`
 * can be pointed at it with an endpoint override and static credentials.
 *
 * Wire protocol:
 * - `POST /` with `X-Amz-Target: RekognitionService.<Operation>` and
 *   `Content-Type: application/x-amz-json-1.1`; a SigV4 `Authorization`
 *   header must be present (the signature itself is not checked).
 * - Success: 200, `application/x-amz-json-1.1`, `x-amzn-RequestId`;
 *   timestamps are epoch seconds; blobs are base64.
 * - Errors: `{"__type","Code","Logref","Message"}` with the model's status
 *   (400 for client faults, 500 for InternalServerError), the same
 *   `x-amzn-RequestId` and an `x-amzn-ErrorType` header.
 *
 * Semantics live in ./service.ts, validation in ./validation.ts and face
 * "detection" in ./images.ts. Tests can also inject faults and read a log of
 * every call.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkDeclaredFace, sha256Hex, type DeclaredFace } from './images.js';
import { RekognitionState, type Json } from './service.js';
import { AwsError, OPERATIONS, type OperationName } from './validation.js';

export { fakePng, type DeclaredFace, type FakePngOptions, type QualityIssue, type Box } from './images.js';
export { FACE_MODEL_VERSION } from './service.js';

/** Kinds of injected fault. */
export type FaultKind = 'throttle' | 'provisioned' | '500' | 'latency' | 'drop' | 'error';

/** A fault to inject into the next `times` matching requests. */
export interface FaultSpec {
  /** Only requests to this operation (e.g. `CreateUser`); any when absent. */
  op?: string;
  /**
   * - `throttle`: 400 ThrottlingException
   * - `provisioned`: 400 ProvisionedThroughputExceededException
   * - `500`: 500 InternalServerError
   * - `latency`: answer normally after `latencyMs`
   * - `drop`: destroy the socket without any response
   * - `error`: answer with `error` (any exception, e.g. AccessDeniedException)
   */
  kind: FaultKind;
  /** How many matching requests get the fault. */
  times: number;
  /** For `latency`. @default 1000 */
  latencyMs?: number;
  /** For `error`. `status` defaults to 400. */
  error?: { type: string; status?: number; message?: string };
  /**
   * `before` (default): the request has no effect. `after`: the operation
   * runs (its effects stay) and then its response is replaced by the fault
   * (or, for `latency`, delayed) — a lost or late response.
   */
  phase?: 'before' | 'after';
}

/** One request the fake received. */
export interface FakeCall {
  /** Operation name from X-Amz-Target (e.g. `IndexFaces`), or the raw header when unknown. */
  op: string;
  /** The JSON body; Image.Bytes replaced by `{ byteLength, sha256 }`. */
  params: Json;
  /** From the SDK's `amz-sdk-request: attempt=N; max=M` header, when present. */
  attempt: number | null;
  /** The fault applied to this request, if any. */
  fault: FaultKind | null;
  /** HTTP status sent; null when the connection was dropped or nothing was sent yet. */
  status: number | null;
  /** `__type` of an error response. */
  errorType: string | null;
  requestId: string;  /** True when the client closed the connection before the answer (a cancelled or timed-out request). */
  clientAborted: boolean;
}

/** A running fake. */
export interface FakeRekognition {
  /** `http://127.0.0.1:<port>`: the SDK's `endpoint`. */
  readonly url: string;
  readonly port: number;
  /** Every request received since start or the last reset, oldest first. */
  readonly calls: readonly FakeCall[];
  /** Closes the server and every open connection. */
  stop(): Promise<void>;
  /** Forgets state, pending faults and the call log; image declarations stay unless `images: true`. */
  reset(options?: { images?: boolean }): void;
  /** Empties the call log only (state and faults stay). */
  clearCalls(): void;
  /** Queues a fault; faults are matched in the order injected. */
  inject(fault: FaultSpec): void;
  /** Says which faces the fake detects in exactly these bytes (which must still be a JPEG or PNG). */
  declareImage(bytes: Uint8Array, faces: DeclaredFace[], options?: { width?: number; height?: number }): void;
  /** Calls to one operation (a convenience over `calls`). */
  callsTo(op: string): FakeCall[];
}

/** Options for {@link startFakeRekognition}. */
export interface FakeRekognitionOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** Region in ARNs. @default us-east-1 */
  region?: string;
  /** Called once per request when it is answered (or dropped). */
  onCall?: (call: FakeCall) => void;
}

/** Largest request body accepted: a 5 MiB image is ~7 MB as base64, and over-limit images must reach validation. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const TARGET_PREFIX = 'RekognitionService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

const FAULT_ERRORS: Record<'throttle' | 'provisioned' | '500', AwsError> = {
  throttle: new AwsError('ThrottlingException', 400, 'Slow down; sudden increase in rate of requests.'),
  provisioned: new AwsError('ProvisionedThroughputExceededException', 400, 'Provisioned Rate exceeded.'),
  '500': new AwsError('InternalServerError', 500, 'Internal server error'),
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts a fake Rekognition on loopback. */
export async function startFakeRekognition(options: FakeRekognitionOptions = {}): Promise<FakeRekognition> {
  const state = new RekognitionState(options.region ?? 'us-east-1');
  const faults: (FaultSpec & { left: number })[] = [];
  let calls: FakeCall[] = [];

  const takeFault = (op: string): FaultSpec | null => {
    const i = faults.findIndex((f) => f.left > 0 && (f.op === undefined || f.op === op));
    if (i === -1) return null;
    const fault = faults[i];
    if (--fault.left === 0) faults.splice(i, 1);
    return fault;
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // A bug in the fake: answer like the service would rather than hang.
      if (!res.headersSent) send(res, randomUUID(), errorBody(new AwsError('InternalServerError', 500, `fake rekognition: ${String(e)}`)));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    const call: FakeCall = { op, params: {}, attempt: attemptOf(req), fault: null, status: null, errorType: null, requestId, clientAborted: false };
    calls.push(call);
    res.once('close', () => {
      if (!res.writableFinished && call.fault !== 'drop') call.clientAborted = true;
    });
    const reply = (r: Reply) => {
      call.status = r.status;
      call.errorType = r.errorType;
      send(res, requestId, r);
      options.onCall?.(call);
    };

    if (body === null) return reply(errorBody(new AwsError('SerializationException', 413, `Request body larger than ${MAX_BODY_BYTES} bytes`)));
    if (req.method !== 'POST' || (req.url ?? '/') !== '/') {
      return reply(errorBody(new AwsError('UnknownOperationException', 404, `Expected POST /, got ${req.method} ${req.url}`)));
    }
    if (!target.startsWith(TARGET_PREFIX) || !(OPERATIONS as string[]).includes(op)) {
      return reply(errorBody(new AwsError('UnknownOperationException', 400, `Expected X-Amz-Target RekognitionService.<one of ${OPERATIONS.join(', ')}>, got ${target || 'none'}`)));
    }
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim();
    if (contentType !== CONTENT_TYPE) {
      return reply(errorBody(new AwsError('SerializationException', 400, `Expected Content-Type ${CONTENT_TYPE}, got ${contentType || 'none'}`)));
    }
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=')) {
      return reply(errorBody(new AwsError('MissingAuthenticationTokenException', 400, 'Missing Authentication Token')));
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return reply(errorBody(new AwsError('SerializationException', 400, 'Expected a JSON object body, got malformed JSON')));
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      return reply(errorBody(new AwsError('SerializationException', 400, 'Expected a JSON object body')));
    }
    call.params = summarize(input as Json);

    const fault = takeFault(op);
    call.fault = fault?.kind ?? null;
    const phase = fault?.phase ?? 'before';
    if (fault && phase === 'before') {
      if (fault.kind === 'latency') await sleep(fault.latencyMs ?? 1000);
      else return applyFault(fault, call, req, reply);
    }
    let result: Reply;
    try {
      result = { status: 200, errorType: null, body: state.handle(op as OperationName, input as Json) };
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      result = errorBody(e);
    }
    if (fault && phase === 'after') {
      if (fault.kind === 'latency') await sleep(fault.latencyMs ?? 1000);
      else return applyFault(fault, call, req, reply);
    }
    reply(result);
  }

  function applyFault(fault: FaultSpec, call: FakeCall, req: IncomingMessage, reply: (r: Reply) => void): void {
    switch (fault.kind) {
      case 'drop':
        req.socket.destroy();
        options.onCall?.(call);
        return;
      case 'error': {
        const e = fault.error ?? { type: 'InternalServerError', status: 500 };
        reply(errorBody(new AwsError(e.type, e.status ?? 400, e.message ?? `Injected ${e.type}`)));
        return;
      }
      case 'latency':
        return; // handled by the caller
      default:
        reply(errorBody(FAULT_ERRORS[fault.kind]));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get calls() {
      return calls;
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    reset(resetOptions) {
      state.reset(resetOptions);
      faults.length = 0;
      calls = [];
    },
    clearCalls() {
      calls = [];
    },
    inject(fault) {
      if (!Number.isInteger(fault.times) || fault.times < 1) {
        throw new Error(`fake rekognition: inject expected times ≥ 1, got ${fault.times}`);
      }
      if (fault.op !== undefined && !(OPERATIONS as string[]).includes(fault.op)) {
        throw new Error(`fake rekognition: inject expected op to be one of ${OPERATIONS.join(', ')}, got ${fault.op}`);
      }
      faults.push({ ...fault, left: fault.times });
    },
    declareImage(bytes, faces, declareOptions = {}) {
      faces.forEach(checkDeclaredFace);
      state.declareImage(sha256Hex(bytes), { faces: faces.map((f) => ({ ...f })), ...declareOptions });
    },
    callsTo(op) {
      return calls.filter((c) => c.op === op);
    },
  };
}

interface Reply {
  status: number;
  errorType: string | null;
  body: Json;
}

function errorBody(e: AwsError): Reply {
  return { status: e.status, errorType: e.type, body: { __type: e.type, Code: e.type, Logref: randomUUID(), Message: e.message } };
}

function send(res: ServerResponse, requestId: string, reply: Reply): void {
  if (res.destroyed) return; // the client gave up (timeout) while we waited
  const payload = Buffer.from(JSON.stringify(reply.body), 'utf8');
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': payload.length,
    'x-amzn-RequestId': requestId,
  };
  if (reply.errorType) headers['x-amzn-ErrorType'] = reply.errorType;
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** The body, or null when it exceeds {@link MAX_BODY_BYTES}. */
async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function attemptOf(req: IncomingMessage): number | null {
  const m = /attempt=(\d+)/.exec(String(req.headers['amz-sdk-request'] ?? ''));
  return m ? Number(m[1]) : null;
}

/** The body for the call log, without megabytes of image. */
function summarize(input: Json): Json {
  const image = input.Image as Json | undefined;
  if (!image || typeof image !== 'object' || typeof image.Bytes !== 'string') return input;
  const bytes = Buffer.from(image.Bytes, 'base64');
  return { ...input, Image: { ...image, Bytes: { byteLength: bytes.length, sha256: sha256Hex(bytes) } } };
}
