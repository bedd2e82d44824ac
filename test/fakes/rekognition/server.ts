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
 * every call; the HTTP server, fault queue and call log are
 * ../fake-http-server.ts, this file is the protocol.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  startFakeHttpServer,
  type FakeHttpServer,
  type FakeHttpServerOptions,
  type FaultBase,
  type ParsedRequest,
  type RecordedCall,
} from '../fake-http-server.js';
import { checkDeclaredFace, sha256Hex, type DeclaredFace } from './images.js';
import { RekognitionState, type Json } from './service.js';
import { AwsError, OPERATIONS, type OperationName } from './validation.js';

export {
  fakePng,
  type Box,
  type DeclaredAttributes,
  type DeclaredFace,
  type FakePngOptions,
  type QualityBar,
  type QualityIssue,
} from './images.js';
export { FACE_MODEL_VERSION } from './service.js';

/** Kinds of injected fault. */
export type FaultKind = 'throttle' | 'provisioned' | '500' | 'latency' | 'drop' | 'error';

/** A fault to inject into the next `times` matching requests. */
export interface FaultSpec extends FaultBase {
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
  /** For `error`. `status` defaults to 400. */
  error?: { type: string; status?: number; message?: string };
}

/** One request the fake received. */
export interface FakeCall extends RecordedCall {
  /** Operation name from X-Amz-Target (e.g. `IndexFaces`), or the raw header when unknown. */
  op: string;
  /** The JSON body; Image.Bytes replaced by `{ byteLength, sha256 }`. */
  params: Json;
  /** From the SDK's `amz-sdk-request: attempt=N; max=M` header, when present. */
  attempt: number | null;
  fault: FaultKind | null;
  /** `__type` of an error response. */
  errorType: string | null;
}

/** A running fake: `url` is the SDK's `endpoint`. */
export interface FakeRekognition extends FakeHttpServer<FakeCall, FaultSpec> {
  /** Forgets state, pending faults and the call log, and restores the UPDATING window of the options; image declarations stay unless `images: true`. */
  reset(options?: { images?: boolean }): void;
  /** Sets how many requests a user reads UPDATING for after a change of its faces, counting the change's own (0: never). */
  setUserUpdatingWindow(requests: number): void;
  /** Says which faces the fake detects in exactly these bytes (which must still be a JPEG or PNG). */
  declareImage(bytes: Uint8Array, faces: DeclaredFace[], options?: { width?: number; height?: number }): void;
  /**
   * TEST-ONLY hook, no AWS behaviour: from now on (until `reset`) every
   * unsuccessful face deletion, association and disassociation also
   * carries these `Reasons`, standing for a reason AWS adds later. [] stops it.
   */
  setExtraFailureReasons(reasons: string[]): void;
}

/** Options for {@link startFakeRekognition}. */
export interface FakeRekognitionOptions extends FakeHttpServerOptions<FakeCall> {
  /** Region in ARNs. @default us-east-1 */
  region?: string;
  /** Requests a user reads UPDATING for after AssociateFaces/DisassociateFaces changed it, counting that response (service.ts). @default 0 (never UPDATING) */
  userUpdatingWindow?: number;
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

/** Starts a fake Rekognition on loopback. */
export async function startFakeRekognition(options: FakeRekognitionOptions = {}): Promise<FakeRekognition> {
  const state = new RekognitionState(options.region ?? 'us-east-1', options.userUpdatingWindow ?? 0);

  function parse(req: IncomingMessage, body: Buffer | null, requestId: string): ParsedRequest<FakeCall, Reply> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    const call: FakeCall = {
      op,
      params: {},
      attempt: attemptOf(req),
      fault: null,
      status: null,
      errorType: null,
      requestId,
      clientAborted: false,
    };
    const refuse = (type: string, status: number, message: string) => ({ call, answer: errorBody(new AwsError(type, status, message)) });

    if (body === null) return refuse('SerializationException', 413, `Request body larger than ${MAX_BODY_BYTES} bytes`);
    if (req.method !== 'POST' || (req.url ?? '/') !== '/') {
      return refuse('UnknownOperationException', 404, `Expected POST /, got ${req.method} ${req.url}`);
    }
    if (!target.startsWith(TARGET_PREFIX) || !(OPERATIONS as string[]).includes(op)) {
      return refuse(
        'UnknownOperationException',
        400,
        `Expected X-Amz-Target RekognitionService.<one of ${OPERATIONS.join(', ')}>, got ${target || 'none'}`,
      );
    }
    const contentType = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    if (contentType !== CONTENT_TYPE) {
      return refuse('SerializationException', 400, `Expected Content-Type ${CONTENT_TYPE}, got ${contentType || 'none'}`);
    }
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=')) {
      return refuse('MissingAuthenticationTokenException', 400, 'Missing Authentication Token');
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return refuse('SerializationException', 400, 'Expected a JSON object body, got malformed JSON');
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      return refuse('SerializationException', 400, 'Expected a JSON object body');
    }
    call.params = summarize(input as Json);
    return {
      call,
      run: () => {
        try {
          return { status: 200, errorType: null, body: state.handle(op as OperationName, input as Json) };
        } catch (e) {
          if (!(e instanceof AwsError)) throw e;
          return errorBody(e);
        }
      },
    };
  }

  const server = await startFakeHttpServer<FakeCall, FaultSpec, Reply>(
    {
      name: 'fake rekognition',
      operations: OPERATIONS,
      maxBodyBytes: MAX_BODY_BYTES,
      parse,
      send,
      record: (call, reply) => {
        call.errorType = reply.errorType;
      },
      faultReply: (fault) => {
        if (fault.kind !== 'error') return errorBody(FAULT_ERRORS[fault.kind]);
        const e = fault.error ?? { type: 'InternalServerError', status: 500 };
        return errorBody(new AwsError(e.type, e.status ?? 400, e.message ?? `Injected ${e.type}`));
      },
      internalError: (message) => errorBody(new AwsError('InternalServerError', 500, message)),
    },
    options,
  );

  return Object.assign(server, {
    reset(resetOptions?: { images?: boolean }) {
      state.reset(resetOptions);
      state.userUpdatingWindow = options.userUpdatingWindow ?? 0;
      server.clearFaults();
      server.clearCalls();
    },
    setUserUpdatingWindow(requests: number) {
      if (!Number.isInteger(requests) || requests < 0) throw new Error(`setUserUpdatingWindow: expected an integer ≥ 0, got ${requests}`);
      state.userUpdatingWindow = requests;
    },
    setExtraFailureReasons(reasons: string[]) {
      state.extraFailureReasons = [...reasons];
    },
    declareImage(bytes: Uint8Array, faces: DeclaredFace[], declareOptions: { width?: number; height?: number } = {}) {
      faces.forEach(checkDeclaredFace);
      state.declareImage(sha256Hex(bytes), { faces: faces.map((f) => ({ ...f })), ...declareOptions });
    },
  });
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
