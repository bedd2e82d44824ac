/**
 * Complete GraphQL responses, written together once per event-loop turn
 * instead of each the moment it is ready.
 *
 * Why: a small response's largest cost is not ours but the kernel's. Its
 * socket write also delivers the bytes to the peer and, when the peer sleeps
 * waiting for them, wakes it; in a VM that wake-up is an inter-processor
 * interrupt, paid inside our `writev`. Answered one by one, interleaved with
 * reading the next requests, nearly every response finds its client asleep
 * again. Written back to back at the end of the turn (`setImmediate`, after
 * the poll phase has read every socket that was ready), the first write
 * wakes the client and the rest find it running (BENCHMARKS.md, round 5).
 * What it adds to latency is the rest of the current turn.
 *
 * A response is queued whole (status, headers, body); streamed responses
 * are written directly.
 */
import type { ServerResponse } from 'node:http';

/** What {@link ResponseBatch} calls when a queued response cannot be written (a header value node:http refuses, say). */
export type WriteFailed = (error: unknown, res: ServerResponse) => void;

interface QueuedResponse {
  res: ServerResponse;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Queues complete responses and writes them all in the check phase of the
 * current event-loop turn.
 *
 * ```ts
 * const responses = new ResponseBatch((err, res) => res.destroy());
 * responses.end(res, 200, { 'content-type': 'application/json' }, text);
 * ```
 */
export class ResponseBatch {
  private queued: QueuedResponse[] = [];
  private readonly flushBound = () => this.flush();

  /** `onWriteFailed` gets what a write throws; the other queued responses are written all the same. */
  constructor(private readonly onWriteFailed: WriteFailed) {}

  /** Queues `body` as the whole response to `res`; `content-length` is added. */
  end(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
    headers['content-length'] = String(Buffer.byteLength(body));
    if (this.queued.push({ res, status, headers, body }) === 1) setImmediate(this.flushBound);
  }

  /** Writes every queued response now (the gateway's stop calls it before closing connections). */
  flush(): void {
    const queued = this.queued;
    if (queued.length === 0) return;
    this.queued = [];
    for (const { res, status, headers, body } of queued) {
      try {
        res.writeHead(status, headers);
        res.end(body);
      } catch (e) {
        this.onWriteFailed(e, res);
      }
    }
  }
}
