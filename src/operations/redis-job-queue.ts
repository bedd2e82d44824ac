/**
 * Operations dispatched through a BullMQ queue on Redis, for several
 * replicas: at-least-once delivery with a lease (BullMQ's job lock). When the
 * replica running a job dies, its lock lapses, the job is seen as stalled
 * and another replica's worker runs it again — so every operation step must
 * be idempotent (SnapshotService.run: a take restarts its copy, an apply
 * removes its partial target and starts over).
 */
import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { InProcessJobQueue, type JobQueue } from './job-queue.js';

const QUEUE_NAME = 'facegate-operations';

export interface RedisJobQueueOptions {
  redisUrl: string;
  /** BullMQ key prefix: replicas of one deployment share it, other deployments must not. */
  prefix: string;
  logger: Logger;
  /** How long a worker's lease lasts without renewal; a dead replica's job is re-run after about this long. @default 10000 */
  leaseMs?: number;
}

export class RedisJobQueue implements JobQueue {
  readonly redelivers = true;
  private readonly queue: Queue;
  private readonly worker: Worker;

  constructor(run: (operationId: string) => Promise<void>, options: RedisJobQueueOptions) {
    const url = new URL(options.redisUrl);
    const connection = {
      host: url.hostname,
      port: Number(url.port || 6379),
      password: url.password || undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      // BullMQ workers block on Redis; this must be null for them.
      maxRetriesPerRequest: null,
    };
    const leaseMs = options.leaseMs ?? 10_000;
    this.queue = new Queue(QUEUE_NAME, { connection, prefix: options.prefix });
    this.worker = new Worker(QUEUE_NAME, async (job) => run(String(job.data.operationId)), {
      connection,
      prefix: options.prefix,
      concurrency: 1,
      lockDuration: leaseMs,
      stalledInterval: Math.max(1000, Math.floor(leaseMs / 2)),
      maxStalledCount: 5,
    });
    this.worker.on('error', (err) => options.logger.warn({ err: err.message }, 'job queue worker error'));
    this.queue.on('error', (err) => options.logger.warn({ err: err.message }, 'job queue error'));
  }

  enqueue(operationId: string): void {
    // jobId = operation id: enqueuing twice (e.g. by two replicas) runs it once.
    void this.queue
      .add(
        'operation',
        { operationId },
        { jobId: operationId, attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 1000 },
      )
      .catch(() => {
        // Redis is down: the operation stays NOT_STARTED in the store and is re-enqueued by resume().
      });
  }

  /** Stops without waiting for Redis: a job cut short here is re-delivered to another replica after its lease. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.worker.close(true), this.queue.close()]);
  }
}

/**
 * The queue operations run on: BullMQ on Redis when `redis` is given (jobs
 * of a dead replica are re-run by another), in process otherwise.
 */
export function jobQueueOf(redis: RedisJobQueueOptions | undefined): (run: (operationId: string) => Promise<void>) => JobQueue {
  return (run) => (redis ? new RedisJobQueue(run, redis) : new InProcessJobQueue(run));
}
