/**
 * Builds the {@link GatewayConfig} from the environment and the optional
 * JSON file: environment variables win over the file, the file over the
 * defaults written here. Throws {@link ConfigError} naming the field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { AuthConfig } from '../security/authenticator.js';
import { isValidHostPattern, type FetchPolicy } from '../images/safe-fetch.js';
import { MAX_IMAGE_BYTES } from '../domain/validation.js';
import { DEFAULT_QUERY_LIMITS } from '../security/query-limits.js';
import type { RateLimitConfig } from '../security/rate-limit.js';
import { DEFAULT_WEBSOCKET_LIMITS } from '../security/websocket-limits.js';
import { PROVIDER_DEFINITIONS, type ProviderConfig } from '../datasources/registry.js';
import { resilienceOptions } from '../datasources/resilience/options.js';
import type { TracingConfig } from '../observability/tracing/tracing.js';
import type { MetricsAccessConfig } from '../security/metrics-access.js';
import { ConfigError, type GatewayConfig } from './config.js';
import { fileSchema, type FileConfig } from './file-schema.js';
import { LOG_FORMATS, type LogFormat } from '../observability/logger.js';

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
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${key}: expected an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
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
    throw new ConfigError(
      `${source}: auth.anonymous: expected false (or HOST on loopback), got anonymous access on ${host}; configure auth.apiKeys or auth.jwt`,
    );
  }
  if (!anonymous && !hasCredentials)
    throw new ConfigError(`${source}: auth: expected apiKeys or jwt when anonymous access is off, got neither`);
  return { anonymousTenant: anonymous ? (a.anonymousTenant ?? 'default') : null, apiKeys: a.apiKeys ?? [], jwt: a.jwt };
}

/** The fetch policy for image URLs, built field by field (the test-only policy knobs are never configurable). */
function parseImageFetch(env: NodeJS.ProcessEnv, file: FileConfig): FetchPolicy {
  const f = file.imageFetch;
  const envHosts = env.FACEGATE_IMAGE_URL_HOSTS?.split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (const h of envHosts ?? []) {
    if (!isValidHostPattern(h))
      throw new ConfigError(`FACEGATE_IMAGE_URL_HOSTS: expected host names or *.domain patterns, got ${JSON.stringify(h)}`);
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

/** A missing burst is the rate (at least 1): one second's worth of cost at once. */
function parseRateLimit(file: NonNullable<FileConfig['limits']>['rateLimit']): RateLimitConfig | null {
  if (!file) return null;
  const rate = (r: { costPerSecond: number; burst?: number }) => ({
    costPerSecond: r.costPerSecond,
    burst: r.burst ?? Math.max(1, Math.ceil(r.costPerSecond)),
  });
  return { default: rate(file), tenants: Object.fromEntries(Object.entries(file.tenants).map(([t, r]) => [t, rate(r)])) };
}

/** Tracing is on when the file or FACEGATE_OTLP_ENDPOINT names an endpoint. */
function parseTracing(env: NodeJS.ProcessEnv, file: FileConfig): TracingConfig | undefined {
  const endpoint = envUrl(env, 'FACEGATE_OTLP_ENDPOINT', /^https?:\/\//, 'an http(s):// OTLP traces URL');
  if (endpoint) return { serviceName: 'facegate', sampleRatio: 1, ...file.tracing, otlpEndpoint: endpoint };
  return file.tracing;
}

/** The /metrics key: FACEGATE_METRICS_KEY_SHA256 over the file's `metrics.apiKeySha256`; none by default. */
function parseMetrics(env: NodeJS.ProcessEnv, file: FileConfig): MetricsAccessConfig {
  const fromEnv = env.FACEGATE_METRICS_KEY_SHA256;
  if (fromEnv !== undefined && fromEnv !== '' && !/^[0-9a-f]{64}$/.test(fromEnv))
    throw new ConfigError('FACEGATE_METRICS_KEY_SHA256: expected the hex SHA-256 of the key (64 lower-case hex digits), got another value');
  const apiKeySha256 = fromEnv || file.metrics?.apiKeySha256;
  return apiKeySha256 ? { apiKeySha256 } : {};
}

/**
 * Builds the configuration; environment variables win over the file.
 * @param stdoutIsTTY Whether stdout is a terminal (pretty logs by default). @default process.stdout.isTTY
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, stdoutIsTTY = process.stdout.isTTY === true): GatewayConfig {
  const fileName = env.FACEGATE_CONFIG;
  const file: FileConfig = fileName ? readFileConfig(fileName) : {};
  const logLevel = env.LOG_LEVEL ?? file.logLevel ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL: expected fatal, error, warn, info, debug, trace or silent, got ${JSON.stringify(logLevel)}`);
  }
  const logFormat = env.LOG_FORMAT || file.logFormat || (stdoutIsTTY ? 'pretty' : 'json');
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new ConfigError(`LOG_FORMAT: expected json or pretty, got ${JSON.stringify(logFormat)}`);
  }
  const host = env.HOST || file.host || '127.0.0.1';
  const auth = parseAuth(fileName ?? 'default configuration', file, host);
  const { rateLimit, ...limits } = file.limits ?? {};
  const queryLimits = { ...DEFAULT_QUERY_LIMITS, ...limits };
  const maxBodyBytes = file.maxBodyBytes ?? 8 * 1024 * 1024;
  return {
    host,
    auth,
    imageFetch: parseImageFetch(env, file),
    tenants: file.tenants ?? (auth.anonymousTenant ? { [auth.anonymousTenant]: { providers: '*', collections: ['*'] } } : {}),
    port: envInt(env, 'PORT', 0, 65535) ?? file.port ?? 4000,
    dataDir: path.resolve(env.FACEGATE_DATA_DIR || file.dataDir || './data'),
    logLevel,
    logFormat: logFormat as LogFormat,
    providers: parseProviders(fileName ?? 'default configuration', file.providers),
    engine: {
      workers: envInt(env, 'FACEGATE_ENGINE_WORKERS', 1, 64) ?? file.engine?.workers,
      maxQueue: file.engine?.maxQueue ?? 64,
    },
    maxBodyBytes,
    maxBodyBytesInFlight: file.maxBodyBytesInFlight ?? 4 * maxBodyBytes,
    wsAuthTimeoutMs: file.wsAuthTimeoutMs ?? 10_000,
    limits: queryLimits,
    rateLimit: parseRateLimit(rateLimit),
    graphiql: env.FACEGATE_GRAPHIQL ? env.FACEGATE_GRAPHIQL !== 'false' : (file.graphiql ?? true),
    databaseUrl: envUrl(env, 'DATABASE_URL', /^postgres(ql)?:\/\//, 'a postgres:// URL') ?? file.databaseUrl,
    databaseSchema: env.FACEGATE_DB_SCHEMA || file.databaseSchema || 'public',
    redisUrl: envUrl(env, 'REDIS_URL', /^rediss?:\/\//, 'a redis:// URL') ?? file.redisUrl,
    redisPrefix: env.FACEGATE_REDIS_PREFIX || file.redisPrefix || 'facegate',
    tracing: parseTracing(env, file),
    metrics: parseMetrics(env, file),
    jobLeaseMs: envInt(env, 'FACEGATE_JOB_LEASE_MS', 1000, 600_000) ?? 10_000,
    // ---- hostile input: WebSocket caps (a frame as large as an HTTP body), Host and Origin
    websocket: { maxPayloadBytes: maxBodyBytes, ...DEFAULT_WEBSOCKET_LIMITS, ...file.websocket },
    allowedHosts: file.allowedHosts ?? [],
    allowedOrigins: file.allowedOrigins ?? [],
    snapshotTtlMs: (envInt(env, 'FACEGATE_SNAPSHOT_TTL_SECONDS', 1, 365 * 24 * 3600) ?? (file.snapshotTtlHours ?? 48) * 3600) * 1000,
  };
}
