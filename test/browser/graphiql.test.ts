/**
 * GraphiQL in a real browser (Debian's Chromium through playwright-core):
 * the default tab's walk-through runs as it opens (a query, mutations, a
 * face indexed and found), a snapshotProgress subscription streams events
 * into the result pane, and no request leaves localhost. A screenshot is
 * saved under test-artifacts/. With API keys configured, the key typed into
 * the Headers editor authenticates queries over HTTP and, although GraphiQL
 * opens its graphql-ws connection without connectionParams, subscriptions
 * too (the key travels in each operation's `extensions.headers`).
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';
import { applySnapshot, SEEDED, startSeededGateway } from '../support/seeded-gateway.js';
import { launchChromium, type Browser } from './chromium.js';
import {
  queryEditor,
  replaceVariablesLine,
  resultPane,
  runOperation,
  setToolDocument,
  toolDocument,
  setVariables,
} from './graphiql-page.js';

let gateway: GatewayProcess;
let browser: Browser;
let snapshotId: string;

beforeAll(async () => {
  ({ gateway, snapshotId } = await startSeededGateway());
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  if (gateway) removeDataDir(gateway.dataDir);
});

// A failing step leaves a picture of the page behind.
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') await browser?.screenshot(`graphiql-failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

describe('GraphiQL in Chromium', () => {
  it('opens on the walk-through with the credential header prefilled, and runs it end to end', async () => {
    const { page } = browser;
    await page.goto(gateway.url);
    await page.waitForSelector('.graphiql-execute-button');
    expect(await queryEditor(page)).toContain('mutation CreateCollection');
    // Anonymous access is on: an empty key means "anonymous" and the page works as it opens.
    expect(await toolDocument(page, 'Headers')).toEqual({ 'x-api-key': '' });

    const { body: providers } = await runOperation(page, 'Providers');
    expect(providers.data.providers.map((p: { name: string }) => p.name)).toEqual(['local']);
    expect(await resultPane(page)).toContain('"kind": "LOCAL"');

    expect((await runOperation(page, 'CreateCollection')).body.data.createCollection.__typename).toBe('CreateCollectionSuccess');
    expect(await resultPane(page)).toContain('CreateCollectionSuccess');

    const { body: indexed, variables } = await runOperation(page, 'IndexFace');
    expect(indexed.data.indexFaces.__typename).toBe('IndexFacesSuccess');
    const faceId: string = indexed.data.indexFaces.faces[0].faceId;
    expect(await resultPane(page)).toContain(faceId);

    expect((await runOperation(page, 'CreateUser')).body.data.createUser.__typename).toBe('CreateUserSuccess');
    // The sample photo came prefilled; the faceId is pasted over its placeholder (line 2).
    expect(variables.image).toMatch(/^\/9j\//);
    await replaceVariablesLine(page, 2, `"faceId": ${JSON.stringify(faceId)},`);
    const { body: associated, variables: sent } = await runOperation(page, 'AssociateFace');
    expect(sent).toEqual({ ...variables, faceId });
    expect(associated.data.associateFaces).toMatchObject({ __typename: 'AssociateFacesSuccess', associatedFaces: [{ faceId }] });

    const { body: found } = await runOperation(page, 'SearchUsers');
    const [match] = found.data.searchUsersByImage.userMatches;
    expect(match.user.userId).toBe('alice');
    expect(match.similarity).toBeGreaterThan(80);
    expect(await resultPane(page)).toContain('"userId": "alice"');

    // The face operations, on the same photo.
    const { body: detected } = await runOperation(page, 'DetectFaces');
    expect(detected.data.detectFaces.__typename).toBe('DetectFacesSuccess');
    expect(detected.data.detectFaces.faces.length).toBeGreaterThanOrEqual(1);
    const { body: compared } = await runOperation(page, 'CompareFaces');
    expect(compared.data.compareFaces.__typename).toBe('CompareFacesSuccess');
    expect(compared.data.compareFaces.faceMatches[0].similarity).toBeGreaterThan(99);
    const { body: verified } = await runOperation(page, 'VerifyUser');
    expect(verified.data.verifyUser).toMatchObject({ __typename: 'VerifyUserSuccess', isMatch: true, user: { userId: 'alice' } });
    const { body: identified } = await runOperation(page, 'IdentifyFaces');
    expect(identified.data.identifyFaces.__typename).toBe('IdentifyFacesSuccess');
    expect(identified.data.identifyFaces.faces[0].userMatches[0].user.userId).toBe('alice');
    expect(await resultPane(page)).toContain('IdentifyFacesSuccess');
  });

  it('streams snapshotProgress events into the result pane over graphql-ws', async () => {
    const { page } = browser;
    const frames: { type: string; payload?: { data?: { snapshotProgress: { status: string; percent: number } } } }[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(JSON.parse(String(f.payload)))));
    // Applies ahead in the queue (one at a time, ~1 s each), so the page subscribes before the one it follows has ended.
    for (let i = 0; i < 3; i++) await applySnapshot(gateway.url, snapshotId, `copy-ahead-${i}`);
    const operationId = await applySnapshot(gateway.url, snapshotId, 'copy-followed');

    await page.locator('.graphiql-tab', { hasText: 'SnapshotProgress' }).click();
    await setVariables(page, { operationId });
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => resultPane(page), { timeout: 60_000, interval: 200 }).toContain('"status": "SUCCEEDED"');
    const pane = await resultPane(page);
    expect(pane).toContain('"status": "SUCCEEDED"');
    expect(pane).toContain('"percent": 100');
    expect(pane).toContain(`"faceCount": ${SEEDED.faces}`);

    const events = frames.filter((f) => f.type === 'next').map((f) => f.payload!.data!.snapshotProgress);
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(['NOT_STARTED', 'RUNNING']).toContain(events[0].status);
    expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', percent: 100 });
    expect(frames.at(-1)!.type).toBe('complete');
    await browser.screenshot('graphiql');
  });

  it('made no request outside localhost', () => {
    expect(browser.requests.some((u) => u.startsWith('ws://127.0.0.1'))).toBe(true);
    expect(browser.requests.length).toBeGreaterThan(5);
    expect(browser.foreignRequests()).toEqual([]);
  });
});

describe('GraphiQL with API keys', () => {
  const KEY = 'graphiql-browser-key';
  let keyed: GatewayProcess;
  let operationId: string;

  async function asTenant(query: string): Promise<any> {
    const res = await fetch(keyed.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  beforeAll(async () => {
    keyed = await startGateway({
      config: {
        auth: { apiKeys: [{ tenant: 'a', sha256: createHash('sha256').update(KEY).digest('hex') }] },
        tenants: { a: { providers: ['local'], collections: ['*'] } },
      },
    });
    await asTenant(`mutation { createCollection(input: { collection: { provider: "local", collectionId: "keyed" } }) { __typename } }`);
    const taken = await asTenant(`mutation { takeSnapshot(input: { collection: { provider: "local", collectionId: "keyed" } }) {
      ... on TakeSnapshotAccepted { operation { id } } } }`);
    operationId = taken.takeSnapshot.operation.id;
  });

  afterAll(async () => {
    await keyed?.stop();
    if (keyed) removeDataDir(keyed.dataDir);
  });

  it('authenticates a query and a subscription with the key typed into the Headers editor', async () => {
    const { page } = browser;
    await page.goto(keyed.url);
    await page.waitForSelector('.graphiql-execute-button');
    expect(await toolDocument(page, 'Headers')).toEqual({ 'x-api-key': '<your API key>' });
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
