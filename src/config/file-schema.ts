/**
 * The shape of the JSON configuration file (`FACEGATE_CONFIG`), as a zod
 * schema: every field optional, unknown fields refused. Defaults are applied
 * by load-config.ts, next to the environment variables that override them.
 */
import { z } from 'zod';
import { isValidHostPattern } from '../images/safe-fetch.js';
import { MAX_IMAGE_BYTES } from '../domain/validation.js';
import { TENANT_ID_PATTERN } from '../security/grants.js';
import { JWKS_ALGORITHMS } from '../security/authenticator.js';

/** Tenant ids: letters, digits, "_" or "-". */
export const tenantId = z.string().regex(TENANT_ID_PATTERN, 'letters, digits, "_" or "-", 1..64 characters');

/**
 * One tenant's rate, in cost units (security/rate-limit.ts). Before the
 * limiter spent operation costs it counted requests, as `requestsPerSecond`:
 * a file that still says so is refused with the new name, rather than read
 * as a cost it never meant.
 */
const rateLimitSchema = z
  .object({
    costPerSecond: z.number().positive().max(1_000_000_000),
    burst: z.number().int().min(1).max(1_000_000_000).optional(),
    requestsPerSecond: z
      .never({
        errorMap: () => ({ message: "renamed costPerSecond: the rate limit now spends each operation's cost, not one per request" }),
      })
      .optional(),
  })
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

export const fileSchema = z
  .object({
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).optional(),
    dataDir: z.string().min(1).optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    logFormat: z.enum(['json', 'pretty']).optional(),
    providers: z.array(providerEntry).min(1).optional(),
    engine: z
      .object({ workers: z.number().int().min(1).max(64).optional(), maxQueue: z.number().int().min(1).max(10_000).optional() })
      .strict()
      .optional(),
    maxBodyBytes: z.number().int().min(1024).optional(),
    maxBodyBytesInFlight: z.number().int().min(1024).optional(),
    wsAuthTimeoutMs: z.number().int().min(100).max(600_000).optional(),
    limits: z
      .object({
        maxDepth: z.number().int().min(1).optional(),
        maxCost: z.number().int().min(1).optional(),
        // The cost model's limits (security/query-limits.ts, QueryLimits: defaults there).
        imageCost: z.number().int().min(1).max(1_000_000).optional(),
        providerCallCost: z.number().int().min(1).max(1_000_000).optional(),
        introspectionCost: z.number().int().min(1).max(1_000_000).optional(),
        maxImageInputs: z.number().int().min(0).max(1000).optional(),
        maxCostlyAliases: z.number().int().min(0).optional(),
        maxIntrospectionFields: z.number().int().min(0).max(100).optional(),
        maxAliases: z.number().int().min(0).optional(),
        maxRootFields: z.number().int().min(1).optional(),
        maxDocumentChars: z.number().int().min(100).optional(),
        maxPageSize: z.number().int().min(1).max(MAX_PAGE_SIZE_CEILING).optional(),
        rateLimit: rateLimitSchema
          .extend({ tenants: z.record(tenantId, rateLimitSchema).default({}) })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    graphiql: z.boolean().optional(),
    snapshotTtlHours: z.number().positive().optional(),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
      .optional(),
    databaseSchema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .optional(),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// URL')
      .optional(),
    redisPrefix: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,64}$/)
      .optional(),
    auth: z
      .object({
        anonymous: z.boolean().optional(),
        anonymousTenant: tenantId.optional(),
        apiKeys: z
          .array(z.object({ tenant: tenantId, sha256: z.string().regex(/^[0-9a-f]{64}$/, 'the hex SHA-256 of the key') }).strict())
          .optional(),
        jwt: z
          .object({
            hs256Secret: z.string().min(32, 'at least 32 characters').optional(),
            jwksFile: z.string().min(1).optional(),
            issuer: z.string().optional(),
            audience: z.string().optional(),
            tenantClaim: z.string().default('tenant'),
            algorithms: z.array(z.enum(JWKS_ALGORITHMS)).min(1).optional(),
            maxTokenAgeSeconds: z
              .number()
              .int()
              .min(1)
              .max(365 * 24 * 3600)
              .optional(),
          })
          .strict()
          .refine((j) => !!j.hs256Secret !== !!j.jwksFile, 'exactly one of hs256Secret or jwksFile')
          .refine((j) => !(j.hs256Secret && j.algorithms), 'algorithms only with jwksFile (a secret verifies HS256 only)')
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
    metrics: z
      .object({
        apiKeySha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/, 'the hex SHA-256 of the key')
          .optional(),
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
    // ---- hostile input: WebSocket caps, Host and Origin
    websocket: z
      .object({
        maxPayloadBytes: z.number().int().min(1024).optional(),
        maxConnections: z.number().int().min(1).max(1_000_000).optional(),
        maxConnectionsPerAddress: z.number().int().min(1).max(1_000_000).optional(),
        maxOperationsPerSocket: z.number().int().min(1).max(100_000).optional(),
        maxSubscriptionsPerTenant: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict()
      .optional(),
    allowedHosts: z
      .array(z.string().regex(/^[a-zA-Z0-9.-]{1,253}$/, 'a host name without port'))
      .max(100)
      .optional(),
    allowedOrigins: z
      .array(z.string().regex(/^https?:\/\/[^/?#\s]+$/, 'an origin: http(s)://host[:port], no path'))
      .max(100)
      .optional(),
    tenants: z
      .record(
        tenantId,
        z
          .object({ providers: z.union([z.literal('*'), z.array(z.string())]), collections: z.array(z.string().min(1)).default(['*']) })
          .strict(),
      )
      .optional(),
  })
  .strict();

/** A parsed configuration file. */
export type FileConfig = z.infer<typeof fileSchema>;
