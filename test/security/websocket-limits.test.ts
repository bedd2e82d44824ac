/**
 * Hostile WebSocket clients: an oversized frame is refused from its header
 * (close 1009) before its payload is read, even as a connection_init with
 * a wrong key; sockets are capped overall and per remote address (the
 * upgrade is answered 503); operations in flight per socket and
 * subscriptions per tenant are capped with a GraphQL error whose
 * `extensions.code` says which. Every refusal leaves the gateway serving
 * a legitimate client, during and after.
 */
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { gqlData, metricSum, removeDataDir, startGateway, wsClient, type GatewayProcess } from '../support/gateway.js';
import { until } from '../support/wait.js';

/** Opens a graphql-transport-ws socket (optionally from another loopback address) and resolves once open, or with the refused upgrade's status. */
function openSocket(url: string, localAddress?: string): Promise<{ socket: WebSocket; status?: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', localAddress ? { localAddress } : {});
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ socket, status: res.statusCode });
      res.resume();
    });
    socket.once('error', (e) => reject(e));
  });
}

/**
 * {@link openSocket}, then resolves once the gateway acknowledged the socket's connection_init (so it
 * counts in facegate_ws_connections); a refused upgrade resolves with its status.
 */
async function openInitialized(url: string, localAddress?: string): Promise<{ socket: WebSocket; status?: number }> {
  const opened = await openSocket(url, localAddress);
  if (opened.status !== undefined) return opened;
  const acked = new Promise<void>((resolve, reject) =>
    opened.socket.once('message', (data: Buffer) => {
      const type = (JSON.parse(data.toString()) as { type?: string }).type;
      if (type === 'connection_ack') resolve();
      else reject(new Error(`expected connection_ack, got ${type}`));
    }),
  );
  opened.socket.send(JSON.stringify({ type: 'connection_init' }));
  await acked;
  return opened;
}

/** The gateway's count of open graphql-ws connections, once it equals `n` (it counts a close once it has processed it). */
const connectionsReach = (url: string, n: number) =>
  until(async () => (await metricSum(url, 'facegate_ws_connections')) === n, `${n} open WebSocket connections at the gateway`);

/** The gateway's count of live snapshotProgress subscriptions, once it equals `n`. */
const subscriptionsReach = (url: string, n: number) =>
  until(async () => (await metricSum(url, 'facegate_graphql_subscriptions')) === n, `${n} live subscriptions at the gateway`);

const closed = (socket: WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

/** A query that proves the gateway still answers over HTTP. */
const stillServesHttp = async (url: string) =>
  expect(await gqlData(url, '{ providers { name } }')).toEqual({ providers: [{ name: 'local' }] });

describe('frames: maxPayload near maxBodyBytes (the default config)', () => {
  const KEY = 'websocket-limits-key-0123456789abcdef';
  let gw: GatewayProcess;
  beforeAll(async () => {
    gw = await startGateway({ config: { auth: { apiKeys: [{ tenant: 'a', sha256: createHash('sha256').update(KEY).digest('hex') }] } } });
  });
  const stillServesKeyedHttp = async () => {
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  };
  afterAll(async () => {
    await gw?.stop();
    removeDataDir(gw.dataDir);
  });

  it('closes a socket announcing a 60 MB connection_init with 1009 from the frame header, before its payload is sent', async () => {
    const { socket } = await openSocket(gw.wsUrl);
    const done = closed(socket);
    // A masked text frame whose header announces 60,000,000 bytes; only the header and 16 bytes are ever sent.
    const header = Buffer.alloc(14);
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(60_000_000n, 2);
    const raw = (socket as unknown as { _socket: import('node:net').Socket })._socket;
    raw.write(Buffer.concat([header, Buffer.from('{"type":"connect')]));
    const { code } = await done;
    expect(code).toBe(1009);
    await stillServesKeyedHttp();
  });

  it('refuses a 9 MB connection_init carrying a wrong key with 1009, not by parsing it', async () => {
    const { socket } = await openSocket(gw.wsUrl);
    const done = closed(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: 'wrong', padding: 'x'.repeat(9 * 1024 * 1024) } }));
    expect((await done).code).toBe(1009);
    const small = await openSocket(gw.wsUrl);
    const refused = closed(small.socket);
    small.socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: 'wrong' } }));
    expect((await refused).code).toBe(4401);
    await stillServesKeyedHttp();
  });
});

describe('sockets, operations and subscriptions: capped, with named refusals', () => {
  let gw: GatewayProcess;
  let running: string;

  beforeAll(async () => {
    gw = await startGateway({
      config: {
        websocket: { maxConnections: 5, maxConnectionsPerAddress: 3, maxOperationsPerSocket: 2, maxSubscriptionsPerTenant: 3 },
      },
    });
    // An operation that stays RUNNING (a training nothing sweeps without Redis), so its subscriptions stay open.
    const id = randomUUID();
    const db = new Database(path.join(gw.dataDir, 'facegate.db'));
    const now = Date.now();
    db.prepare(
      `INSERT INTO operations (id, kind, owner, status, percent, processed_items, created_at, last_action_at)
       VALUES (?, 'TRAIN_COLLECTION', 'default', 'RUNNING', 10, 0, ?, ?)`,
    ).run(id, now, now);
    db.close();
    running = Buffer.from(JSON.stringify(['Operation', id])).toString('base64url');
  });
  afterAll(async () => {
    await gw?.stop();
    removeDataDir(gw.dataDir);
  });

  it('refuses the upgrade (503, Retry-After) over the per-address and overall caps, and accepts again once a socket closes', async () => {
    const open: WebSocket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const { socket, status } = await openInitialized(gw.wsUrl);
        expect(status).toBeUndefined();
        open.push(socket);
      }
      const perAddress = await openInitialized(gw.wsUrl);
      expect(perAddress.status).toBe(503);
      // Other loopback addresses have their own count, up to the overall cap of 5.
      for (let i = 0; i < 2; i++) {
        const { socket, status } = await openInitialized(gw.wsUrl, '127.0.0.2');
        expect(status).toBeUndefined();
        open.push(socket);
      }
      expect((await openInitialized(gw.wsUrl, '127.0.0.3')).status).toBe(503);
      expect(await metricSum(gw.url, 'facegate_ws_connections')).toBe(5);
      await stillServesHttp(gw.url);
      const first = open.shift()!;
      const gone = closed(first);
      first.close();
      await gone;
      await connectionsReach(gw.url, 4);
      // Its slot is free again: the same address opens one more.
      const again = await openInitialized(gw.wsUrl);
      expect(again.status).toBeUndefined();
      open.push(again.socket);
    } finally {
      // The next test counts sockets again: wait until the gateway has seen these close.
      await Promise.all(open.map((socket) => (socket.readyState === WebSocket.CLOSED ? undefined : (socket.close(), closed(socket)))));
      await connectionsReach(gw.url, 0);
    }
  });

  it('caps operations per socket (TOO_MANY_OPERATIONS) and subscriptions per tenant (TOO_MANY_SUBSCRIPTIONS), keeping the sockets open', async () => {
    const PROGRESS = `subscription($id: ID!) { snapshotProgress(operationId: $id) { status } }`;
    const clients: Client[] = [wsClient(gw.wsUrl), wsClient(gw.wsUrl)];
    /** Subscribes and resolves with the refusal's errors, or with 'open' at the first event of a running subscription. */
    const subscribe = (client: Client): Promise<{ outcome: 'open' | 'completed' | unknown[]; stop: () => void }> =>
      new Promise((resolve) => {
        const stop = client.subscribe(
          { query: PROGRESS, variables: { id: running } },
          {
            next: () => resolve({ outcome: 'open', stop }),
            error: (errors) => resolve({ outcome: errors as unknown[], stop }),
            complete: () => resolve({ outcome: 'completed', stop }),
          },
        );
      });
    const codeOf = (outcome: 'open' | 'completed' | unknown[]) =>
      typeof outcome === 'string' ? outcome : (outcome as { extensions?: { code?: string } }[])[0]?.extensions?.code;
    try {
      const [a1, a2] = [await subscribe(clients[0]), await subscribe(clients[0])];
      expect([a1.outcome, a2.outcome]).toEqual(['open', 'open']);
      expect(codeOf((await subscribe(clients[0])).outcome)).toBe('TOO_MANY_OPERATIONS');
      expect((await subscribe(clients[1])).outcome).toBe('open');
      expect(codeOf((await subscribe(clients[1])).outcome)).toBe('TOO_MANY_SUBSCRIPTIONS');
      await stillServesHttp(gw.url);
      // Completing one gives its slot back, to the same tenant on another socket.
      expect(await metricSum(gw.url, 'facegate_graphql_subscriptions')).toBe(3);
      a1.stop();
      await subscriptionsReach(gw.url, 2);
      expect((await subscribe(clients[1])).outcome).toBe('open');
      // Closing a socket gives back every slot it held.
      await clients[0].dispose();
      await connectionsReach(gw.url, 1);
      expect(await metricSum(gw.url, 'facegate_graphql_subscriptions')).toBe(2);
      const c = wsClient(gw.wsUrl);
      clients.push(c);
      expect((await subscribe(c)).outcome).toBe('open');
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
    }
  });
});
