/**
 * One error formatter for both transports: what graphql-ws sends is shaped
 * by the same formatError as Apollo's HTTP answers (codes kept, anything
 * unexpected masked), and refusals before execution carry Apollo's codes.
 * `fromGlobalId` takes only ids with their type's number of parts, so a
 * forged id is `null` (not found), never a crash.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { fromGlobalId, toGlobalId } from '../../dist/src/domain/global-id.js';
import { gql, removeDataDir, startGateway, wsClient, type GatewayProcess, type GraphQLResponse } from '../support/gateway.js';

const forged = (...parts: string[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');

describe('fromGlobalId', () => {
  it("takes exactly each type's parts, non-empty strings", () => {
    expect(fromGlobalId(toGlobalId('User', 'local', 'c', 'u'))).toEqual({ type: 'User', parts: ['local', 'c', 'u'] });
    expect(fromGlobalId(toGlobalId('Operation', 'x'))).toEqual({ type: 'Operation', parts: ['x'] });
    for (const parts of [
      ['Collection'],
      ['Collection', 'local'],
      ['User', 'local', 'c'],
      ['Face', 'local', 'c', 'f', 'extra'],
      ['Provider', ''],
      ['Snapshot', 'a', 'b'],
      ['Nope', 'a'],
    ])
      expect([parts, fromGlobalId(forged(...parts))]).toEqual([parts, null]);
  });
});

describe('errors over WebSocket are formatted as over HTTP', () => {
  let gw: GatewayProcess;
  let client: Client;
  let corrupt: string;

  beforeAll(async () => {
    gw = await startGateway();
    client = wsClient(gw.wsUrl);
    // A stored operation of a kind the schema cannot represent: serialising it fails inside execution, an unexpected error.
    const id = randomUUID();
    const db = new Database(path.join(gw.dataDir, 'facegate.db'));
    db.prepare(
      `INSERT INTO operations (id, kind, owner, status, percent, processed_items, created_at, last_action_at)
       VALUES (?, 'BOGUS_KIND', 'default', 'SUCCEEDED', 100, 0, ?, ?)`,
    ).run(id, Date.now(), Date.now());
    db.close();
    corrupt = toGlobalId('Operation', id);
  });
  afterAll(async () => {
    await client?.dispose();
    await gw?.stop();
    removeDataDir(gw.dataDir);
  });

  /** The last `next` payload, or the `error` payload as `{ errors }`. */
  const overWs = (query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse> =>
    new Promise((resolve) => {
      let last: GraphQLResponse = {};
      client.subscribe(
        { query, variables },
        {
          next: (r) => (last = r as GraphQLResponse),
          error: (errors) => resolve({ errors: errors as GraphQLResponse['errors'] }),
          complete: () => resolve(last),
        },
      );
    });
  /** Message and code of each error: what both transports must agree on. */
  const shape = (r: GraphQLResponse) => ({
    data: r.data,
    errors: r.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })),
  });

  it('answers node(id:) with a forged id null on both', async () => {
    const query = 'query($id: ID!) { node(id: $id) { id } }';
    for (const id of [forged('Collection'), forged('User', 'local'), forged('Face', 'local', 'c', 'f', 'g'), 'not-base64-json']) {
      const http = await gql(gw.url, query, { id });
      expect(http).toEqual({ data: { node: null } });
      expect(await overWs(query, { id })).toEqual(http);
    }
  });

  it('masks an unexpected error on both, with nothing of its text', async () => {
    const query = 'query($id: ID!) { operation(id: $id) { kind } }';
    const http = await gql(gw.url, query, { id: corrupt });
    const ws = await overWs(query, { id: corrupt });
    expect(shape(http).errors).toEqual([{ message: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' }]);
    expect(shape(ws)).toEqual(shape(http));
    expect(JSON.stringify(ws)).not.toContain('BOGUS');
  });

  it('gives parse, validation, variable and operation-name errors the codes Apollo gives them, and keeps the socket', async () => {
    const cases: [string, Record<string, unknown> | undefined, string][] = [
      ['{ providers { name }', undefined, 'GRAPHQL_PARSE_FAILED'],
      ['{ providers { nope } }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
      ['query($id: ID!) { node(id: $id) { id } }', {}, 'BAD_USER_INPUT'],
      ['query($n: Int!) { snapshots(first: $n) { edges { cursor } } }', { n: 'many' }, 'BAD_USER_INPUT'],
    ];
    for (const [query, variables, code] of cases) {
      const http = await gql(gw.url, query, variables);
      const ws = await overWs(query, variables);
      expect([query, shape(ws).errors?.[0]?.code]).toEqual([query, code]);
      expect(shape(ws).errors?.map((e) => e.message)).toEqual(shape(http).errors?.map((e) => e.message));
    }
    expect((await overWs('query A { __typename } query B { __typename }')).errors?.[0]?.extensions?.code).toBe(
      'OPERATION_RESOLUTION_FAILURE',
    );
    // The same socket still serves.
    expect(await overWs('{ providers { name } }')).toEqual({ data: { providers: [{ name: 'local' }] } });
  });
});
