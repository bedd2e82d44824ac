/**
 * Per-tenant rate limit: one token bucket per tenant, one token per GraphQL
 * request over HTTP and per `subscribe` message over WebSocket (a batch of
 * aliased mutations is one request: the query limits bound its size).
 *
 * A refusal happens before the document is parsed or anything runs, so a
 * throttled request has no effect. Its shape follows what Apollo Client and
 * plain fetch users already handle for "429 Too Many Requests":
 *
 * - HTTP: status 429, a `Retry-After` header in whole seconds (rounded up),
 *   and the body `{ errors: [{ message, extensions: { code: "THROTTLED",
 *   retryAfterMs } }] }` (Apollo Client's HttpLink reports it as a
 *   ServerError whose `result` carries these errors; RetryLink can honour
 *   `retryAfterMs`).
 * - WebSocket: an `error` message for that operation id with the same error;
 *   the connection stays open.
 *
 * Buckets live in this process: with N replicas a tenant gets up to N times
 * its rate (put the limit per replica accordingly).
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** Rate of one tenant. */
export interface RateLimitRate {
  /** Tokens added each second (sustained requests per second). */
  requestsPerSecond: number;
  /** Bucket size: requests allowed at once after a quiet period. @default requestsPerSecond (at least 1) */
  burst: number;
}

/** Rate limit configuration (`limits.rateLimit` in the configuration file). */
export interface RateLimitConfig {
  /** Rate of every tenant not listed in `tenants`. */
  default: RateLimitRate;
  /** Rates of particular tenants. */
  tenants: Record<string, RateLimitRate>;
}

/** A refusal: how long until the request would be allowed. */
export interface Throttle {
  retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Buckets kept before idle (full) ones are dropped; tenant ids may come from JWT claims. */
const MAX_BUCKETS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one token of `tenant`; null when allowed, the wait otherwise. */
  take(tenant: string): Throttle | null {
    const rate = this.config.tenants[tenant] ?? this.config.default;
    const now = this.now();
    let bucket = this.buckets.get(tenant);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.dropIdle(now);
      bucket = { tokens: rate.burst, updatedAt: now };
      this.buckets.set(tenant, bucket);
    }
    bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate.requestsPerSecond);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return { retryAfterMs: Math.ceil(((1 - bucket.tokens) / rate.requestsPerSecond) * 1000) };
  }

  private dropIdle(now: number): void {
    for (const [tenant, bucket] of this.buckets) {
      const rate = this.config.tenants[tenant] ?? this.config.default;
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate.requestsPerSecond >= rate.burst) this.buckets.delete(tenant);
    }
    // Everyone busy: forget the oldest rather than grow without bound.
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value as string);
  }
}

/** The GraphQL error of a throttled request (HTTP body and WebSocket `error` message alike). */
export function throttledError(tenant: string, throttle: Throttle): GraphQLError {
  return new GraphQLError(
    `rate limit: expected tenant "${tenant}" to stay within its requests per second, got one request too many; retry after ${throttle.retryAfterMs} ms`,
    { extensions: { code: 'THROTTLED', retryAfterMs: throttle.retryAfterMs } },
  );
}

/** Status, headers and body of a throttled HTTP request. */
export function throttledResponse(
  tenant: string,
  throttle: Throttle,
): { status: 429; headers: Record<string, string>; body: { errors: GraphQLFormattedError[] } } {
  return {
    status: 429,
    headers: { 'retry-after': String(Math.max(1, Math.ceil(throttle.retryAfterMs / 1000))) },
    body: { errors: [throttledError(tenant, throttle).toJSON()] },
  };
}
