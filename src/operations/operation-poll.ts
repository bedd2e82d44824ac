/**
 * One store read per second per followed operation, however many follow it.
 *
 * A `snapshotProgress` stream is driven by ProgressBus events; a periodic
 * store read covers events the transport lost (a Redis restart, a replica
 * that died mid-publish). Each stream used to read for itself, so N
 * subscribers of one operation cost N reads a second. Here the first
 * follower of an operation starts its read and the last one to leave stops
 * it; what is read is delivered to this replica's subscribers of the
 * operation through the bus (never published to other replicas), where each
 * stream drops what it has already seen.
 */
import type { Logger } from 'pino';
import type { OperationRecord } from '../domain/operation-records.js';

/** What an {@link OperationPoll} reads and where it delivers. */
export interface OperationPollOptions {
  /** The stored operation, or null once it no longer exists. */
  read: (operationId: string) => Promise<OperationRecord | null>;
  /** Hands a record read to this replica's subscribers of its operation. */
  deliver: (record: OperationRecord) => void;
  logger: Pick<Logger, 'warn'>;
  /** How often a followed operation is read. @default 1000 */
  everyMs?: number;
}

interface Followed {
  timer: NodeJS.Timeout;
  /** Called when the operation no longer exists: its streams end. */
  gone: Set<() => void>;
  /** A read still running: the next tick skips rather than stacking reads on a slow store. */
  reading: boolean;
}

export class OperationPoll {
  private readonly followed = new Map<string, Followed>();

  constructor(private readonly options: OperationPollOptions) {}

  /** Follows `operationId` until the returned function is called; `onGone` runs if the operation disappears. */
  follow(operationId: string, onGone: () => void): () => void {
    let entry = this.followed.get(operationId);
    if (!entry) {
      const created: Followed = {
        gone: new Set(),
        reading: false,
        timer: setInterval(() => void this.tick(operationId, created), this.options.everyMs ?? 1000),
      };
      created.timer.unref();
      this.followed.set(operationId, (entry = created));
    }
    const followed = entry;
    followed.gone.add(onGone);
    return () => {
      followed.gone.delete(onGone);
      if (followed.gone.size > 0 || this.followed.get(operationId) !== followed) return;
      clearInterval(followed.timer);
      this.followed.delete(operationId);
    };
  }

  /** Operations followed now (for tests). */
  get size(): number {
    return this.followed.size;
  }

  /** Stops every read (the gateway is stopping). */
  stop(): void {
    for (const entry of this.followed.values()) clearInterval(entry.timer);
    this.followed.clear();
  }

  private async tick(operationId: string, entry: Followed): Promise<void> {
    if (entry.reading) return;
    entry.reading = true;
    try {
      const record = await this.options.read(operationId);
      if (record) this.options.deliver(record);
      else for (const gone of [...entry.gone]) gone();
    } catch (err) {
      // A failed read is retried on the next tick; the bus's events still flow meanwhile.
      this.options.logger.warn({ err, operationId }, 'reading a followed operation failed');
    } finally {
      entry.reading = false;
    }
  }
}
