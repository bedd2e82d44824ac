/**
 * Per-tenant rate limit: one token bucket per tenant, in cost units — the
 * operation cost the query limits compute (security/query-limits.ts: a
 * field is 1, times the page sizes around it; an image input 1000 more).
 * A request pays in two steps: one token before its document is parsed (a
 * tenant with an empty bucket is refused before any work), and the rest of
 * its operation's cost once validation has computed it, before anything
 * runs. So 300 aliased image searches are not one request's worth, and a
 * page of 10,000 faces is not worth the same as `{ providers { name } }`.
 *
 * An operation that costs more than the tenant's burst runs when the bucket
 * is full and leaves it in debt: the tenant then waits until the debt is
 * repaid. Nothing a tenant may send is refused forever by the rate limit
 * alone (the query limits refuse what is too costly outright).
 *
 * A refusal happens before anything runs, so a throttled request has no
 * effect. Its shape follows what Apollo Client and plain fetch users
 * already handle for "429 Too Many Requests":
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

/** Rate of one tenant, in cost units (see the module comment). */
export interface RateLimitRate {
  /** Cost units added to the bucket each second: the sustained cost per second. */
  costPerSecond: number;
  /** Bucket size: the cost allowed at once after a quiet period. @default costPerSecond (at least 1) */
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

  /**
   * Takes what is left to pay of `cost` for `tenant`, of which the request
   * already took `paid` (the token before parsing); null when allowed, the
   * wait otherwise. Allowed when the bucket held `cost` before that payment,
   * or was full for a cost above the burst (the bucket then goes into
   * debt). When refused nothing more is taken, and what was paid stays paid
   * (it bought the parsing and validation): the wait is until the bucket
   * holds the whole cost again, which a retry pays in full.
   */
  take(tenant: string, cost = 1, paid = 0): Throttle | null {
    const rate = this.config.tenants[tenant] ?? this.config.default;
    const now = this.now();
    let bucket = this.buckets.get(tenant);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.dropIdle(now);
      bucket = { tokens: rate.burst, updatedAt: now };
      this.buckets.set(tenant, bucket);
    }
    bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate.costPerSecond);
    bucket.updatedAt = now;
    if (cost <= paid) return null;
    const needed = Math.min(cost, rate.burst);
    if (bucket.tokens + paid >= needed) {
      bucket.tokens -= cost - paid;
      return null;
    }
    return { retryAfterMs: Math.ceil(((needed - bucket.tokens) / rate.costPerSecond) * 1000) };
  }

  /**
   * Gives `cost` tokens back to `tenant` (up to its burst): for a request
   * that paid for its operation and then was handed on to be paid for again
   * (a fast-path plan whose variables did not coerce goes on to Apollo).
   */
  give(tenant: string, cost: number): void {
    const bucket = this.buckets.get(tenant);
    if (!bucket || cost <= 0) return;
    bucket.tokens = Math.min((this.config.tenants[tenant] ?? this.config.default).burst, bucket.tokens + cost);
  }

  private dropIdle(now: number): void {
    for (const [tenant, bucket] of this.buckets) {
      const rate = this.config.tenants[tenant] ?? this.config.default;
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate.costPerSecond >= rate.burst) this.buckets.delete(tenant);
    }
    // Everyone busy: forget the oldest rather than grow without bound.
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value as string);
  }
}

/** The GraphQL error of a throttled request (HTTP body and WebSocket `error` message alike). */
export function throttledError(tenant: string, throttle: Throttle): GraphQLError {
  return new GraphQLError(
    `rate limit: expected tenant "${tenant}" to stay within its cost per second, got a request costing more than is left; retry after ${throttle.retryAfterMs} ms`,
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
