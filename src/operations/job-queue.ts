/** Where operations wait for a worker. Jobs are operation ids; the state lives in the store. */
export interface JobQueue {
  enqueue(operationId: string): void;
  /** Stops taking jobs and waits for the one running. */
  stop(): Promise<void>;
  /**
   * Whether this queue re-delivers jobs whose worker died (a shared queue
   * does; the in-process one cannot, so the service resumes them at start).
   */
  readonly redelivers: boolean;
}

/**
 * The in-process job queue of the embedded default: operation ids run one
 * at a time, off the request path. Durable state lives in the store, so a
 * restart re-enqueues what was pending (see SnapshotService.resume).
 */
export class InProcessJobQueue implements JobQueue {
  readonly redelivers = false;

  private readonly pending: string[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly run: (operationId: string) => Promise<void>) {}

  enqueue(operationId: string): void {
    if (this.stopped) return;
    this.pending.push(operationId);
    // A job outlives the request that enqueued it: its provider calls pass no request's call options.
    this.running ??= this.drain();
  }

  /** Stops taking jobs and waits for the one running. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.length = 0;
    await this.running;
  }

  private async drain(): Promise<void> {
    try {
      for (let id = this.pending.shift(); id !== undefined && !this.stopped; id = this.pending.shift()) {
        await this.run(id);
      }
    } finally {
      this.running = null;
    }
  }
}
