/**
 * Who may read `/metrics`. The exposition names tenants' operations,
 * providers and error codes, and every scrape costs the gateway the
 * rendering of all its series, so it is not for anyone who can reach the
 * port.
 *
 * Decided once, from the configuration:
 * - `metrics.apiKeySha256` set: a scrape must bring that key, as
 *   `Authorization: Bearer <key>` (Prometheus' `authorization` /
 *   `bearer_token` scrape settings), `Authorization: ApiKey <key>` or
 *   `x-api-key: <key>`; otherwise 401.
 *   The key is its own: no tenant's API key or JWT opens /metrics, and the
 *   metrics key opens nothing else.
 * - no key, anonymous access (loopback only, no credentials configured):
 *   open, like the rest of the gateway in that mode.
 * - no key, credentials configured: off; /metrics answers 404 like any
 *   unknown route. A deployment with auth turns metrics on by giving them a
 *   key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Credentials } from './authenticator.js';

/** `metrics` in the configuration file. */
export interface MetricsAccessConfig {
  /** Hex SHA-256 of the key a scrape must bring. @default undefined: open with anonymous access, off with auth */
  apiKeySha256?: string;
}

/** What a request to /metrics gets. */
export type MetricsAccessOutcome = 'serve' | 'unauthorized' | 'off';

/** The decision for every request to /metrics, made from the configuration once. */
export class MetricsAccess {
  private readonly digest: Buffer | undefined;

  constructor(
    config: MetricsAccessConfig,
    /** Whether the gateway serves anonymous callers (loopback, no credentials configured). */
    private readonly anonymousAccess: boolean,
  ) {
    this.digest = config.apiKeySha256 ? Buffer.from(config.apiKeySha256, 'hex') : undefined;
  }

  /** Whether /metrics is served at all: with a key, or open with anonymous access. */
  get enabled(): boolean {
    return this.digest !== undefined || this.anonymousAccess;
  }

  /** The outcome of a scrape that brought `credentials` (read from its headers). */
  check(credentials: Credentials): MetricsAccessOutcome {
    if (!this.digest) return this.anonymousAccess ? 'serve' : 'off';
    const auth = credentials.authorization?.trim();
    const scheme = /^(bearer|apikey) +/i.exec(auth ?? '');
    const key = credentials.apiKey ?? (scheme ? auth!.slice(scheme[0].length).trim() : undefined);
    if (!key) return 'unauthorized';
    return timingSafeEqual(createHash('sha256').update(key).digest(), this.digest) ? 'serve' : 'unauthorized';
  }
}
