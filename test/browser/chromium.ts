/**
 * Debian's Chromium (apt `chromium`, installed by .ci/run) driven by
 * playwright-core: no browser is ever downloaded. Each launch gets a fresh
 * profile and the flags that keep Chromium from calling home on a closed
 * network; every request a page makes is recorded so a test can prove that
 * none left localhost.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../support/gateway.js';

export const CHROMIUM = process.env.FACEGATE_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots and other browser-test output (gitignored). */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Every URL the browser requested, in order (including workers and blob: scripts). */
  requests: string[];
  /** URLs that were neither localhost/127.0.0.1/[::1] nor blob:/data: URLs of such a page. */
  foreignRequests(): string[];
  /** Saves a full-page screenshot as test-artifacts/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isLocal(url: string): boolean {
  const u = new URL(url);
  if (u.protocol === 'data:' || u.protocol === 'about:') return true;
  // blob:http://127.0.0.1:4000/<uuid> belongs to the page's origin.
  if (u.protocol === 'blob:') return isLocal(url.slice('blob:'.length));
  return LOCAL_HOSTS.has(u.hostname);
}

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'facegate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1600, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  // WebSockets are not 'request' events.
  context.on('page', (p) => p.on('websocket', (ws) => requests.push(ws.url())));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('websocket', (ws) => requests.push(ws.url()));
  return {
    context,
    page,
    requests,
    foreignRequests: () => requests.filter((u) => !isLocal(u)),
    async screenshot(name) {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const file = path.join(ARTIFACTS_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
