/**
 * `npm run bench:snapshot`:
 * 1. take + apply of local collections of 2,000 and 10,000 synthetic faces,
 *    each in its own process: wall time and peak RSS (the 2,000-face run is
 *    the baseline: peak RSS must not grow with collection size);
 * 2. fan-out: BENCH_SUBSCRIBERS (default 1,000) graphql-ws subscribers to one
 *    operation on a gateway process: latency from progress write (the
 *    event's `at`) to delivery, p50/p99, and the gateway's RSS per idle
 *    connected subscriber.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { rssMb } from './process-stats.js';
import { seedCollection } from './seed.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);

// ---- 1. take + apply -------------------------------------------------------
const copyRows = [2_000, 10_000].map((faces) => {
  const run = spawnSync(process.execPath, [path.join(here, 'snapshot-copy.run.js'), String(faces)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`snapshot-copy.run ${faces}: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number | string>;
});
console.log('\nTake + apply (local → local, synthetic descriptors, no inference)');
console.table(
  copyRows.map((r) => ({
    faces: r.faces,
    'take ms': r.takeMs,
    'apply ms': r.applyMs,
    'progress events take/apply': `${r.takeEvents}/${r.applyEvents}`,
    status: r.status,
    'RSS after seeding MB': r.rssAfterSeedMb,
    'peak RSS MB': r.peakRssMb,
  })),
);

// ---- 2. fan-out ------------------------------------------------------------
const dataDir = mkdtempSync(path.join(tmpdir(), 'facegate-fanout-'));
const store = await openSqliteStore(dataDir);
await seedCollection(store, { provider: 'local', collectionId: 'fan', users: 20_000, faces: 0, facesPerUser: 1 });
await store.close();

const gateway: ChildProcess = spawn(process.execPath, [path.join(here, '../src/main.js')], {
  env: { ...process.env, PORT: '0', FACEGATE_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  gateway.stdout!.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) {
      if (line.includes('"facegate listening"')) resolve((JSON.parse(line) as { url: string }).url);
    }
  });
  gateway.once('exit', (code) => reject(new Error(`gateway exited ${code}`)));
});
const wsUrl = url.replace(/^http/, 'ws');

try {
  const rssBefore = rssMb(gateway.pid!);
  const clients: Client[] = [];
  await Promise.all(
    Array.from({ length: subscribers }, () => {
      return new Promise<void>((resolve, reject) => {
        const client = createClient({
          url: wsUrl,
          webSocketImpl: WebSocket,
          lazy: false,
          retryAttempts: 0,
          on: { connected: () => resolve(), error: reject },
        });
        clients.push(client);
      });
    }),
  );
  await new Promise((r) => setTimeout(r, 500));
  const rssIdle = rssMb(gateway.pid!);

  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query:
        'mutation { takeSnapshot(input: { collection: { provider: "local", collectionId: "fan" } }) { ... on TakeSnapshotAccepted { operation { id } } } }',
    }),
  });
  const operationId = ((await res.json()) as { data: { takeSnapshot: { operation: { id: string } } } }).data.takeSnapshot.operation.id;
  const latencies: number[] = [];
  let terminal = 0;
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve, reject) => {
          let first = true;
          client.subscribe<{ snapshotProgress: { status: string; at: string } }>(
            { query: 'subscription($id: ID!) { snapshotProgress(operationId: $id) { status at } }', variables: { id: operationId } },
            {
              next: ({ data }) => {
                const e = data!.snapshotProgress;
                // The first event is the stored current state, not a fresh write.
                if (!first) latencies.push(Date.now() - Date.parse(e.at));
                first = false;
                if (e.status === 'SUCCEEDED' || e.status === 'FAILED') terminal++;
              },
              error: reject,
              complete: resolve,
            },
          );
        }),
    ),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  console.log(`\nFan-out: ${subscribers} graphql-ws subscribers to one take of 20,000 users`);
  console.table([
    {
      subscribers,
      'events delivered': latencies.length + subscribers,
      'saw terminal event': terminal,
      'p50 ms': pct(50),
      'p99 ms': pct(99),
      'max ms': latencies.at(-1),
      'gateway RSS before MB': rssBefore.toFixed(0),
      'RSS with idle subscribers MB': rssIdle.toFixed(0),
      'KB per idle subscriber': (((rssIdle - rssBefore) * 1024) / subscribers).toFixed(1),
    },
  ]);
  await Promise.all(clients.map((c) => c.dispose()));
} finally {
  gateway.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dataDir, { recursive: true, force: true });
}
