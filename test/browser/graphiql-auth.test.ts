/**
 * GraphiQL with API keys configured, in Chromium: the key typed into the
 * Headers editor authenticates queries over HTTP and, although GraphiQL
 * opens its graphql-ws connection without connectionParams, the
 * snapshotProgress subscription too (the key travels in each operation's
 * `extensions.headers`).
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';
import { launchChromium, type Browser } from './chromium.js';
import { resultPane, runOperation, setToolDocument, setVariables, toolEditor } from './graphiql-page.js';

const KEY = 'graphiql-browser-key';
let gateway: GatewayProcess;
let browser: Browser;
let operationId: string;

async function asTenant(query: string): Promise<any> {
  const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

beforeAll(async () => {
  gateway = await startGateway({
    config: {
      auth: { apiKeys: [{ tenant: 'a', sha256: createHash('sha256').update(KEY).digest('hex') }] },
      tenants: { a: { providers: ['local'], collections: ['*'] } },
    },
  });
  await asTenant(`mutation { createCollection(input: { collection: { provider: "local", collectionId: "keyed" } }) { __typename } }`);
  const taken = await asTenant(`mutation { takeSnapshot(input: { collection: { provider: "local", collectionId: "keyed" } }) {
    ... on TakeSnapshotAccepted { operation { id } } } }`);
  operationId = taken.takeSnapshot.operation.id;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  if (gateway) removeDataDir(gateway.dataDir);
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') await browser?.screenshot(`graphiql-auth-failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

describe('GraphiQL with API keys', () => {
  it('authenticates a query and a subscription with the key typed into the Headers editor', async () => {
    const { page } = browser;
    await page.goto(gateway.url);
    await page.waitForSelector('.graphiql-execute-button');
    expect(JSON.parse(await toolEditor(page, 'Headers'))).toEqual({ 'x-api-key': '<your API key>' });
    await setToolDocument(page, 'Headers', { 'x-api-key': KEY });

    const { body: providers } = await runOperation(page, 'Providers');
    expect(providers.data.providers.map((p: { name: string }) => p.name)).toEqual(['local']);

    // Each tab keeps its own headers.
    await page.locator('.graphiql-tab', { hasText: 'SnapshotProgress' }).click();
    await setToolDocument(page, 'Headers', { 'x-api-key': KEY });
    await setVariables(page, { operationId });
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => resultPane(page), { timeout: 30_000, interval: 200 }).toContain('"status": "SUCCEEDED"');
    expect(await resultPane(page)).not.toContain('UNAUTHENTICATED');
  });
});
