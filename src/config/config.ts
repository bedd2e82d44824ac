/**
 * Gateway configuration, parsed and validated once at start-up from the
 * environment and an optional JSON file (`FACEGATE_CONFIG`) by
 * load-config.ts. Bad configuration stops the process with a message naming
 * the field (exit-codes.ts).
 */
import type { AuthConfig } from '../security/authenticator.js';
import type { MetricsAccessConfig } from '../security/metrics-access.js';
import type { TenantGrant } from '../security/grants.js';
import type { FetchPolicy } from '../images/safe-fetch.js';
import type { QueryLimits } from '../security/query-limits.js';
import type { RateLimitConfig } from '../security/rate-limit.js';
import type { WebSocketLimits } from '../security/websocket-limits.js';
import type { ProviderConfig } from '../datasources/registry.js';
import type { TracingConfig } from '../observability/tracing/tracing.js';
import type { LogFormat } from '../observability/logger.js';

export interface GatewayConfig {
  /** @default "127.0.0.1" */
  host: string;
  /**
   * Query limits (depth, cost, image inputs and their cost, aliases and
   * aliases of fields that take images, introspection fields, root fields,
   * document size, page size); see src/security/query-limits.ts for each
   * default.
   */
  limits: QueryLimits;
  /**
   * Per-tenant rate in cost units (`limits.rateLimit`: `costPerSecond`,
   * `burst`): each operation spends its cost; null: no rate limit.
   * @default null
   */
  rateLimit: RateLimitConfig | null;
  /** @default 4000 */
  port: number;
  /** Where the embedded store keeps its files. @default "./data" */
  dataDir: string;
  /** @default "info" */
  logLevel: string;
  /** `LOG_FORMAT`: JSON lines, or pretty and coloured ones for a person. @default "pretty" when stdout is a terminal, "json" otherwise */
  logFormat: LogFormat;
  /** Provider instances; by default one `local`. */
  providers: ProviderConfig[];
  engine: {
    /** Inference worker threads. @default the machine's cores */
    workers?: number;
    /** Images waiting for a worker before THROTTLED. @default 64 */
    maxQueue: number;
  };
  /** Largest accepted HTTP request body. @default 8 MiB (a 5 MiB image in base64, plus the query) */
  maxBodyBytes: number;
  /**
   * Bytes of large request bodies (over 64 KiB) held at once, from reading
   * to answer; a body that does not fit waits, unread, for others to be
   * answered. @default 4 × maxBodyBytes (32 MiB)
   */
  maxBodyBytesInFlight: number;
  /**
   * How long a graphql-ws connection that brought no credentials (as GraphiQL
   * connects) may stay open without running an operation whose
   * `extensions.headers` authenticate it; then it is closed with 4401.
   * Unused with anonymous access. @default 10000
   */
  wsAuthTimeoutMs: number;
  /** Serve GraphiQL on browser GETs to /graphql. @default true */
  graphiql: boolean;
  /** How long a snapshot can be applied after it is taken. @default 48 hours */
  snapshotTtlMs: number;
  /** PostgreSQL for the store (several replicas); the embedded SQLite store when absent. */
  databaseUrl?: string;
  /** PostgreSQL schema holding facegate's tables. @default "public" */
  databaseSchema: string;
  /** Redis for progress events and the operation queue (several replicas); in-process when absent. */
  redisUrl?: string;
  auth: AuthConfig;
  /** How `ImageInput.url` is fetched; no hosts allowed (URLs refused) by default. */
  imageFetch: FetchPolicy;
  /** What each tenant may use; by default the anonymous tenant may use everything. */
  tenants: Record<string, TenantGrant>;
  /** With Redis: how long a worker's lease on an operation lasts; a dead replica's job is re-run after it. @default 10000 */
  jobLeaseMs: number;
  /** Prefix of every Redis key and channel: replicas of one deployment share it, other deployments must not. @default "facegate" */
  redisPrefix: string;
  /**
   * Who may read /metrics (src/security/metrics-access.ts): with
   * `apiKeySha256` (or FACEGATE_METRICS_KEY_SHA256), scrapes that bring that
   * key; without it, anyone with anonymous access (loopback), nobody (404)
   * with auth configured. @default {}
   */
  metrics: MetricsAccessConfig;
  /** OpenTelemetry tracing over OTLP/HTTP; off when absent (the default). */
  tracing?: TracingConfig;
  // ---- hostile input: WebSocket caps, Host and Origin (security/websocket-limits.ts, security/origin-policy.ts)
  /** Caps on WebSocket frames, sockets, operations per socket and subscriptions per tenant; each default in WebSocketLimits. */
  websocket: WebSocketLimits;
  /**
   * Host names (no port) answered besides loopback ones when anonymous access is on (e.g. a proxy on the same host);
   * with credentials configured, when set, the only Hosts answered. /healthz and /readyz answer any Host. @default []
   */
  allowedHosts: string[];
  /**
   * Origins (`scheme://host[:port]`) a browser page may call from, besides loopback ones (anonymous access) and the
   * gateway's own; with credentials configured the Origin is checked only when this is set. @default []
   */
  allowedOrigins: string[];
}

/** Thrown for configuration that cannot be used; main() prints it and exits with ExitCode.Config. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
