/**
 * JWT bearer tokens, against running gateways: algorithms pinned (HS256 for
 * the secret; the configured asymmetric ones for a JWKS), `exp` required,
 * `maxTokenAgeSeconds`, the tenant claim held to the tenant-id rule (`"*"`,
 * the internal shared owner, refused), and sockets closed with 4403
 * (`CloseCode.Forbidden`) when their token expires. Every refusal is beside
 * a legitimate client the same gateway serves.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { exportJWK, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const SECRET_BYTES = new TextEncoder().encode(SECRET);
const API_KEY = 'jwt-test-api-key';
const MAX_AGE_S = 600;
const PROVIDERS = '{ providers { name } }';

const now = () => Math.floor(Date.now() / 1000);

/** A token signed with the shared secret; `claims` override the valid defaults (tenant acme, iat now, exp in 5 minutes). */
function hsToken(claims: JWTPayload = {}, alg = 'HS256', key: Uint8Array = SECRET_BYTES): Promise<string> {
  return new SignJWT({ tenant: 'acme', iat: now(), exp: now() + 300, ...claims }).setProtectedHeader({ alg }).sign(key);
}

/** POSTs PROVIDERS with `headers`; the status and whether data came back. */
async function ask(gateway: GatewayProcess, headers: Record<string, string>): Promise<{ status: number; served: boolean }> {
  const res = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: PROVIDERS }),
  });
  const body = (await res.json()) as { data?: { providers?: unknown[] } };
  return { status: res.status, served: Array.isArray(body.data?.providers) };
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let hs: GatewayProcess;
let jwks: GatewayProcess;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

beforeAll(async () => {
  const tenants = { acme: { providers: '*' }, keyed: { providers: '*' } };
  hs = await startGateway({
    config: {
      auth: {
        apiKeys: [{ tenant: 'keyed', sha256: createHash('sha256').update(API_KEY).digest('hex') }],
        jwt: { hs256Secret: SECRET, maxTokenAgeSeconds: MAX_AGE_S },
      },
      tenants,
    },
  });
  // A JWKS with an RSA and an EC key, neither naming its alg: the configured list decides (ES256 only).
  const dir = hs.dataDir;
  const jwksFile = path.join(dir, 'jwks.json');
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec' },
  ];
  writeFileSync(jwksFile, JSON.stringify({ keys }));
  jwks = await startGateway({ config: { auth: { jwt: { jwksFile, algorithms: ['ES256'] } }, tenants } });
});

afterAll(async () => {
  await Promise.all([hs?.stop(), jwks?.stop()]);
  if (jwks) removeDataDir(jwks.dataDir);
  if (hs) removeDataDir(hs.dataDir);
});

describe('HS256 secret', () => {
  it('serves a valid HS256 token', async () => {
    expect(await ask(hs, bearer(await hsToken()))).toEqual({ status: 200, served: true });
  });

  it('refuses HS512 and HS384 signed with the same secret (algorithm pinned)', async () => {
    expect((await ask(hs, bearer(await hsToken({}, 'HS512')))).status).toBe(401);
    expect((await ask(hs, bearer(await hsToken({}, 'HS384')))).status).toBe(401);
    expect(await ask(hs, bearer(await hsToken()))).toEqual({ status: 200, served: true });
  });

  it('refuses an unsigned token (alg none)', async () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${part({ alg: 'none', typ: 'JWT' })}.${part({ tenant: 'acme', iat: now(), exp: now() + 60 })}.`;
    expect((await ask(hs, bearer(unsigned))).status).toBe(401);
  });

  it('refuses a token without exp, and an expired one', async () => {
    const noExp = await new SignJWT({ tenant: 'acme', iat: now() }).setProtectedHeader({ alg: 'HS256' }).sign(SECRET_BYTES);
    expect((await ask(hs, bearer(noExp))).status).toBe(401);
    expect((await ask(hs, bearer(await hsToken({ exp: now() - 10 })))).status).toBe(401);
    expect(await ask(hs, { 'x-api-key': API_KEY })).toEqual({ status: 200, served: true });
  });

  it('refuses a token older than maxTokenAgeSeconds, or without iat, whatever its exp', async () => {
    expect((await ask(hs, bearer(await hsToken({ iat: now() - MAX_AGE_S - 60, exp: now() + 3600 })))).status).toBe(401);
    const noIat = await new SignJWT({ tenant: 'acme', exp: now() + 60 }).setProtectedHeader({ alg: 'HS256' }).sign(SECRET_BYTES);
    expect((await ask(hs, bearer(noIat))).status).toBe(401);
    expect(await ask(hs, bearer(await hsToken({ iat: now() - MAX_AGE_S + 60 })))).toEqual({ status: 200, served: true });
  });

  it('refuses a tenant claim that is not a tenant id: "*" (the internal shared owner), empty, a number, free text', async () => {
    for (const tenant of ['*', '', 42, 'acme corp', 'a'.repeat(65), ['acme']]) {
      expect((await ask(hs, bearer(await hsToken({ tenant: tenant as string })))).status, JSON.stringify(tenant)).toBe(401);
    }
    expect(await ask(hs, bearer(await hsToken({ tenant: 'acme' })))).toEqual({ status: 200, served: true });
  });
});

describe('JWKS with algorithms ["ES256"]', () => {
  const rsToken = () =>
    new SignJWT({ tenant: 'acme', exp: now() + 60 }).setProtectedHeader({ alg: 'RS256', kid: 'rsa' }).sign(rsa.privateKey);
  const esToken = () =>
    new SignJWT({ tenant: 'acme', exp: now() + 60 }).setProtectedHeader({ alg: 'ES256', kid: 'ec' }).sign(ec.privateKey);

  it('serves ES256, refuses RS256 from a key in the set, and HS256 signed with a public key', async () => {
    expect(await ask(jwks, bearer(await esToken()))).toEqual({ status: 200, served: true });
    expect((await ask(jwks, bearer(await rsToken()))).status).toBe(401);
    // Algorithm confusion: the RSA public key's PEM used as an HMAC secret.
    const pem = new TextEncoder().encode(rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string);
    const confused = await new SignJWT({ tenant: 'acme', exp: now() + 60 }).setProtectedHeader({ alg: 'HS256', kid: 'rsa' }).sign(pem);
    expect((await ask(jwks, bearer(confused))).status).toBe(401);
    expect(await ask(jwks, bearer(await esToken()))).toEqual({ status: 200, served: true });
  });
});

describe('a WebSocket whose token expires is closed with 4403', () => {
  /** An eager graphql-ws client and the code its socket closes with. */
  function socket(connectionParams: Record<string, unknown>): { client: Client; closed: Promise<number> } {
    let closedWith!: (code: number) => void;
    const closed = new Promise<number>((resolve) => (closedWith = resolve));
    const client = createClient({
      url: hs.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams,
      lazy: false,
      retryAttempts: 0,
      on: { closed: (event) => closedWith((event as { code: number }).code) },
      onNonLazyError: () => undefined,
    });
    return { client, closed };
  }
  const query = (client: Client, extensions?: Record<string, unknown>) =>
    new Promise<unknown>((resolve, reject) => {
      let data: unknown;
      client.subscribe({ query: PROVIDERS, extensions }, { next: (r) => (data = r.data), error: reject, complete: () => resolve(data) });
    });

  // The test's deadline (15 s, for a token living 2 s) bounds a failure, a close left to some later
  // sweep; it measures no speed. What is asserted is the order: served before exp, closed not before it.
  it('closes a socket authenticated by connection_init at its exp; an API-key socket keeps being served', async () => {
    const exp = now() + 2;
    const token = await hsToken({ exp });
    const expiring = socket({ authorization: `Bearer ${token}` });
    const keyed = socket({ apiKey: API_KEY });
    try {
      expect(await query(expiring.client)).toMatchObject({ providers: expect.any(Array) });
      expect(await expiring.closed).toBe(4403);
      expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
      expect(await query(keyed.client)).toMatchObject({ providers: expect.any(Array) });
    } finally {
      await Promise.all([expiring.client.dispose(), keyed.client.dispose()]);
    }
  }, 15_000);

  it("closes a socket whose operations authenticated with their own extensions.headers (GraphiQL's) at that token's exp", async () => {
    const token = await hsToken({ exp: now() + 2 });
    const graphiql = socket({});
    try {
      expect(await query(graphiql.client, { headers: { Authorization: `Bearer ${token}` } })).toMatchObject({
        providers: expect.any(Array),
      });
      expect(await graphiql.closed).toBe(4403);
    } finally {
      await graphiql.client.dispose();
    }
  });

  it('refuses connection_init with an expired token (4401), and serves a fresh one', async () => {
    const stale = socket({ authorization: `Bearer ${await hsToken({ exp: now() - 5 })}` });
    expect(await stale.closed).toBe(4401);
    const fresh = socket({ authorization: `Bearer ${await hsToken()}` });
    try {
      expect(await query(fresh.client)).toMatchObject({ providers: expect.any(Array) });
    } finally {
      await Promise.all([stale.client.dispose(), fresh.client.dispose()]);
    }
  });
});
