/**
 * DNS rebinding and cross-site WebSocket hijacking. With anonymous access
 * (the default: loopback only) the gateway answers only loopback Hosts and
 * Origins, plus those `allowedHosts` / `allowedOrigins` name; a client
 * without an Origin (curl, Node) is served. With credentials configured,
 * Origins are checked when `allowedOrigins` is set. GraphiQL may not be
 * framed. Each refusal leaves a legitimate client served.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collectionCounts, uniqueCollectionId } from '../support/fixtures.js';
import { gqlData, removeDataDir, startGateway, wsClient, type GatewayProcess } from '../support/gateway.js';

/** One HTTP request with exactly these headers (fetch will not send a forged Host). */
function rawRequest(
  url: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: body === undefined ? 'GET' : 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** Opens a graphql-transport-ws socket with these headers; resolves with the refused upgrade's status, or 101 once open. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<{ status: number; socket: WebSocket; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { headers, origin: headers.origin });
    socket.once('open', () => resolve({ status: 101, socket, body: '' }));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, socket, body }));
    });
    socket.once('error', reject);
  });
}

/** Runs one operation on a raw socket opened with `headers`: the payload of its first `next` or `error`. */
function runOverSocket(url: string, headers: Record<string, string>, query: string, variables?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { headers });
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; payload?: unknown };
      if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
      if (message.type === 'next' || message.type === 'error') {
        socket.close();
        resolve(message.payload);
      }
    });
  });
}

const CREATE = `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { __typename } }`;
const PROVIDERS = JSON.stringify({ query: '{ providers { name } }' });
const JSON_POST = { 'content-type': 'application/json' };

describe('anonymous access (the default): loopback Hosts and Origins only', () => {
  let gw: GatewayProcess;
  let port: string;
  beforeAll(async () => {
    gw = await startGateway();
    port = new URL(gw.url).port;
  });
  afterAll(async () => {
    await gw?.stop();
    removeDataDir(gw.dataDir);
  });

  it('refuses an HTTP request for a rebound Host name (403 FORBIDDEN_HOST), serves loopback names', async () => {
    const refused = await rawRequest(gw.url, { ...JSON_POST, host: `rebind.evil.example:${port}` }, PROVIDERS);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).errors[0].extensions).toEqual({ code: 'FORBIDDEN_HOST' });
    expect(refused.body).not.toContain('local');
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `app.localhost:${port}`]) {
      const served = await rawRequest(gw.url, { ...JSON_POST, host }, PROVIDERS);
      expect([host, served.status]).toEqual([host, 200]);
    }
    // Probes reach /healthz by any name; it tells nothing.
    expect((await rawRequest(gw.url.replace(/graphql$/, 'healthz'), { host: 'rebind.evil.example' })).status).toBe(200);
    expect((await rawRequest(gw.url.replace(/graphql$/, 'metrics'), { host: 'rebind.evil.example' })).status).toBe(403);
  });

  it('refuses an HTTP request from a foreign Origin (403 FORBIDDEN_ORIGIN), serves loopback and Origin-less ones', async () => {
    const refused = await rawRequest(gw.url, { ...JSON_POST, origin: 'https://evil.example' }, PROVIDERS);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).errors[0].extensions).toEqual({ code: 'FORBIDDEN_ORIGIN' });
    expect((await rawRequest(gw.url, { ...JSON_POST, origin: 'null' }, PROVIDERS)).status).toBe(403);
    expect((await rawRequest(gw.url, { ...JSON_POST, origin: `http://localhost:${port}` }, PROVIDERS)).status).toBe(200);
    expect(await gqlData(gw.url, '{ providers { name } }')).toEqual({ providers: [{ name: 'local' }] });
  });

  it('refuses a WebSocket from a foreign Origin or for a rebound Host before it opens: the page creates nothing', async () => {
    const collectionId = uniqueCollectionId('cswsh');
    const fromEvil = await upgradeStatus(gw.wsUrl, { origin: 'https://evil.example' });
    expect(fromEvil.status).toBe(403);
    expect(JSON.parse(fromEvil.body).errors[0].extensions.code).toBe('FORBIDDEN_ORIGIN');
    await expect(
      runOverSocket(gw.wsUrl, { origin: 'https://evil.example' }, CREATE, { c: { provider: 'local', collectionId } }),
    ).rejects.toThrow(/403/);
    const rebound = await upgradeStatus(gw.wsUrl, { host: `rebind.evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(await collectionCounts(gw.url, collectionId)).toBeNull();
    // A page of the gateway itself (GraphiQL) and a Node client (no Origin) are served.
    expect(await runOverSocket(gw.wsUrl, { origin: `http://127.0.0.1:${port}` }, '{ providers { name } }')).toEqual({
      data: { providers: [{ name: 'local' }] },
    });
    const client = wsClient(gw.wsUrl);
    try {
      const data = await new Promise((resolve, reject) =>
        client.subscribe(
          { query: CREATE, variables: { c: { provider: 'local', collectionId } } },
          { next: resolve, error: reject, complete: () => {} },
        ),
      );
      expect(data).toEqual({ data: { createCollection: { __typename: 'CreateCollectionSuccess' } } });
    } finally {
      await client.dispose();
    }
  });

  it("serves GraphiQL with Content-Security-Policy: frame-ancestors 'none'", async () => {
    const page = await rawRequest(gw.url, { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe("frame-ancestors 'none'");
  });
});

describe('anonymous access behind a proxy on the same host: allowedHosts and allowedOrigins', () => {
  let gw: GatewayProcess;
  beforeAll(async () => {
    gw = await startGateway({ config: { allowedHosts: ['faces.internal'], allowedOrigins: ['https://admin.example.com'] } });
  });
  afterAll(async () => {
    await gw?.stop();
    removeDataDir(gw.dataDir);
  });

  it('serves the named Host and Origin besides loopback, and still refuses others', async () => {
    expect((await rawRequest(gw.url, { ...JSON_POST, host: 'faces.internal' }, PROVIDERS)).status).toBe(200);
    expect(
      (await rawRequest(gw.url, { ...JSON_POST, host: 'FACES.internal:443', origin: 'https://faces.internal' }, PROVIDERS)).status,
    ).toBe(200);
    expect((await rawRequest(gw.url, { ...JSON_POST, host: 'other.internal' }, PROVIDERS)).status).toBe(403);
    expect((await upgradeStatus(gw.wsUrl, { origin: 'https://admin.example.com' })).status).toBe(101);
    expect((await upgradeStatus(gw.wsUrl, { origin: 'https://admin.example.com.evil.example' })).status).toBe(403);
    expect(await gqlData(gw.url, '{ providers { name } }')).toEqual({ providers: [{ name: 'local' }] });
  });
});

describe('with credentials: Origins checked against allowedOrigins when set', () => {
  const KEY = 'origin-host-test-key-0123456789abcdef';
  let gw: GatewayProcess;
  beforeAll(async () => {
    gw = await startGateway({
      config: {
        auth: { apiKeys: [{ tenant: 'a', sha256: createHash('sha256').update(KEY).digest('hex') }] },
        allowedOrigins: ['https://admin.example.com'],
      },
    });
  });
  afterAll(async () => {
    await gw?.stop();
    removeDataDir(gw.dataDir);
  });

  it('refuses a WebSocket and a request from another Origin, serves the named one and clients without Origin, on any Host', async () => {
    expect((await upgradeStatus(gw.wsUrl, { origin: 'https://evil.example' })).status).toBe(403);
    const keyed = { ...JSON_POST, 'x-api-key': KEY };
    expect((await rawRequest(gw.url, { ...keyed, origin: 'https://evil.example' }, PROVIDERS)).status).toBe(403);
    expect((await rawRequest(gw.url, { ...keyed, origin: 'https://admin.example.com' }, PROVIDERS)).status).toBe(200);
    // No Host check with credentials unless allowedHosts is set: a key is needed anyway.
    expect((await rawRequest(gw.url, { ...keyed, host: 'faces.example.com' }, PROVIDERS)).status).toBe(200);
    const opened = await upgradeStatus(gw.wsUrl, { origin: 'https://admin.example.com' });
    expect(opened.status).toBe(101);
    opened.socket.close();
  });
});
