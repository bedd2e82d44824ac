/**
 * `npm run bench:fanout`: snapshotProgress fan-out, before and after a
 * change, interleaved in one run (the machine's load changes between runs;
 * within one run both variants see the same).
 *
 * Two scenarios, each round starting fresh gateway processes:
 * - `one`: 1,000 graphql-ws subscribers (BENCH_SUBSCRIBERS_ONE) on one
 *   gateway (embedded SQLite store, in-process progress bus) following one
 *   takeSnapshot of a 20,000-user collection;
 * - `two`: 2,000 (BENCH_SUBSCRIBERS_TWO), split evenly over two replicas on
 *   PostgreSQL + Redis (the bus over Redis), following one applySnapshot of
 *   that collection's snapshot started on replica B (a fresh schema and
 *   Redis prefix, removed at the end).
 * All subscribers live in this process (the load generator, as in
 * bench:snapshot and bench:replicas) and select `status at`. In `one`,
 * BENCH_GATE_TAKES (default 6) takes are queued first (the in-process
 * queue runs one job at a time), so the measured take has not started when
 * its subscribers arrive ("subscribed before start" says whether that
 * held). Counted from when every subscriber has its first event (the stored
 * state): latency = receive time − the event's `at` (when the progress was
 * written), and the gateways' CPU (/proc) until the last terminal event,
 * divided by the events delivered — it includes the take or apply itself,
 * the same in both variants.
 *
 * Env:
 * - BENCH_BASELINE_MAIN: another build's `dist/src/main.js` (e.g. the
 *   commit before the change, built in a scratch copy), run as `before`;
 *   without it only this build runs;
 * - BENCH_ROUNDS (default 2): rounds of each variant, alternating which
 *   goes first;
 * - BENCH_SCENARIOS (default `one,two`);
 * - BENCH_CPU_PROF_DIR: gateways run with `--cpu-prof` into
 *   `<dir>/<variant>-<scenario>-<round>/`, and the measured window is
 *   written beside them (`window.json`, CLOCK_MONOTONIC µs, the clock the
 *   profiles use) for `bench/cpu-profile-summary.ts`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { onJsonLogLines } from './json-log-lines.js';
import { cpuSeconds } from './process-stats.js';
import { seedCollection } from './seed.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const AFTER_MAIN = path.join(here, '../src/main.js');
const BEFORE_MAIN = process.env.BENCH_BASELINE_MAIN;
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'one,two').split(',');
const SUBSCRIBERS_ONE = Number(process.env.BENCH_SUBSCRIBERS_ONE ?? 1000);
const SUBSCRIBERS_TWO = Number(process.env.BENCH_SUBSCRIBERS_TWO ?? 2000);
const PROF_DIR = process.env.BENCH_CPU_PROF_DIR;
const USERS = 20_000;
/** Takes queued before the measured one (the in-process queue runs one at a time), so its subscribers are in place before it starts. */
const GATE_TAKES = Number(process.env.BENCH_GATE_TAKES ?? 6);

const PROGRESS = 'subscription($id: ID!) { snapshotProgress(operationId: $id) { status at } }';
const PROGRESS_WITH_SNAPSHOT = 'subscription($id: ID!) { snapshotProgress(operationId: $id) { status at snapshot { id } } }';
type Progress = { snapshotProgress: { status: string; at: string; snapshot?: { id: string } | null } };
const isTerminal = (status: string) => status === 'SUCCEEDED' || status === 'FAILED';

const runId = randomUUID().slice(0, 8);
const schema = `facegate_fanout_${runId}`;
const prefix = `facegate-fanout-${runId}`;
const children: ChildProcess[] = [];
const dataDirs: string[] = [];
let usedPostgres = false;

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

function dropEverything(): void {
  for (const child of children) if (running(child)) child.kill('SIGKILL');
  if (usedPostgres) {
    try {
      execFileSync('psql', [DATABASE_URL, '-q', '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE`], { stdio: 'ignore', timeout: 30_000 });
      const keys = execFileSync('redis-cli', ['-u', REDIS_URL, '--scan', '--pattern', `${prefix}:*`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      for (let i = 0; i < keys.length; i += 500)
        execFileSync('redis-cli', ['-u', REDIS_URL, 'del', ...keys.slice(i, i + 500)], { stdio: 'ignore' });
    } catch (e) {
      console.error(`cleanup: ${(e as Error).message}`);
    }
  }
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}
process.on('exit', dropEverything);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

function stopChild(child: ChildProcess): Promise<void> {
  if (!running(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms / 1000} s`)), ms))),
  ]);
}

interface Gateway {
  url: string;
  wsUrl: string;
  child: ChildProcess;
}

/** The default WebSocket caps (1,000 sockets, 100 per address, 500 subscriptions per tenant) are below the load; all come from one address and tenant. */
const WEBSOCKET_CAPS = { maxConnections: 10_000, maxConnectionsPerAddress: 10_000, maxSubscriptionsPerTenant: 10_000 };

function startGateway(main: string, env: Record<string, string>, profDir?: string): Promise<Gateway> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'facegate-fanout-'));
  dataDirs.push(dataDir);
  const configFile = path.join(dataDir, 'bench-config.json');
  writeFileSync(configFile, JSON.stringify({ websocket: WEBSOCKET_CAPS }));
  const args = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, main] : [main];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      FACEGATE_DATA_DIR: dataDir,
      FACEGATE_CONFIG: configFile,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return withTimeout(
    new Promise<Gateway>((resolve, reject) => {
      onJsonLogLines(child.stdout!, (entry) => {
        if (entry.msg === 'facegate listening') {
          const url = entry.url as string;
          resolve({ url, wsUrl: url.replace(/^http/, 'ws'), child });
        }
      });
      child.once('exit', (code) => reject(new Error(`gateway ${main} exited ${code} before listening`)));
    }),
    60_000,
    'gateway start',
  );
}

async function gql<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

function connect(wsUrl: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      on: { connected: () => resolve(client), error: reject },
    });
  });
}

async function connectMany(wsUrl: string, count: number): Promise<Client[]> {
  const clients: Client[] = [];
  for (let done = 0; done < count; done += 250)
    clients.push(...(await Promise.all(Array.from({ length: Math.min(250, count - done) }, () => connect(wsUrl)))));
  return clients;
}

/** Follows an operation to its end, calling `onEvent` for each event; resolves with the terminal one. */
function follow(
  client: Client,
  operationId: string,
  onEvent: (e: Progress['snapshotProgress'], first: boolean, receivedAt: number) => void,
  query = PROGRESS,
): Promise<Progress['snapshotProgress']> {
  return new Promise((resolve, reject) => {
    let first = true;
    let last: Progress['snapshotProgress'] | undefined;
    client.subscribe<Progress>(
      { query, variables: { id: operationId } },
      {
        next: ({ data, errors }) => {
          const receivedAt = Date.now();
          if (errors || !data) return reject(new Error(`snapshotProgress: ${JSON.stringify(errors)}`));
          last = data.snapshotProgress;
          onEvent(last, first, receivedAt);
          first = false;
        },
        error: (e) => reject(e instanceof Error ? e : new Error(`snapshotProgress: ${JSON.stringify(e)}`)),
        complete: () => (last ? resolve(last) : reject(new Error('snapshotProgress completed without an event'))),
      },
    );
  });
}

interface Row {
  scenario: string;
  variant: string;
  round: number;
  subscribers: number;
  events: number;
  terminal: number;
  /** Subscribers in place before the operation started (their first event NOT_STARTED). */
  firstNotStarted: number;
  p50: number;
  p99: number;
  max: number;
  seconds: number;
  gatewayCpuSeconds: number;
  cpuMicrosPerEvent: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Subscribes every client of every gateway to `operationId` once `start` gives it, and measures until all saw the end. */
async function measureFanOut(
  label: { scenario: string; variant: string; round: number },
  groups: { gateway: Gateway; clients: Client[] }[],
  start: () => Promise<string>,
  profDir: string | undefined,
): Promise<Row> {
  await new Promise((r) => setTimeout(r, 500));
  const operationId = await start();
  const latencies: number[] = [];
  let events = 0;
  let terminal = 0;
  let firstNotStarted = 0;
  let inPlace = 0;
  let allInPlace!: () => void;
  const everyoneSubscribed = new Promise<void>((resolve) => (allInPlace = resolve));
  const subscribers = groups.reduce((s, g) => s + g.clients.length, 0);
  const done = withTimeout(
    Promise.all(
      groups.flatMap((g) =>
        g.clients.map((client) =>
          follow(client, operationId, (e, first, receivedAt) => {
            if (first) {
              if (e.status === 'NOT_STARTED') firstNotStarted++;
              if (++inPlace === subscribers) allInPlace();
              return;
            }
            // Counted from when every subscriber is in place: the fan-out to all of them.
            if (inPlace < subscribers) return;
            events++;
            latencies.push(receivedAt - Date.parse(e.at));
            if (isTerminal(e.status)) terminal++;
          }),
        ),
      ),
    ),
    300_000,
    `${label.scenario} fan-out`,
  );
  await Promise.race([everyoneSubscribed, done]);
  const cpuBefore = groups.reduce((s, g) => s + cpuSeconds(g.gateway.child.pid!), 0);
  const t0 = performance.now();
  const windowStart = monotonicMicros();
  await done;
  const windowEnd = monotonicMicros();
  const seconds = (performance.now() - t0) / 1000;
  const gatewayCpuSeconds = groups.reduce((s, g) => s + cpuSeconds(g.gateway.child.pid!), 0) - cpuBefore;
  if (profDir) writeFileSync(path.join(profDir, 'window.json'), JSON.stringify({ startMicros: windowStart, endMicros: windowEnd }));
  latencies.sort((a, b) => a - b);
  return {
    ...label,
    subscribers,
    events,
    terminal,
    firstNotStarted,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    seconds,
    gatewayCpuSeconds,
    cpuMicrosPerEvent: (gatewayCpuSeconds * 1e6) / events,
  };
}

function profDirFor(variant: string, scenario: string, round: number): string | undefined {
  if (!PROF_DIR) return undefined;
  const dir = path.join(PROF_DIR, `${variant}-${scenario}-${round}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

// ---- scenario one: one gateway, in-process bus -------------------------------------------
async function seedSqlite(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'facegate-fanout-seed-'));
  dataDirs.push(dir);
  const store = await openSqliteStore(dir);
  await seedCollection(store, { provider: 'local', collectionId: 'fan', users: USERS, faces: 0, facesPerUser: 1 });
  await store.close();
  return dir;
}

async function runOne(seedDir: string, variant: string, main: string, round: number): Promise<Row> {
  // Each round on its own copy of the seeded data dir: the take writes its snapshot there.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'facegate-fanout-one-'));
  dataDirs.push(dataDir);
  execFileSync('cp', ['-a', `${seedDir}/.`, dataDir]);
  const profDir = profDirFor(variant, 'one', round);
  const gateway = await startGateway(main, { FACEGATE_DATA_DIR: dataDir }, profDir);
  const clients = await connectMany(gateway.wsUrl, SUBSCRIBERS_ONE);
  try {
    return await measureFanOut(
      { scenario: 'one', variant, round },
      [{ gateway, clients }],
      async () => {
        const take = () =>
          gql<{ takeSnapshot: { operation: { id: string } } }>(
            gateway.url,
            'mutation { takeSnapshot(input: { collection: { provider: "local", collectionId: "fan" } }) { ... on TakeSnapshotAccepted { operation { id } } } }',
          );
        // Sent together, not one after the other: a take's SQLite work holds the event loop, so awaiting each would let it finish first.
        const gates = Array.from({ length: GATE_TAKES }, take);
        await new Promise((r) => setTimeout(r, 100));
        const measured = take();
        await Promise.all(gates);
        return (await measured).takeSnapshot.operation.id;
      },
      profDir,
    );
  } finally {
    await Promise.allSettled(clients.map((c) => c.dispose()));
    await stopChild(gateway.child);
  }
}

// ---- scenario two: two replicas on PostgreSQL + Redis -------------------------------------
const replicaEnv = () => ({ DATABASE_URL, FACEGATE_DB_SCHEMA: schema, REDIS_URL, FACEGATE_REDIS_PREFIX: prefix });

async function seedPostgres(): Promise<string> {
  usedPostgres = true;
  const store = await openPostgresStore(DATABASE_URL, { schema, poolSize: 4 });
  await seedCollection(store, { provider: 'local', collectionId: 'fan', users: USERS, faces: 0, facesPerUser: 1 });
  await store.close();
  // The snapshot every round applies, taken once.
  const g = await startGateway(AFTER_MAIN, replicaEnv());
  try {
    const client = await connect(g.wsUrl);
    const d = await gql<{ takeSnapshot: { operation: { id: string } } }>(
      g.url,
      'mutation { takeSnapshot(input: { collection: { provider: "local", collectionId: "fan" } }) { ... on TakeSnapshotAccepted { operation { id } } } }',
    );
    const end = await withTimeout(
      follow(client, d.takeSnapshot.operation.id, () => {}, PROGRESS_WITH_SNAPSHOT),
      120_000,
      'take',
    );
    await client.dispose();
    if (end.status !== 'SUCCEEDED' || !end.snapshot) throw new Error(`takeSnapshot ended ${end.status}`);
    return end.snapshot.id;
  } finally {
    await stopChild(g.child);
  }
}

async function runTwo(snapshotId: string, variant: string, main: string, round: number): Promise<Row> {
  const profDir = profDirFor(variant, 'two', round);
  const replicas = await Promise.all(['A', 'B'].map((name) => startGateway(main, replicaEnv(), profDir && path.join(profDir, name))));
  const groups: { gateway: Gateway; clients: Client[] }[] = [];
  try {
    for (const [i, gateway] of replicas.entries())
      groups.push({
        gateway,
        clients: await connectMany(gateway.wsUrl, Math.floor(SUBSCRIBERS_TWO / 2) + (i === 0 ? SUBSCRIBERS_TWO % 2 : 0)),
      });
    return await measureFanOut(
      { scenario: 'two', variant, round },
      groups,
      async () => {
        const d = await gql<{ applySnapshot: { operation?: { id: string } } }>(
          replicas[1].url,
          'mutation($s: ID!, $t: String!) { applySnapshot(input: { snapshotId: $s, target: { provider: "local", collectionId: $t } }) { ... on ApplySnapshotAccepted { operation { id } } } }',
          { s: snapshotId, t: `fan-${variant}-${round}` },
        );
        if (!d.applySnapshot.operation) throw new Error('applySnapshot refused');
        return d.applySnapshot.operation.id;
      },
      profDir,
    );
  } finally {
    await Promise.allSettled(groups.flatMap((g) => g.clients.map((c) => c.dispose())));
    await Promise.all(replicas.map((r) => stopChild(r.child)));
  }
}

// ---- run ---------------------------------------------------------------------------------
const variants: [string, string][] = BEFORE_MAIN
  ? [
      ['before', BEFORE_MAIN],
      ['after', AFTER_MAIN],
    ]
  : [['after', AFTER_MAIN]];
const loadAtStart = loadavg()[0];
const rows: Row[] = [];
if (SCENARIOS.includes('one')) {
  const seedDir = await seedSqlite();
  for (let round = 1; round <= ROUNDS; round++)
    for (const [variant, main] of round % 2 ? variants : [...variants].reverse()) rows.push(await runOne(seedDir, variant, main, round));
}
if (SCENARIOS.includes('two')) {
  const snapshotId = await seedPostgres();
  for (let round = 1; round <= ROUNDS; round++)
    for (const [variant, main] of round % 2 ? variants : [...variants].reverse()) rows.push(await runTwo(snapshotId, variant, main, round));
}
console.log(
  `\nnpm run bench:fanout — Node ${process.version}, ${cpus().length} cores, 1-min load average at start ${loadAtStart.toFixed(1)}, at end ${loadavg()[0].toFixed(1)}; before = ${BEFORE_MAIN ?? '(none)'}`,
);
console.table(
  rows.map((r) => ({
    scenario: r.scenario === 'one' ? 'one gateway, take' : 'two replicas, apply',
    variant: r.variant,
    round: r.round,
    subscribers: r.subscribers,
    'events delivered': r.events,
    'saw terminal': r.terminal,
    'subscribed before start': r.firstNotStarted,
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'max ms': r.max,
    's to last terminal': Number(r.seconds.toFixed(1)),
    'gateway CPU s': Number(r.gatewayCpuSeconds.toFixed(2)),
    'gateway CPU µs / event': Math.round(r.cpuMicrosPerEvent),
  })),
);
process.exit(0);
