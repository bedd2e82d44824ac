/**
 * The React example (examples/react: Vite + React + Apollo Client 4, typed
 * by the codegen client preset), built with Vite and served by `vite
 * preview` (which proxies /graphql, HTTP and WebSocket, to a real gateway
 * that refuses anonymous callers), driven in Chromium through each part of
 * the page: the API key (HTTP header and graphql-ws connectionParams), the
 * users list paged with fetchMore, enrolment from the browser form (the
 * photo uploaded as multipart), identification of a dropped group photo,
 * faces taken from and given back to a user with the list updated from the
 * mutations alone, and a snapshot with its live progress bar. One gateway
 * and three images of inference for the whole file; a screenshot of each
 * part in test-artifacts/example-react-*.png.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Request } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlData, REPO_ROOT, removeDataDir, type GatewayProcess } from '../support/gateway.js';
import { ref } from '../support/fixtures.js';
import { cropPath, scenePath } from '../support/face-fixtures.js';
import { applySnapshot, SEEDED, startSeededGateway } from '../support/seeded-gateway.js';
import { launchChromium, type Browser } from './chromium.js';

const configFile = path.join(REPO_ROOT, 'examples/react/vite.config.ts');
const KEY = 'react-example-key';
const KEYED = { 'x-api-key': KEY };
/** The collection the page works on, and the users it holds before the page opens (no faces: no inference). */
const COLLECTION = 'react';
const GUESTS = ['guest-1', 'guest-2', 'guest-3', 'guest-4'];

interface SentOperation {
  operationName: string;
  variables: Record<string, unknown>;
  headers: Record<string, string>;
}
const MULTIPART = '(multipart)';
/** How long a poll waits for the page (the machine is shared and slow at times); inference gets longer. */
const POLL = { timeout: 15_000 };

let gateway: GatewayProcess;
let snapshotId: string;
let server: PreviewServer;
let browser: Browser;
let origin: string;
/** Every GraphQL POST the page sent, in order (each read as it is sent). */
const sending: Promise<SentOperation>[] = [];
/** Every graphql-ws message the page sent, parsed. */
const wsSent: { type: string; payload?: Record<string, any> }[] = [];

/**
 * The operation of a POST to /graphql. Chromium does not hand a multipart
 * body with a file to the driver, so an upload is known by its headers only
 * (as MULTIPART); the gateway finding the face in it shows the photo came.
 */
async function operationOf(request: Request): Promise<SentOperation> {
  const headers = await request.allHeaders();
  if (headers['content-type']?.startsWith('multipart/form-data')) return { operationName: MULTIPART, variables: {}, headers };
  const { operationName, variables } = JSON.parse(request.postData() ?? '{}') as Omit<SentOperation, 'headers'>;
  return { operationName, variables, headers };
}

/** The operations sent from the `from`th on. */
const sentSince = async (from: number): Promise<SentOperation[]> => (await Promise.all(sending)).slice(from);
const namesSince = async (from: number): Promise<string[]> => (await sentSince(from)).map((o) => o.operationName);
const lastSent = async (): Promise<SentOperation> => (await sentSince(sending.length - 1))[0];

beforeAll(async () => {
  ({ gateway, snapshotId } = await startSeededGateway({
    apiKey: KEY,
    config: {
      auth: { apiKeys: [{ tenant: 'demo', sha256: createHash('sha256').update(KEY).digest('hex') }] },
      tenants: { demo: { providers: '*', collections: ['*'] } },
    },
  }));
  const created = await gqlData(
    gateway.url,
    `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { __typename } }`,
    { c: ref(COLLECTION) },
    KEYED,
  );
  expect(created.createCollection.__typename).toBe('CreateCollectionSuccess');
  for (const userId of GUESTS) {
    await gqlData(
      gateway.url,
      `mutation($c: CollectionRef!, $u: String!) { createUser(input: { collection: $c, userId: $u }) { __typename } }`,
      {
        c: ref(COLLECTION),
        u: userId,
      },
      KEYED,
    );
  }
  // The engine's worker loads its models on the first image: let it do so while Vite builds.
  const warm = gqlData(
    gateway.url,
    `query($i: ImageInput!) { detectFaces(input: { provider: "local", image: $i }) { __typename } }`,
    {
      i: { base64: readFileSync(cropPath('amy', 1)).toString('base64') },
    },
    KEYED,
  );
  await build({ configFile, logLevel: 'warn' });
  // The config reads FACEGATE_URL when it is loaded: the proxy target.
  process.env.FACEGATE_URL = gateway.url;
  server = await preview({ configFile, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  origin = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}`;
  browser = await launchChromium();
  await warm;
  const { page } = browser;
  // A missing element fails the test in seconds, not at its time-out.
  page.setDefaultTimeout(10_000);
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') sending.push(operationOf(request));
  });
  page.on('websocket', (ws) => ws.on('framesent', ({ payload }) => wsSent.push(JSON.parse(String(payload)))));
  await page.goto(`${origin}/`);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  delete process.env.FACEGATE_URL;
  await gateway?.stop();
  if (gateway) removeDataDir(gateway.dataDir);
});

/** Opens a collection by the form at the top of the page. */
async function openCollection(collectionId: string): Promise<void> {
  const { page } = browser;
  await page.getByRole('textbox', { name: 'Collection', exact: true }).fill(collectionId);
  await page.getByRole('button', { name: 'Open' }).click();
}

const usersTable = () => browser.page.getByRole('table', { name: 'Users' });
/** The users table as `userId faces status` lines. */
const userRows = () =>
  usersTable()
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) =>
        [...r.querySelectorAll('td')]
          .slice(0, 3)
          .map((td) => td.textContent)
          .join(' '),
      ),
    );

describe('example React app', () => {
  it('sends the API key typed into the page as x-api-key, and is refused without it', async () => {
    const { page } = browser;
    await openCollection(COLLECTION);
    await expect.poll(() => page.getByLabel('Users status').textContent(), POLL).toMatch(/^HTTP 401: /);
    expect((await lastSent()).headers['x-api-key']).toBeUndefined();
    await browser.screenshot('example-react-api-key-refused');

    const before = sending.length;
    await page.locator('input[name=apiKey]').fill(KEY);
    await page.getByRole('button', { name: 'Use key' }).click();
    await expect.poll(() => page.getByLabel('Users shown').textContent(), POLL).toBe('3 of 4 users');
    expect((await sentSince(before)).map((o) => [o.operationName, o.headers['x-api-key']])).toEqual([['CollectionUsers', KEY]]);
  });

  it('pages through the users with fetchMore, asking for the next page only', async () => {
    const { page } = browser;
    expect(await userRows()).toEqual(['guest-1 0 CREATED', 'guest-2 0 CREATED', 'guest-3 0 CREATED']);
    const before = sending.length;
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(userRows, POLL).toEqual(GUESTS.map((u) => `${u} 0 CREATED`));
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    const [more, ...others] = await sentSince(before);
    expect(others).toEqual([]);
    expect(more.operationName).toBe('CollectionUsers');
    expect(more.variables).toMatchObject({ first: 3, after: expect.any(String) });
  });

  it('enrols a user from the browser form: the photo goes as multipart, the face box is drawn, the list grows without a refetch', async () => {
    const { page } = browser;
    const before = sending.length;
    for (const person of ['leonard', 'sheldon'] as const) {
      await page.getByRole('textbox', { name: 'User id' }).fill(person);
      await page.getByLabel('Photo', { exact: true }).setInputFiles(cropPath(person, 1));
      await page.getByRole('button', { name: 'Enrol' }).click();
      await expect
        .poll(() => page.getByLabel('Enrol status').textContent(), { timeout: 30_000 })
        .toBe(`Enrolled ${person}: 1 face(s), 1 in all`);
    }
    // The face of a tight crop fills most of it.
    const box = page.getByRole('figure', { name: 'Enrolled photo' }).getByTestId('face-box');
    expect(await box.count()).toBe(1);
    expect(await box.textContent()).toBe('sheldon');
    const figure = (await page.getByRole('figure', { name: 'Enrolled photo' }).boundingBox())!;
    const drawn = (await box.boundingBox())!;
    expect(drawn.width * drawn.height).toBeGreaterThan(0.2 * figure.width * figure.height);
    await browser.screenshot('example-react-enrol');

    expect(await namesSince(before)).toEqual(['CreateUser', MULTIPART, 'AssociateFaces', 'CreateUser', MULTIPART, 'AssociateFaces']);
    const upload = (await sentSince(before))[1];
    expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload.headers['apollo-require-preflight']).toBe('true');
    expect(upload.headers['x-api-key']).toBe(KEY);
    await expect.poll(userRows, POLL).toEqual([...GUESTS.map((u) => `${u} 0 CREATED`), 'leonard 1 ACTIVE', 'sheldon 1 ACTIVE']);
    expect(await page.getByLabel('Users shown').textContent()).toBe('6 of 6 users');
  });

  it('names the enrolled people over the faces of a dropped group photo', async () => {
    const { page } = browser;
    const photo = readFileSync(scenePath(2)).toString('base64');
    const dataTransfer = await page.evaluateHandle((base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'bbt2.jpg', { type: 'image/jpeg' }));
      return transfer;
    }, photo);
    await page.getByLabel('Drop a group photo').dispatchEvent('drop', { dataTransfer });
    await expect.poll(() => page.getByLabel('Identify status').textContent(), { timeout: 30_000 }).toBe('3 face(s), 2 named');
    const labels = await page.getByRole('figure', { name: 'Identified photo' }).getByTestId('face-box').allTextContents();
    expect(labels.map((l) => l.replace(/ \d+%$/, '')).sort()).toEqual(['leonard', 'sheldon', 'unknown']);
    expect((await lastSent()).operationName).toBe(MULTIPART);
    await browser.screenshot('example-react-identify');
  });

  it('takes faces from a user and gives them back, the rows updated from the mutations alone', async () => {
    const { page } = browser;
    const before = sending.length;
    const sheldon = usersTable().locator('tr[data-user="sheldon"]');
    const unassociated = page.getByRole('list', { name: 'Faces without a user' });
    await sheldon.getByRole('button', { name: 'Remove faces' }).click();
    await expect.poll(() => sheldon.locator('td').nth(1).textContent(), POLL).toBe('0');
    await expect.poll(() => unassociated.locator('li').allTextContents(), POLL).toEqual([expect.stringMatching(/^sheldon /)]);
    await browser.screenshot('example-react-users-disassociated');

    await unassociated.getByRole('button', { name: 'Associate' }).click();
    await expect.poll(() => sheldon.locator('td').nth(1).textContent(), POLL).toBe('1');
    await expect.poll(() => unassociated.locator('li').count(), POLL).toBe(0);
    expect(await namesSince(before)).toEqual(['DisassociateFaces', 'AssociateFaces']);
    expect(await userRows()).toEqual([...GUESTS.map((u) => `${u} 0 CREATED`), 'leonard 1 ACTIVE', 'sheldon 1 ACTIVE']);
    await browser.screenshot('example-react-users');
  });

  it('takes a snapshot and shows its progress live over graphql-ws, authenticated by connectionParams', async () => {
    const { page } = browser;
    await openCollection(SEEDED.collectionId);
    // An apply ahead in the queue keeps the take waiting, so the page sees it move.
    await applySnapshot(gateway.url, snapshotId, 'ahead', KEY);
    await page.getByRole('button', { name: 'Take snapshot' }).click();
    await expect
      .poll(() => page.getByLabel('Snapshot status').textContent(), { timeout: 30_000 })
      .toMatch(/^SUCCEEDED: snapshot \S+ \(1000 users, 10000 faces\)$/);
    expect(await page.getByLabel('Snapshot progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(100);
    const events = await page.getByRole('list', { name: 'Progress events' }).locator('li').allTextContents();
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]).toMatch(/^(NOT_STARTED|RUNNING) /);
    expect(events.at(-1)).toMatch(/^SUCCEEDED 100\.0% /);
    await browser.screenshot('example-react-snapshot');

    expect(wsSent.filter((m) => m.type === 'connection_init').map((m) => m.payload)).toEqual([{ apiKey: KEY }]);
    expect(wsSent.filter((m) => m.type === 'subscribe').map((m) => m.payload!.operationName)).toEqual(['SnapshotProgress']);
    expect(browser.requests.some((u) => u.startsWith(`${origin.replace('http', 'ws')}/graphql`))).toBe(true);
    expect(browser.foreignRequests()).toEqual([]);
  });

  it('shows the Error member of a result union with its code and message (possibleTypes)', async () => {
    const { page } = browser;
    await page.getByRole('textbox', { name: 'Collection', exact: true }).fill(COLLECTION);
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByLabel('Collection status').textContent(), POLL).toMatch(/^CollectionAlreadyExists: .*already exists/);
    await openCollection('no-such-collection');
    await page.getByRole('button', { name: 'Take snapshot' }).click();
    await expect.poll(() => page.getByLabel('Snapshot status').textContent(), POLL).toMatch(/^CollectionNotFound: \S/);
  });
});
