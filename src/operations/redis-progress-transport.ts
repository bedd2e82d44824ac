/**
 * Carries operation progress between replicas over Redis pub/sub: every
 * replica publishes to one channel and delivers what it receives to its own
 * subscribers. Redis keeps nothing; an event published while Redis is down
 * is lost, which subscribers survive because they also re-read the stored
 * operation every second (SnapshotService.progress).
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ProgressTransport } from './progress-bus.js';

export class RedisProgressTransport implements ProgressTransport {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private handler: ((operationId: string, payload: string) => void) | undefined;
  private readonly channel: string;

  /** `prefix` separates deployments sharing one Redis. */
  constructor(redisUrl: string, prefix: string, private readonly logger: Logger) {
    this.channel = `${prefix}:operation-progress`;
    // Reconnect forever with a capped backoff: a replica degrades while Redis is away and recovers with it.
    const options = { maxRetriesPerRequest: 1, retryStrategy: (times: number) => Math.min(times * 200, 2000), lazyConnect: true };
    this.publisher = new Redis(redisUrl, options);
    this.subscriber = new Redis(redisUrl, options);
    for (const [role, client] of [['publisher', this.publisher], ['subscriber', this.subscriber]] as const) {
      client.on('error', (err: Error) => this.logger.warn({ role, err: err.message }, 'redis connection error'));
    }
    this.subscriber.on('message', (_channel: string, message: string) => {
      const cut = message.indexOf('\n');
      if (cut > 0) this.handler?.(message.slice(0, cut), message.slice(cut + 1));
    });
  }

  /** Connects both clients and subscribes; rejects if Redis cannot be reached now. */
  async start(): Promise<void> {
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    await this.subscriber.subscribe(this.channel);
  }

  publish(operationId: string, payload: string): void {
    this.publisher.publish(this.channel, `${operationId}\n${payload}`).catch((err: Error) => {
      this.logger.warn({ operationId, err: err.message }, 'progress event not published (redis unavailable); subscribers will re-read it');
    });
  }

  onMessage(handler: (operationId: string, payload: string) => void): void {
    this.handler = handler;
  }

  /** Whether both connections are up (for /readyz). */
  get ready(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  async close(): Promise<void> {
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}
