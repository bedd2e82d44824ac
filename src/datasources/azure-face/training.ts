/**
 * Training of one collection's LargePersonGroup, or of its companion
 * LargeFaceList (a {@link TrainingTarget}). Azure's identify (findsimilars)
 * only sees what the group's (list's) last finished training saw, answers
 * 400 *NotTrained before the first one and 409 *TrainingNotFinished during
 * one, so:
 *
 * - every change of users' faces marks the index (`seq`) and schedules a
 *   training `debounceMs` after the last change (one training for a burst);
 * - {@link Trainer.waitTrained} starts it at once and waits, bounded, until
 *   a training that includes every change made so far has finished — what
 *   a search does first, so it sees its own writes;
 * - a training is: POST train (on 409 wait for the running one, then again),
 *   then poll GET training every `pollMs` until succeeded or failed, within
 *   `timeoutMs`. Changes made meanwhile cause another round.
 *
 * A failed training is remembered: waiters get it as PROVIDER_UNAVAILABLE;
 * the next change or search tries again.
 */
import { DomainError } from '../../domain/errors.js';
import type { CallOptions, TrainingRounds } from '../provider.js';
import type { CollectionIndex } from './collection-index.js';
import { hasCode, toDomainError, type CallContext } from './errors.js';
import type { TrainingStatusOut } from './face-api-shapes.js';
import type { FaceTransport } from './transport.js';

/** What a {@link Trainer} trains: its Azure calls and the change counters that say what a training must include. */
export interface TrainingTarget {
  readonly collectionId: string;
  /** Azure's container type, the prefix of its error codes (…NotTrained, …TrainingNotFinished). */
  readonly kind: 'LargePersonGroup' | 'LargeFaceList';
  /** Bumped by every change a training must include. */
  readonly seq: number;
  /** The highest `seq` a finished training is known to include. */
  trainedSeq: number;
  /** Records a change (a round is due even when nothing else changed). */
  markChanged(): void;
  /** POST train (202). */
  train(): Promise<void>;
  /** GET training. */
  status(call: CallOptions | undefined): Promise<TrainingStatusOut>;
}

/** The collection's LargePersonGroup: its changes are users' face changes (`index.seq`). */
export function groupTraining(api: FaceTransport, index: CollectionIndex): TrainingTarget {
  return {
    collectionId: index.collectionId,
    kind: 'LargePersonGroup',
    get seq() {
      return index.seq;
    },
    get trainedSeq() {
      return index.trainedSeq;
    },
    set trainedSeq(n: number) {
      index.trainedSeq = n;
    },
    markChanged: () => index.markChanged([]),
    train: () => api.trainLargePersonGroup(index.collectionId, undefined),
    status: (call) => api.getTrainingStatus(index.collectionId, call),
  };
}

/** The companion LargeFaceList (the face registry): its changes are faces added or deleted (`index.list`). */
export function listTraining(api: FaceTransport, index: CollectionIndex): TrainingTarget {
  const counter = index.list;
  return {
    collectionId: index.collectionId,
    kind: 'LargeFaceList',
    get seq() {
      return counter.seq;
    },
    get trainedSeq() {
      return counter.trainedSeq;
    },
    set trainedSeq(n: number) {
      counter.trainedSeq = n;
    },
    markChanged: () => index.markListChanged(),
    train: () => api.trainLargeFaceList(index.collectionId, undefined),
    status: (call) => api.getListTrainingStatus(index.collectionId, call),
  };
}

export interface TrainerOptions {
  debounceMs: number;
  pollMs: number;
  timeoutMs: number;
  /** Told about a failed training round (also when nobody waits for it). */
  onError?: (error: DomainError) => void;
  /** Where each round is reported (read at each round's start: the observer may be attached later). */
  rounds?: () => TrainingRounds | undefined;
}

export class Trainer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastError: DomainError | null = null;
  private closed = false;
  /** Callers of {@link trainNow} waiting for the round that includes change `target` to start. */
  private roundWaiters: { target: number; resolve: (operationId: string | null | Promise<string | null>) => void }[] = [];

  constructor(
    private readonly index: TrainingTarget,
    private readonly options: TrainerOptions,
    private readonly ctx: CallContext,
  ) {}

  /** A change was made: train `debounceMs` after the last one. */
  schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.ensureRunning();
    }, this.options.debounceMs);
    this.timer.unref();
  }

  /**
   * Starts a round now (cancelling the debounce) that includes every change
   * so far, even when nothing changed since the last one, and resolves to
   * the operation id the observer gave that round once it starts.
   */
  trainNow(): Promise<string | null> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.index.markChanged();
    const target = this.index.seq;
    const started = new Promise<string | null>((resolve) => this.roundWaiters.push({ target, resolve }));
    void this.ensureRunning();
    return started;
  }

  /** Whether a training round is under way. */
  get busy(): boolean {
    return this.running !== null;
  }

  /**
   * Trains now if a change is not in a finished training yet, and waits up
   * to `waitMs` for that. True when trained; false when time ran out.
   * Throws the failure of the training (PROVIDER_UNAVAILABLE, THROTTLED…).
   */
  async waitTrained(waitMs: number): Promise<boolean> {
    const target = this.index.seq;
    const deadline = Date.now() + waitMs;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.index.trainedSeq < target) {
      if (this.closed) throw this.closedError();
      const round = this.ensureRunning();
      const finished = await raceTimeout(round, deadline - Date.now());
      if (!finished) return false;
      if (this.index.trainedSeq < target && this.lastError) throw this.lastError;
    }
    return true;
  }

  /**
   * Waits (bounded) until the group is not training any more — for a 409
   * *TrainingNotFinished from a training this process did not start.
   * True when idle. `call`: the search's, for the status polls it makes.
   */
  async waitIdle(waitMs: number, call: CallOptions | undefined): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    if (this.running && !(await raceTimeout(this.running, waitMs))) return false;
    try {
      await this.pollUntilDone(deadline, call);
      return true;
    } catch (e) {
      if (e instanceof DomainError && e.code === 'THROTTLED') return false;
      throw e;
    }
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.roundWaiters.splice(0)) waiter.resolve(null);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private ensureRunning(): Promise<void> {
    if (!this.running) {
      // Shared by every waiting request: its Face calls pass no request's call options, so none of them may cancel it.
      this.running = this.loop().finally(() => {
        this.running = null;
        // A failed round ends the loop; a trainNow() made during it still needs its own round.
        if (this.roundWaiters.length > 0 && !this.closed) void this.ensureRunning();
      });
    }
    return this.running;
  }

  /** Trains until every change is in a finished training, or one fails. Never rejects. */
  private async loop(): Promise<void> {
    while (!this.closed && this.index.trainedSeq < this.index.seq) {
      const target = this.index.seq;
      const rounds = this.options.rounds?.();
      const operationId = rounds ? rounds.started(this.index.collectionId).catch(() => null) : Promise.resolve(null);
      this.roundWaiters = this.roundWaiters.filter((w) => (w.target <= target ? (w.resolve(operationId), false) : true));
      try {
        await this.trainOnce();
        this.index.trainedSeq = Math.max(this.index.trainedSeq, target);
        this.lastError = null;
        rounds?.finished(operationId, null);
      } catch (e) {
        this.lastError = toDomainError(e, this.ctx);
        rounds?.finished(operationId, this.lastError);
        if (!this.closed) this.options.onError?.(this.lastError);
        return;
      }
    }
  }

  private async trainOnce(): Promise<void> {
    const deadline = Date.now() + this.options.timeoutMs;
    for (;;) {
      try {
        await this.index.train();
        break;
      } catch (e) {
        // Someone else's training is running: wait for it, then start ours.
        if (!hasCode(e, `${this.index.kind}TrainingNotFinished`)) throw e;
        await this.pollUntilDone(deadline, undefined);
      }
    }
    const status = await this.pollUntilDone(deadline, undefined);
    if (status.status === 'failed') {
      throw new DomainError(
        'PROVIDER_UNAVAILABLE',
        `Azure Face training of collection "${this.index.collectionId}" (${this.index.kind}, provider "${this.ctx.provider}") failed: expected status succeeded, got failed`,
        {
          provider: this.ctx.provider,
          collectionId: this.index.collectionId,
          operation: `Train${this.index.kind}`,
          providerCode: 'TrainingFailed',
        },
        // Azure's own words on why, for the logs only.
        status.message ? new Error(status.message) : undefined,
      );
    }
  }

  /** Polls the training status until it is succeeded or failed. THROTTLED at the deadline. */
  private async pollUntilDone(deadline: number, call: CallOptions | undefined): Promise<TrainingStatusOut> {
    for (;;) {
      if (this.closed) throw this.closedError();
      let status: TrainingStatusOut;
      try {
        status = await this.index.status(call);
      } catch (e) {
        // Never trained: nothing runs.
        if (hasCode(e, `${this.index.kind}NotTrained`)) return { status: 'failed', message: 'not trained' };
        throw e;
      }
      if (status.status === 'succeeded' || status.status === 'failed') return status;
      const left = deadline - Date.now();
      if (left <= 0) {
        const retryAfterMs = Math.max(this.options.pollMs, 1000);
        throw new DomainError(
          'THROTTLED',
          `Azure Face training of collection "${this.index.collectionId}" (${this.index.kind}, provider "${this.ctx.provider}") is still ${status.status}: expected it to finish in time; retry after ${retryAfterMs} ms`,
          {
            provider: this.ctx.provider,
            collectionId: this.index.collectionId,
            operation: `Get${this.index.kind}TrainingStatus`,
            providerCode: status.status,
            retryAfterMs,
          },
        );
      }
      await sleep(Math.min(this.options.pollMs, left));
    }
  }

  private closedError(): DomainError {
    return new DomainError(
      'PROVIDER_UNAVAILABLE',
      `Provider "${this.ctx.provider}" is unavailable: expected an open provider, got one that was closed`,
      {
        provider: this.ctx.provider,
      },
    );
  }
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** True when `promise` settles within `ms`. */
async function raceTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms <= 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
