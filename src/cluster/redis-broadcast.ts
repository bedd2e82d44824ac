/**
 * A Redis pub/sub channel shared by every replica: operation progress
 * (ProgressBus) and collection changes (the local provider's search index)
 * travel on one each. Every replica publishes and receives everything,
 * itself included. Redis keeps nothing: a message published while Redis is
 * down is lost, so every user of a channel also has a way to catch up (a
 * progress subscriber re-reads the stored operation every second; a search
 * index reloads when Redis comes back).
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export class RedisBroadcast {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers: ((key: string, payload: string) => void)[] = [];
  private readonly channel: string;

  private readonly reconnectHandlers: (() => void)[] = [];

  /** `prefix` separates deployments sharing one Redis; `name` the channels of one deployment. */
  constructor(
    redisUrl: string,
    prefix: string,
    name: string,
    private readonly logger: Logger,
  ) {
    this.channel = `${prefix}:${name}`;
    // Reconnect forever with a capped backoff: a replica degrades while Redis is away and recovers with it.
    const options = { maxRetriesPerRequest: 1, retryStrategy: (times: number) => Math.min(times * 200, 2000), lazyConnect: true };
    this.publisher = new Redis(redisUrl, options);
    this.subscriber = new Redis(redisUrl, options);
    for (const [role, client] of [
      ['publisher', this.publisher],
      ['subscriber', this.subscriber],
    ] as const) {
      client.on('error', (err: Error) => this.logger.warn({ role, err: err.message }, 'redis connection error'));
    }
    // After a reconnect, messages sent meanwhile are lost: users resynchronise.
    this.subscriber.on('ready', () => {
      if (this.started) for (const h of this.reconnectHandlers) h();
    });
    this.subscriber.on('message', (_channel: string, message: string) => {
      const cut = message.indexOf('\n');
      if (cut > 0) for (const h of this.handlers) h(message.slice(0, cut), message.slice(cut + 1));
    });
  }

  /** Connects both clients and subscribes; rejects if Redis cannot be reached now. */
  async start(): Promise<void> {
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    await this.subscriber.subscribe(this.channel);
    this.started = true;
  }

  private started = false;

  /** Called after the subscriber reconnects (messages may have been missed). */
  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  publish(key: string, payload: string): void {
    this.publisher.publish(this.channel, `${key}\n${payload}`).catch((err: Error) => {
      this.logger.warn({ channel: this.channel, key, err: err.message }, 'message not published (redis unavailable)');
    });
  }

  /** Registers a handler of every message on the channel. */
  onMessage(handler: (key: string, payload: string) => void): void {
    this.handlers.push(handler);
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
