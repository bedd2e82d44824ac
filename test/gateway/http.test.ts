/** The HTTP surface: GraphiQL, health, limits, error masking, graphql-ws transport, graceful stop. */
import { describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { gql, startGateway, removeDataDir, wsClient } from '../support/gateway.js';

const url = inject('gatewayUrl');
const wsUrl = inject('gatewayWsUrl');

describe('http surface', () => {
  it('serves a self-contained GraphiQL page to browsers, using graphql-ws, with nothing from a CDN', async () => {
    const res = await fetch(url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('facegate');
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/i);
    expect(html).toContain('"WS"');
  });

  it('answers /healthz and /readyz', async () => {
    const base = url.replace(/\/graphql$/, '');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('refuses an oversized body with 413 and malformed JSON with 400', async () => {
    const big = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(9 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect((await big.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const bad = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(bad.status).toBe(400);
  });

  it('keeps CSRF prevention on: a simple GET query without a preflight header is refused', async () => {
    const res = await fetch(`${url}?query=${encodeURIComponent('{ providers { name } }')}`);
    expect(res.status).toBe(400);
    const ok = await fetch(`${url}?query=${encodeURIComponent('{ providers { name } }')}`, {
      headers: { 'apollo-require-preflight': '1' },
    });
    expect((await ok.json()).data.providers[0].name).toBe('local');
  });

  it('reports validation errors with a stable code and no stack trace', async () => {
    const res = await gql(url, '{ providers { nope } }');
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(res)).not.toContain('stacktrace');
  });

  it('runs operations over graphql-ws on the same port', async () => {
    const client = wsClient(wsUrl);
    const result = await new Promise<any>((resolve, reject) => {
      let value: unknown;
      client.subscribe(
        { query: '{ providers { name kind } }' },
        { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
      );
    });
    expect(result.data.providers[0]).toEqual({ name: 'local', kind: 'LOCAL' });
    await client.dispose();
  });
});

describe('graceful stop', () => {
  it('on SIGTERM finishes, closes WebSockets with 1001 and exits 0', async () => {
    const gateway = await startGateway();
    try {
      const socket = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.send(JSON.stringify({ type: 'connection_init' }));
      await new Promise((resolve) => socket.once('message', resolve));
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      const exit = gateway.stop();
      expect(await closed).toBe(1001);
      expect(await exit).toBe(0);
      expect(gateway.logs.some((l) => l.msg === 'facegate stopped')).toBe(true);
    } finally {
      removeDataDir(gateway.dataDir);
    }
  });

  it('exits 78 with a message naming the field on bad configuration', async () => {
    const { spawnSync } = await import('node:child_process');
    const { REPO_ROOT } = await import('../support/gateway.js');
    const run = spawnSync(process.execPath, ['dist/src/main.js'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: 'abc' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('PORT: expected an integer');
  });
});
