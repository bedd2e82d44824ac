/**
 * Gateway configuration, parsed and validated once at start-up from the
 * environment and an optional JSON file (`FACEGATE_CONFIG`). Bad
 * configuration stops the process with a message naming the field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AuthConfig } from '../security/authenticator.js';
import type { TenantGrant } from '../security/grants.js';
import { isValidHostPattern, type FetchPolicy } from '../images/safe-fetch.js';
import { MAX_IMAGE_BYTES } from '../domain/validation.js';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../security/query-limits.js';
import type { RateLimitConfig } from '../security/rate-limit.js';
import { PROVIDER_DEFINITIONS, type ProviderConfig } from '../datasources/registry.js';
import { resilienceOptions } from '../datasources/resilience/options.js';
import type { TracingConfig } from '../observability/tracing/tracing.js';

export interface GatewayConfig {
  /** @default "127.0.0.1" */
  host: string;
  /** Query limits (depth, cost, aliases, root fields, document size, page size); see src/security/query-limits.ts for each default. */
  limits: QueryLimits;
  /** Per-tenant request rate (`limits.rateLimit`); null: no rate limit. @default null */
  rateLimit: RateLimitConfig | null;
  /** @default 4000 */
  port: number;
  /** Where the embedded store keeps its files. @default "./data" */
  dataDir: string;
  /** @default "info" */
  logLevel: string;
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
  /** OpenTelemetry tracing over OTLP/HTTP; off when absent (the default). */
  tracing?: TracingConfig;
}

/** Thrown for configuration that cannot be used; main() prints it and exits 78 (EX_CONFIG). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const tenantId = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, "_" or "-", 1..64 characters');

const rateLimitSchema = z
  .object({ requestsPerSecond: z.number().positive().max(1_000_000), burst: z.number().int().min(1).max(1_000_000).optional() })
  .strict();

/**
 * The largest `limits.maxPageSize` a config may set. A page after a cursor
 * asks its provider for up to skip + first items (the skip is at most the
 * page size), and the adapters take at most 4096 items a call: 2048 keeps
 * every page the gateway asks for within that.
 */
const MAX_PAGE_SIZE_CEILING = 2048;

const providerEntry = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, "_" or "-", 1..64 characters'),
    kind: z.string(),
  })
  .passthrough();

const fileSchema = z
  .object({
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).optional(),
    dataDir: z.string().min(1).optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    providers: z.array(providerEntry).min(1).optional(),
    engine: z
      .object({ workers: z.number().int().min(1).max(64).optional(), maxQueue: z.number().int().min(1).max(10_000).optional() })
      .strict()
      .optional(),
    maxBodyBytes: z.number().int().min(1024).optional(),
    wsAuthTimeoutMs: z.number().int().min(100).max(600_000).optional(),
    limits: z
      .object({
        maxDepth: z.number().int().min(1).optional(),
        maxCost: z.number().int().min(1).optional(),
        maxAliases: z.number().int().min(0).optional(),
        maxRootFields: z.number().int().min(1).optional(),
        maxDocumentChars: z.number().int().min(100).optional(),
        maxPageSize: z.number().int().min(1).max(MAX_PAGE_SIZE_CEILING).optional(),
        rateLimit: rateLimitSchema.extend({ tenants: z.record(tenantId, rateLimitSchema).default({}) }).strict().optional(),
      })
      .strict()
      .optional(),
    graphiql: z.boolean().optional(),
    snapshotTtlHours: z.number().positive().optional(),
    databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional(),
    databaseSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).optional(),
    redisUrl: z.string().regex(/^rediss?:\/\//, 'a redis:// URL').optional(),
    redisPrefix: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/).optional(),
    auth: z
      .object({
        anonymous: z.boolean().optional(),
        anonymousTenant: tenantId.optional(),
        apiKeys: z.array(z.object({ tenant: tenantId, sha256: z.string().regex(/^[0-9a-f]{64}$/, 'the hex SHA-256 of the key') }).strict()).optional(),
        jwt: z
          .object({
            hs256Secret: z.string().min(32, 'at least 32 characters').optional(),
            jwksFile: z.string().min(1).optional(),
            issuer: z.string().optional(),
            audience: z.string().optional(),
            tenantClaim: z.string().default('tenant'),
          })
          .strict()
          .refine((j) => !!j.hs256Secret !== !!j.jwksFile, 'exactly one of hs256Secret or jwksFile')
          .optional(),
      })
      .strict()
      .optional(),
    imageFetch: z
      .object({
        allowedHosts: z.array(z.string().refine(isValidHostPattern, 'a host name or *.domain pattern')).max(1000).default([]),
        allowHttp: z.boolean().default(false),
        allowedPorts: z.array(z.number().int().min(1).max(65535)).optional(),
        maxBytes: z.number().int().min(1).max(MAX_IMAGE_BYTES).default(MAX_IMAGE_BYTES),
        timeoutMs: z.number().int().min(100).max(60_000).default(5000),
        maxRedirects: z.number().int().min(0).max(10).default(3),
        tlsCaFile: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    tracing: z
      .object({
        otlpEndpoint: z.string().regex(/^https?:\/\//, 'an http(s):// OTLP traces URL, e.g. http://collector:4318/v1/traces'),
        serviceName: z.string().min(1).max(128).default('facegate'),
        sampleRatio: z.number().min(0).max(1).default(1),
      })
      .strict()
      .optional(),
    tenants: z
      .record(tenantId, z.object({ providers: z.union([z.literal('*'), z.array(z.string())]), collections: z.array(z.string().min(1)).default(['*']) }).strict())
      .optional(),
  })
  .strict();

type FileConfig = z.infer<typeof fileSchema>;

function formatIssues(source: string, error: z.ZodError): string {
  return error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
}

function readFileConfig(file: string): FileConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`FACEGATE_CONFIG=${file}: expected a readable JSON file, got ${(e as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(file, parsed.error));
  return parsed.data;
}

function parseProviders(source: string, entries: FileConfig['providers']): ProviderConfig[] {
  const list = entries ?? [{ name: 'local', kind: 'local' }];
  const seen = new Set<string>();
  return list.map((entry, i) => {
    const { name, kind, resilience: rawResilience, ...rest } = entry;
    if (seen.has(name)) throw new ConfigError(`${source}: providers.${i}.name: expected a unique name, got ${name} twice`);
    seen.add(name);
    const definition = PROVIDER_DEFINITIONS.find((d) => d.kind === kind);
    if (!definition) {
      const kinds = PROVIDER_DEFINITIONS.map((d) => d.kind).join(', ');
      throw new ConfigError(`${source}: providers.${i}.kind: expected one of ${kinds}, got ${JSON.stringify(kind)}`);
    }
    const options = definition.options.safeParse(rest);
    if (!options.success) throw new ConfigError(formatIssues(`${source}: providers.${i} (${name})`, options.error));
    const resilience = resilienceOptions.safeParse(rawResilience);
    if (!resilience.success) throw new ConfigError(formatIssues(`${source}: providers.${i}.resilience (${name})`, resilience.error));
    return { name, kind, options: options.data, resilience: resilience.data };
  });
}

function envInt(env: NodeJS.ProcessEnv, key: string, min: number, max: number): number | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${key}: expected an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function envUrl(env: NodeJS.ProcessEnv, key: string, pattern: RegExp, expected: string): string | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  // Never echo the value: URLs carry passwords.
  if (!pattern.test(raw)) throw new ConfigError(`${key}: expected ${expected}, got a value that is not one`);
  return raw;
}

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || host.startsWith('127.');

/**
 * Anonymous access is on by default only while no credentials are
 * configured, and only on a loopback address: an open gateway on a network
 * interface would hand biometric data to anyone.
 */
function parseAuth(source: string, file: FileConfig, host: string): AuthConfig {
  const a = file.auth ?? {};
  const hasCredentials = (a.apiKeys?.length ?? 0) > 0 || !!a.jwt;
  const anonymous = a.anonymous ?? !hasCredentials;
  if (anonymous && !isLoopback(host)) {
    throw new ConfigError(`${source}: auth.anonymous: expected false (or HOST on loopback), got anonymous access on ${host}; configure auth.apiKeys or auth.jwt`);
  }
  if (!anonymous && !hasCredentials) throw new ConfigError(`${source}: auth: expected apiKeys or jwt when anonymous access is off, got neither`);
  return { anonymousTenant: anonymous ? (a.anonymousTenant ?? 'default') : null, apiKeys: a.apiKeys ?? [], jwt: a.jwt };
}

/** The fetch policy for image URLs, built field by field (the test-only policy knobs are never configurable). */
function parseImageFetch(env: NodeJS.ProcessEnv, file: FileConfig): FetchPolicy {
  const f = file.imageFetch;
  const envHosts = env.FACEGATE_IMAGE_URL_HOSTS?.split(',').map((h) => h.trim()).filter(Boolean);
  for (const h of envHosts ?? []) {
    if (!isValidHostPattern(h)) throw new ConfigError(`FACEGATE_IMAGE_URL_HOSTS: expected host names or *.domain patterns, got ${JSON.stringify(h)}`);
  }
  let tlsCa: string | undefined;
  if (f?.tlsCaFile) {
    try {
      tlsCa = readFileSync(f.tlsCaFile, 'utf8');
    } catch (e) {
      throw new ConfigError(`imageFetch.tlsCaFile: expected a readable PEM file, got ${(e as Error).message}`);
    }
  }
  return {
    allowedHosts: envHosts ?? f?.allowedHosts ?? [],
    allowHttp: f?.allowHttp ?? false,
    allowedPorts: f?.allowedPorts,
    maxBytes: f?.maxBytes ?? MAX_IMAGE_BYTES,
    timeoutMs: f?.timeoutMs ?? 5000,
    maxRedirects: f?.maxRedirects ?? 3,
    tlsCa,
  };
}

/** A missing burst is the rate (at least 1): one second's worth of requests at once. */
function parseRateLimit(file: NonNullable<FileConfig['limits']>['rateLimit']): RateLimitConfig | null {
  if (!file) return null;
  const rate = (r: { requestsPerSecond: number; burst?: number }) => ({ requestsPerSecond: r.requestsPerSecond, burst: r.burst ?? Math.max(1, Math.ceil(r.requestsPerSecond)) });
  return { default: rate(file), tenants: Object.fromEntries(Object.entries(file.tenants).map(([t, r]) => [t, rate(r)])) };
}

/** Tracing is on when the file or FACEGATE_OTLP_ENDPOINT names an endpoint. */
function parseTracing(env: NodeJS.ProcessEnv, file: FileConfig): TracingConfig | undefined {
  const endpoint = envUrl(env, 'FACEGATE_OTLP_ENDPOINT', /^https?:\/\//, 'an http(s):// OTLP traces URL');
  if (endpoint) return { serviceName: 'facegate', sampleRatio: 1, ...file.tracing, otlpEndpoint: endpoint };
  return file.tracing;
}

/** Builds the configuration; environment variables win over the file. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const fileName = env.FACEGATE_CONFIG;
  const file: FileConfig = fileName ? readFileConfig(fileName) : {};
  const logLevel = env.LOG_LEVEL ?? file.logLevel ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL: expected fatal, error, warn, info, debug, trace or silent, got ${JSON.stringify(logLevel)}`);
  }
  const host = env.HOST || file.host || '127.0.0.1';
  const auth = parseAuth(fileName ?? 'default configuration', file, host);
  const { rateLimit, ...limits } = file.limits ?? {};
  const queryLimits = { ...DEFAULT_QUERY_LIMITS, ...limits };
  return {
    host,
    auth,
    imageFetch: parseImageFetch(env, file),
    tenants: file.tenants ?? (auth.anonymousTenant ? { [auth.anonymousTenant]: { providers: '*', collections: ['*'] } } : {}),
    port: envInt(env, 'PORT', 0, 65535) ?? file.port ?? 4000,
    dataDir: path.resolve(env.FACEGATE_DATA_DIR || file.dataDir || './data'),
    logLevel,
    providers: parseProviders(fileName ?? 'default configuration', file.providers),
    engine: {
      workers: envInt(env, 'FACEGATE_ENGINE_WORKERS', 1, 64) ?? file.engine?.workers,
      maxQueue: file.engine?.maxQueue ?? 64,
    },
    maxBodyBytes: file.maxBodyBytes ?? 8 * 1024 * 1024,
    wsAuthTimeoutMs: file.wsAuthTimeoutMs ?? 10_000,
    limits: queryLimits,
    rateLimit: parseRateLimit(rateLimit),
    graphiql: env.FACEGATE_GRAPHIQL ? env.FACEGATE_GRAPHIQL !== 'false' : (file.graphiql ?? true),
    databaseUrl: envUrl(env, 'DATABASE_URL', /^postgres(ql)?:\/\//, 'a postgres:// URL') ?? file.databaseUrl,
    databaseSchema: env.FACEGATE_DB_SCHEMA || file.databaseSchema || 'public',
    redisUrl: envUrl(env, 'REDIS_URL', /^rediss?:\/\//, 'a redis:// URL') ?? file.redisUrl,
    redisPrefix: env.FACEGATE_REDIS_PREFIX || file.redisPrefix || 'facegate',
    tracing: parseTracing(env, file),
    jobLeaseMs: envInt(env, 'FACEGATE_JOB_LEASE_MS', 1000, 600_000) ?? 10_000,
    snapshotTtlMs: (envInt(env, 'FACEGATE_SNAPSHOT_TTL_SECONDS', 1, 365 * 24 * 3600) ?? (file.snapshotTtlHours ?? 48) * 3600) * 1000,
  };
}
