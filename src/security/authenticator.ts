/**
 * Who is calling: an API key (stored as its SHA-256, compared in constant
 * time) or a JWT bearer token (HS256 secret or a JWKS file), each mapped to a
 * tenant; or nobody, which is the anonymous tenant when configured.
 *
 * Credentials come as `Authorization: Bearer <jwt>`, `Authorization: ApiKey
 * <key>` or `x-api-key: <key>` on HTTP, and the same names in graphql-ws
 * `connectionParams` (`authorization`, `apiKey`), or per operation in its
 * `extensions.headers` when the connection brought none (GraphiQL).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

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
    /** Claim naming the tenant. @default "tenant" */
    tenantClaim: string;
  };
}

export interface Caller {
  tenant: string;
  anonymous: boolean;
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

  constructor(private readonly config: AuthConfig) {
    this.keys = config.apiKeys.map((k) => ({ tenant: k.tenant, digest: Buffer.from(k.sha256, 'hex') }));
    this.anonymous = config.anonymousTenant ? Object.freeze({ tenant: config.anonymousTenant, anonymous: true }) : null;
    if (config.jwt?.hs256Secret) this.jwtKey = new TextEncoder().encode(config.jwt.hs256Secret);
    else if (config.jwt?.jwksFile) this.jwtKey = createLocalJWKSet(JSON.parse(readFileSync(config.jwt.jwksFile, 'utf8')));
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
    try {
      const options = { issuer: this.config.jwt.issuer, audience: this.config.jwt.audience };
      const { payload } =
        typeof this.jwtKey === 'function' ? await jwtVerify(token, this.jwtKey, options) : await jwtVerify(token, this.jwtKey, options);
      const tenant = payload[this.config.jwt.tenantClaim];
      return typeof tenant === 'string' && tenant ? { tenant, anonymous: false } : null;
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
