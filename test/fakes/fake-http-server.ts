/**
 * The HTTP plumbing both protocol-faithful fakes share (./rekognition and
 * ./azure-face): a node:http server on a loopback port, request bodies read
 * under a size limit, injected faults (latency, dropped connections and the
 * fake's own error kinds, each for `times` matching requests, before or
 * after the operation runs) and the log of calls.
 *
 * A fake supplies only its protocol ({@link FakeProtocol}): how a request is
 * checked and routed, how an answer is written, what an injected fault
 * answers. Its own controls (state reset, image declarations, clock) are
 * added to the {@link FakeHttpServer} this returns.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Fault kinds this base applies itself; every other kind is the protocol's answer. */
export type TransportFaultKind = 'latency' | 'drop';

/** A fault to inject into the next `times` matching requests; each fake names its kinds and extra fields. */
export interface FaultBase {
  /** Only requests to this operation; any when absent. */
  op?: string;
  /** `latency`: answer normally after `latencyMs`; `drop`: destroy the socket without any response; others: the fake's. */
  kind: string;
  /** How many matching requests get the fault. */
  times: number;
  /** Matching requests let through unfaulted before the first faulted one (a failure part-way through a call). @default 0 */
  skip?: number;
  /** For `latency`. @default 1000 */
  latencyMs?: number;
  /**
   * `before` (default): the request has no effect. `after`: the operation
   * runs (its effects stay) and then its response is replaced by the fault
   * (or, for `latency`, delayed) — a lost or late response.
   */
  phase?: 'before' | 'after';
}

/** A fault the protocol answers (neither `latency` nor `drop`). */
export type ProtocolFault<Fault extends FaultBase> = Fault & { kind: Exclude<Fault['kind'], TransportFaultKind> };

/** What the log keeps of every request; each fake adds its protocol's fields. */
export interface RecordedCall {
  /** The operation, or a description of the request when none matched. */
  op: string;
  /** The fault applied to this request, if any. */
  fault: string | null;
  /** HTTP status sent; null when the connection was dropped or nothing was sent yet. */
  status: number | null;
  requestId: string;
  /** True when the client closed the connection before the answer (a cancelled or timed-out request). */
  clientAborted: boolean;
}

/** An answer; the protocol decides what else it carries. */
export interface Answer {
  status: number;
}

/**
 * What a fake made of one request: its log entry, and either the answer it
 * gets before any fault applies (a protocol error) or the operation to run.
 */
export type ParsedRequest<Call, Reply> = { call: Call; answer: Reply } | { call: Call; run: () => Reply };

/** The part of a fake that is its protocol. */
export interface FakeProtocol<Call extends RecordedCall, Fault extends FaultBase, Reply extends Answer> {
  /** Prefixes error messages, e.g. `fake rekognition`. */
  name: string;
  /** The operations a fault may name. */
  operations: readonly string[];
  /** Bodies larger than this are drained unkept and reach {@link parse} as null. */
  maxBodyBytes: number;
  /** Checks and routes one request; faults apply to `call.op`. */
  parse(req: IncomingMessage, body: Buffer | null, requestId: string): ParsedRequest<Call, Reply>;
  /** Writes `reply` with the protocol's headers. */
  send(res: ServerResponse, requestId: string, reply: Reply): void;
  /** Copies what the log keeps of `reply` beyond its status (its error code) onto `call`. */
  record(call: Call, reply: Reply): void;
  /** The answer an injected fault gives. */
  faultReply(fault: ProtocolFault<Fault>): Reply;
  /** The answer to a bug in the fake, rather than a hung request. */
  internalError(message: string): Reply;
}

/** Options every fake takes. */
export interface FakeHttpServerOptions<Call> {
  /** @default 0 (any free port) */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** Called once per request when it is answered (or dropped). */
  onCall?: (call: Call) => void;
}

/** The controls every running fake has. */
export interface FakeHttpServer<Call extends RecordedCall, Fault extends FaultBase> {
  /** `http://127.0.0.1:<port>`: the endpoint to give the client. */
  readonly url: string;
  readonly port: number;
  /** Every request received since start or the last reset, oldest first. */
  readonly calls: readonly Call[];
  /** Closes the server and every open connection. */
  stop(): Promise<void>;
  /** Empties the call log only (state and faults stay). */
  clearCalls(): void;
  /** Drops pending faults only (state and calls stay). */
  clearFaults(): void;
  /** Queues a fault; faults are matched in the order injected. */
  inject(fault: Fault): void;
  /** Calls to one operation (a convenience over `calls`). */
  callsTo(op: string): Call[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts a fake speaking `protocol` on loopback (or `options.host`). */
export async function startFakeHttpServer<Call extends RecordedCall, Fault extends FaultBase, Reply extends Answer>(
  protocol: FakeProtocol<Call, Fault, Reply>,
  options: FakeHttpServerOptions<Call> = {},
): Promise<FakeHttpServer<Call, Fault>> {
  const faults: (Fault & { left: number; skipLeft: number })[] = [];
  let calls: Call[] = [];

  const takeFault = (op: string): Fault | null => {
    const i = faults.findIndex((f) => f.left > 0 && (f.op === undefined || f.op === op));
    if (i === -1) return null;
    const fault = faults[i];
    if (fault.skipLeft > 0) {
      fault.skipLeft--;
      return null;
    }
    if (--fault.left === 0) faults.splice(i, 1);
    return fault;
  };

  const send = (res: ServerResponse, requestId: string, reply: Reply): void => {
    if (!res.destroyed) protocol.send(res, requestId, reply); // destroyed: the client gave up while we waited
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, randomUUID(), protocol.internalError(`${protocol.name}: ${String(e)}`));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const parsed = protocol.parse(req, await readBody(req, protocol.maxBodyBytes), requestId);
    const { call } = parsed;
    calls.push(call);
    res.once('close', () => {
      if (!res.writableFinished && call.fault !== 'drop') call.clientAborted = true;
    });
    const reply = (r: Reply): void => {
      call.status = r.status;
      protocol.record(call, r);
      send(res, requestId, r);
      options.onCall?.(call);
    };
    const applyFault = (fault: Fault): void => {
      if (fault.kind !== 'drop') return reply(protocol.faultReply(fault as ProtocolFault<Fault>));
      req.socket.destroy();
      options.onCall?.(call);
    };

    if ('answer' in parsed) return reply(parsed.answer);
    const fault = takeFault(call.op);
    call.fault = fault?.kind ?? null;
    const phase = fault?.phase ?? 'before';
    if (fault && phase === 'before') {
      if (fault.kind === 'latency') await sleep(fault.latencyMs ?? 1000);
      else return applyFault(fault);
    }
    const result = parsed.run();
    if (fault && phase === 'after') {
      if (fault.kind === 'latency') await sleep(fault.latencyMs ?? 1000);
      else return applyFault(fault);
    }
    reply(result);
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

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
    clearCalls() {
      calls = [];
    },
    clearFaults() {
      faults.length = 0;
    },
    inject(fault) {
      if (!Number.isInteger(fault.times) || fault.times < 1) {
        throw new Error(`${protocol.name}: inject expected times ≥ 1, got ${fault.times}`);
      }
      if (fault.op !== undefined && !protocol.operations.includes(fault.op)) {
        throw new Error(`${protocol.name}: inject expected op to be one of ${protocol.operations.join(', ')}, got ${fault.op}`);
      }
      faults.push({ ...fault, left: fault.times, skipLeft: fault.skip ?? 0 });
    },
    callsTo(op) {
      return calls.filter((c) => c.op === op);
    },
  };
}

/**
 * The body, or null when it exceeds `maxBytes`; an oversized body is still
 * read to its end (unkept) so the answer reaches a client still uploading.
 */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= maxBytes) chunks.push(chunk as Buffer);
  }
  return size > maxBytes ? null : Buffer.concat(chunks);
}
