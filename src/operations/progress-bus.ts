/**
 * Operation state changes, fanned out to subscribers (snapshotProgress).
 *
 * A subscription is registered the moment `subscribe` is called, not when
 * it is first pulled, so a caller can subscribe, then read the current state,
 * and lose nothing in between. Closing a subscription ends a pending `next()`
 * at once (an async generator would wait for one more event first).
 *
 * In-process by default. For several replicas a transport (e.g. Redis)
 * carries published records between processes; they cross it as JSON,
 * hence the wire form with ISO dates.
 */
import { isTerminal, type OperationRecord } from '../domain/operation-records.js';

/** Carries published records to every replica, including this one. */
export interface ProgressTransport {
  publish(operationId: string, payload: string): void;
  /** Registers the single handler that receives every payload published anywhere. */
  onMessage(handler: (operationId: string, payload: string) => void): void;
}

export interface ProgressSubscription extends AsyncIterableIterator<OperationRecord> {
  /** Stops delivery and ends a pending `next()`. */
  return(): Promise<IteratorResult<OperationRecord>>;
  /** Like `next()`, but gives up after `ms` with 'timeout' (an event arriving later stays queued). */
  nextWithin(ms: number): Promise<IteratorResult<OperationRecord> | 'timeout'>;
}

/**
 * Queued events of one subscriber beyond this are dropped, oldest first (a
 * stalled client must not grow memory). Consecutive progress events are
 * coalesced anyway, so only status changes can pile up.
 */
const MAX_QUEUED = 1024;

export class ProgressBus {
  private readonly listeners = new Map<string, Set<(r: OperationRecord) => void>>();

  constructor(private readonly transport?: ProgressTransport) {
    transport?.onMessage((id, payload) => this.deliver(id, decode(payload)));
  }

  publish(record: OperationRecord): void {
    if (this.transport) this.transport.publish(record.id, encode(record));
    else this.deliver(record.id, record);
  }

  /** Every change of one operation published from now on, until `return()`. */
  subscribe(operationId: string): ProgressSubscription {
    const queue: OperationRecord[] = [];
    let waiting: ((r: IteratorResult<OperationRecord>) => void) | null = null;
    let closed = false;
    const listener = (record: OperationRecord) => {
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve({ value: record, done: false });
      } else if (queue.length > 0 && !isTerminal(queue[queue.length - 1].status) && !isTerminal(record.status)) {
        // A subscriber that is behind gets the newest progress, not a backlog of stale ones.
        queue[queue.length - 1] = record;
      } else {
        queue.push(record);
        if (queue.length > MAX_QUEUED) queue.shift();
      }
    };
    const set = this.listeners.get(operationId) ?? new Set();
    set.add(listener);
    this.listeners.set(operationId, set);

    const close = () => {
      if (closed) return;
      closed = true;
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(operationId);
      waiting?.({ value: undefined, done: true });
      waiting = null;
    };
    const next = (): Promise<IteratorResult<OperationRecord>> => {
      if (queue.length > 0) return Promise.resolve({ value: queue.shift()!, done: false });
      if (closed) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    };
    return {
      next,
      nextWithin: (ms) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => {
            waiting = null; // a later event is queued instead of resolving this call
            resolve('timeout');
          }, ms);
          void next().then((r) => {
            clearTimeout(timer);
            resolve(r);
          });
        }),
      return: () => {
        close();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /**
   * Hands `record` to this replica's subscribers of its operation only, not
   * through the transport: a state read back from the store (see
   * operation-poll.ts), which every replica reads for itself.
   */
  deliverLocally(record: OperationRecord): void {
    this.deliver(record.id, record);
  }

  /** Subscribers currently registered (for metrics and tests). */
  get subscriberCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  private deliver(operationId: string, record: OperationRecord): void {
    for (const listener of this.listeners.get(operationId) ?? []) listener(record);
  }
}

function encode(r: OperationRecord): string {
  return JSON.stringify(r);
}

function decode(payload: string): OperationRecord {
  const r = JSON.parse(payload) as OperationRecord & { createdAt: string; lastActionAt: string };
  return { ...r, createdAt: new Date(r.createdAt), lastActionAt: new Date(r.lastActionAt) };
}
