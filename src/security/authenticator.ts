/**
 * Who is calling: an API key (stored as its SHA-256, compared in constant
 * time) or a JWT bearer token (HS256 secret or a JWKS file), each mapped to a
 * tenant; or nobody, which is the anonymous tenant when configured.
 *
 * Credentials come as `Authorization: Bearer <jwt>`, `Authorization: ApiKey
 * <key>` or `x-api-key: <key>` on HTTP, and the same names in graphql-ws
 * `connectionParams` (`authorization`, `apiKey`), or per operation in its
 * `extensions.headers` when the connection brought none (GraphiQL).
 *
 * A JWT is accepted only when everything a forged or stale one could get
 * wrong is right: its `alg` is one pinned here (HS256 with a secret; the
 * configured asymmetric algorithms with a JWKS, never `none` or an HMAC
 * with a public key), it has an `exp` in the future (a token without one
 * would work forever), it is not older than `maxTokenAgeSeconds` when that
 * is set, issuer and audience match when configured, and its tenant claim
 * is a tenant id by the rule configured tenants follow ({@link isTenantId}),
 * which keeps out `"*"`, the internal owner of shared operations.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { isTenantId } from './grants.js';

/** The asymmetric algorithms a JWKS may be pinned to. */
export const JWKS_ALGORITHMS = ['RS256', 'ES256'] as const;
export type JwksAlgorithm = (typeof JWKS_ALGORITHMS)[number];

export interface AuthConfig {
  /** Tenant of requests without credentials, or null to refuse them. */
  anonymousTenant: string | null;
  apiKeys: { tenant: string; sha256: string }[];
  jwt?: {
    /** Shared secret for HS256 tokens. */
    hs256Secret?: string;
    /** Path of a JWKS file with the public keys of RS256/ES256 tokens. */
    jwksFile?: string;
    issuer?: string;
    audience?: string;
    /** Claim naming the tenant; its value must be a tenant id (letters, digits, "_" or "-"). @default "tenant" */
    tenantClaim: string;
    /**
     * With `jwksFile`: the algorithms a token's header may name (a key whose
     * JWK has its own `alg` is used for that one only). With `hs256Secret`
     * the only algorithm is HS256. @default ["RS256", "ES256"]
     */
    algorithms?: JwksAlgorithm[];
    /**
     * Oldest accepted token, in seconds since its `iat` (which it must then
     * carry), whatever its `exp` says. @default undefined: `exp` alone decides
     */
    maxTokenAgeSeconds?: number;
  };
}

export interface Caller {
  tenant: string;
  anonymous: boolean;
  /**
   * When the credentials stop being valid, in epoch milliseconds: a JWT's
   * `exp`, or `iat + maxTokenAgeSeconds` when that is earlier. Undefined for
   * API keys and anonymous callers, which do not expire.
   */
  expiresAt?: number;
}

/** Credentials as they arrived, from headers or connectionParams. */
export interface Credentials {
  authorization?: string;
  apiKey?: string;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

export class Authenticator {
  private readonly keys: { tenant: string; digest: Buffer }[];
  private readonly jwtKey: Uint8Array | JWTVerifyGetKey | undefined;
  private readonly anonymous: Readonly<Caller> | null;
  private readonly jwtOptions: JWTVerifyOptions;

  constructor(private readonly config: AuthConfig) {
    this.keys = config.apiKeys.map((k) => ({ tenant: k.tenant, digest: Buffer.from(k.sha256, 'hex') }));
    this.anonymous = config.anonymousTenant ? Object.freeze({ tenant: config.anonymousTenant, anonymous: true }) : null;
    if (config.jwt?.hs256Secret) this.jwtKey = new TextEncoder().encode(config.jwt.hs256Secret);
    else if (config.jwt?.jwksFile) this.jwtKey = createLocalJWKSet(JSON.parse(readFileSync(config.jwt.jwksFile, 'utf8')));
    const jwt = config.jwt;
    this.jwtOptions = {
      // Pinned: a secret verifies HS256 only (not HS512 with the same secret); a JWKS, the configured asymmetric ones.
      algorithms: jwt?.hs256Secret ? ['HS256'] : [...(jwt?.algorithms ?? JWKS_ALGORITHMS)],
      requiredClaims: ['exp'],
      ...(jwt?.maxTokenAgeSeconds !== undefined ? { maxTokenAge: jwt.maxTokenAgeSeconds } : {}),
      ...(jwt?.issuer !== undefined ? { issuer: jwt.issuer } : {}),
      ...(jwt?.audience !== undefined ? { audience: jwt.audience } : {}),
    };
  }

  /**
   * The caller, or null when credentials are missing (and anonymous access
   * is off) or wrong. Synchronous but for a JWT, whose check may be async:
   * an await costs every request a turn of the microtask queue.
   */
  authenticate(credentials: Credentials): Caller | null | Promise<Caller | null> {
    const auth = credentials.authorization?.trim();
    const apiKey = credentials.apiKey ?? (auth?.toLowerCase().startsWith('apikey ') ? auth.slice(7).trim() : undefined);
    if (apiKey) return this.byApiKey(apiKey);
    if (auth?.toLowerCase().startsWith('bearer ')) return this.byJwt(auth.slice(7).trim());
    if (auth) return null;
    return this.anonymous;
  }

  private byApiKey(key: string): Caller | null {
    const digest = sha256(key);
    let match: string | null = null;
    // Compare against every key, so timing does not tell which one (or whether any) matched.
    for (const k of this.keys) if (timingSafeEqual(k.digest, digest) && match === null) match = k.tenant;
    return match ? { tenant: match, anonymous: false } : null;
  }

  private async byJwt(token: string): Promise<Caller | null> {
    if (!this.jwtKey || !this.config.jwt) return null;
    const options = this.jwtOptions;
    try {
      const { payload } =
        typeof this.jwtKey === 'function' ? await jwtVerify(token, this.jwtKey, options) : await jwtVerify(token, this.jwtKey, options);
      const tenant = payload[this.config.jwt.tenantClaim];
      if (!isTenantId(tenant)) return null;
      // jose checked both: exp is present, and iat is when maxTokenAge is set.
      let expiresAt = payload.exp! * 1000;
      const maxAge = this.config.jwt.maxTokenAgeSeconds;
      if (maxAge !== undefined && payload.iat !== undefined) expiresAt = Math.min(expiresAt, (payload.iat + maxAge) * 1000);
      return { tenant, anonymous: false, expiresAt };
    } catch {
      return null;
    }
  }
}

/**
 * Anonymous access is loud: logged as a warning at start, naming the tenant
 * anonymous callers act as and what to configure instead.
 */
export function warnIfAnonymous(auth: AuthConfig, host: string, logger: { warn(fields: object, message: string): void }): void {
  if (!auth.anonymousTenant) return;
  logger.warn(
    { tenant: auth.anonymousTenant, host },
    'ANONYMOUS ACCESS IS ON: anyone who can reach this loopback address acts as tenant ' +
      `"${auth.anonymousTenant}". Configure auth.apiKeys or auth.jwt before exposing facegate.`,
  );
}
