/**
 * The example web app (examples/web), built with Vite and served by
 * `vite preview` (which proxies /graphql to a real gateway), in Chromium:
 * the page takes a snapshot with the typed documents and shows a live
 * progress bar from snapshotProgress.
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, removeDataDir, type GatewayProcess } from '../support/gateway.js';
import { applySnapshot, SEEDED, startSeededGateway } from '../support/seeded-gateway.js';
import { launchChromium, type Browser } from './chromium.js';

const configFile = path.join(REPO_ROOT, 'examples/web/vite.config.ts');

let gateway: GatewayProcess;
let snapshotId: string;
let server: PreviewServer;
let browser: Browser;

beforeAll(async () => {
  ({ gateway, snapshotId } = await startSeededGateway());
  await build({ configFile, logLevel: 'warn' });
  // The config reads FACEGATE_URL when it is loaded: the proxy target.
  process.env.FACEGATE_URL = gateway.url;
  server = await preview({ configFile, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  delete process.env.FACEGATE_URL;
  await gateway?.stop();
  if (gateway) removeDataDir(gateway.dataDir);
});

describe('example web app', () => {
  it('takes a snapshot and shows its progress live', async () => {
    const { page } = browser;
    const { port } = server.httpServer.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    // An apply ahead in the queue keeps the take waiting, so the page sees it move.
    await applySnapshot(gateway.url, snapshotId, 'ahead');
    await page.getByLabel('Collection').fill(SEEDED.collectionId);
    await page.getByRole('button', { name: 'Take snapshot' }).click();
    await expect
      .poll(() => page.locator('#status').textContent(), { timeout: 30_000 })
      .toMatch(/^SUCCEEDED: snapshot \S+ \(1000 users, 10000 faces\)$/);
    expect(await page.locator('#progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(100);
    const events = await page.locator('#events li').allTextContents();
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]).toMatch(/^(NOT_STARTED|RUNNING) /);
    expect(events.at(-1)).toMatch(/^SUCCEEDED 100\.0% /);
    await browser.screenshot('example-web');
    expect(browser.foreignRequests()).toEqual([]);
    expect(browser.requests.some((u) => u.startsWith(`ws://127.0.0.1:${port}/graphql`))).toBe(true);
  });

  it('shows an error value as it came', async () => {
    const { page } = browser;
    await page.getByLabel('Collection').fill('no-such-collection');
    await page.getByRole('button', { name: 'Take snapshot' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^CollectionNotFound: /);
  });
});
