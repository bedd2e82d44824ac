/**
 * `npm run bench:start`: from the command `npm start` to /healthz answering
 * 200, in one run, three ways:
 *
 * - cold: no build stamp (a fresh checkout after `npm ci`): a full build first;
 * - edited: one source file touched since the last build: `tsc -b` rebuilds;
 * - unchanged: nothing changed since the last build (best and median of 3).
 *
 * Each start runs in its own process group on a free port and a fresh data
 * directory, and is stopped with SIGTERM before the next. The footer prints
 * the load average: the machine is shared, and a build is CPU-bound.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const POLL_MS = 20;
const DEADLINE_MS = 10 * 60_000;

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const healthz = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });

/** Seconds from spawning `npm start` to /healthz answering 200. */
async function timeStart(): Promise<number> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'facegate-bench-start-'));
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', FACEGATE_DATA_DIR: dataDir },
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    for (;;) {
      if (await healthz(port)) return (performance.now() - started) / 1000;
      if (gone) throw new Error('npm start exited before /healthz answered');
      if (performance.now() - started > DEADLINE_MS) throw new Error(`/healthz did not answer within ${DEADLINE_MS} ms`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    if (!gone) process.kill(-child.pid!, 'SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const loadAtStart = load();
rmSync(path.join(ROOT, 'dist', '.build-stamp'), { force: true });
const cold = await timeStart();
const now = new Date();
utimesSync(path.join(ROOT, 'src', 'lib', 'glob.ts'), now, now);
const edited = await timeStart();
const unchanged = [await timeStart(), await timeStart(), await timeStart()].sort((a, b) => a - b);

console.log('npm start → /healthz 200, seconds');
console.log(`  cold (no build stamp, full build)   ${cold.toFixed(2)}`);
console.log(`  edited (one source file touched)    ${edited.toFixed(2)}`);
console.log(`  unchanged, best of 3                ${unchanged[0].toFixed(2)}`);
console.log(`  unchanged, median of 3              ${unchanged[1].toFixed(2)}`);
console.log(`load average at start: ${loadAtStart}; at end: ${load()} (${os.cpus().length} cores)`);
