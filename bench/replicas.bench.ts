/**
 * `npm run bench:replicas`: gateway replicas on one PostgreSQL and one Redis
 * (127.0.0.1:5432 database `test`, 127.0.0.1:6379 unless BENCH_DATABASE_URL /
 * BENCH_REDIS_URL say otherwise), in one run, with a fresh schema and Redis
 * prefix that are removed at the end:
 *
 * 1. throughput of a query mix (70 % a 20-user page with faceCount, 20 %
 *    `{ providers { name } }`, 10 % `createUser` with unique ids) against ONE
 *    replica (10 connections) and against TWO replicas (two autocannon
 *    instances in parallel, 5 connections each, summed): req/s, p50/p99, the
 *    ratio two/one, and where the machine's CPU went (gateways, PostgreSQL,
 *    Redis, this load generator);
 * 2. fan-out across replicas: BENCH_SUBSCRIBERS (default 2,000) graphql-ws
 *    subscribers split evenly over the two replicas, all subscribed to one
 *    `applySnapshot` (20,000 users) started on replica B: latency from
 *    progress write (the event's `at`) to delivery, p50/p99 per replica,
 *    events delivered, terminal event seen; the same apply followed by one
 *    subscriber first, as the baseline for the apply's duration.
 *
 * Everything (replicas, load generator, subscribers, PostgreSQL, Redis) runs
 * on the same machine and shares its cores.
 *
 * Env: BENCH_SECONDS (default 10) per throughput variant, BENCH_SUBSCRIBERS.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres/postgres-store.js';
import { cpuSeconds } from './process-stats.js';
import { seedCollection } from './seed.js';
import { onJsonLogLines } from './json-log-lines.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, '../src/main.js');
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 2000);
const WARM_UP_SECONDS = 2;

const runId = randomUUID().slice(0, 8);
const schema = `facegate_bench_${runId}`;
const prefix = `facegate-bench-${runId}`;

// ---- cleanup, also on failure and signals -----------------------------------
const children: ChildProcess[] = [];
const dataDirs: string[] = [];
let store: PostgresStore | undefined;
const wsClients: Client[] = [];
let cleaned = false;

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

function dropSchemaAndKeys(): void {
  try {
    execFileSync('psql', [DATABASE_URL, '-q', '-c', "SET lock_timeout = '10s'", '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE`], {
      stdio: 'ignore',
      timeout: 30_000,
    });
  } catch (e) {
    console.error(`could not drop schema ${schema}: ${(e as Error).message}`);
  }
  try {
    const keys = execFileSync('redis-cli', ['-u', REDIS_URL, '--scan', '--pattern', `${prefix}:*`], { encoding: 'utf8', timeout: 30_000 })
      .split('\n')
      .filter(Boolean);
    for (let i = 0; i < keys.length; i += 500)
      execFileSync('redis-cli', ['-u', REDIS_URL, 'del', ...keys.slice(i, i + 500)], { stdio: 'ignore', timeout: 30_000 });
  } catch (e) {
    console.error(`could not delete Redis keys ${prefix}:*: ${(e as Error).message}`);
  }
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}

/** Last resort on exit/signal/crash: synchronous, so it also runs inside process.on('exit'). */
function cleanupSync(): void {
  if (cleaned) return;
  cleaned = true;
  for (const child of children) if (running(child)) child.kill('SIGKILL');
  dropSchemaAndKeys();
}

async function cleanup(): Promise<void> {
  if (cleaned) return;
  await Promise.allSettled(wsClients.map((c) => c.dispose()));
  await store?.close().catch(() => undefined);
  await Promise.allSettled(children.map((child) => stopChild(child)));
  cleaned = true;
  dropSchemaAndKeys();
}

process.on('exit', cleanupSync);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    process.exit(130);
  });
}
process.on('uncaughtException', (e) => {
  console.error(e);
  process.exit(1);
});
process.on('unhandledRejection', (e) => {
  console.error(e);
  process.exit(1);
});

function stopChild(child: ChildProcess): Promise<void> {
  if (!running(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
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

// ---- replicas -----------------------------------------------------------------
interface Replica {
  name: string;
  url: string;
  wsUrl: string;
  child: ChildProcess;
  logs: Record<string, unknown>[];
}

function startReplica(name: string): Promise<Replica> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `facegate-replica-${name}-`));
  dataDirs.push(dataDir);
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      FACEGATE_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      DATABASE_URL,
      FACEGATE_DB_SCHEMA: schema,
      REDIS_URL,
      FACEGATE_REDIS_PREFIX: prefix,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const logs: Record<string, unknown>[] = [];
  const ready = new Promise<Replica>((resolve, reject) => {
    onJsonLogLines(child.stdout!, (entry) => {
      logs.push(entry);
      if (entry.msg === 'facegate listening') {
        const url = entry.url as string;
        resolve({ name, url, wsUrl: url.replace(/^http/, 'ws'), child, logs });
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`replica ${name} exited (${code ?? signal}) before listening`)));
  });
  return withTimeout(ready, 60_000, `replica ${name} start`);
}

async function gql<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!res.ok || body.errors || !body.data) throw new Error(`${query.slice(0, 80)}: ${JSON.stringify(body).slice(0, 500)}`);
  return body.data;
}

// ---- CPU accounting -------------------------------------------------------------
/** CPU seconds so far of every process whose command name is one of `names`, by pid. */
function cpuByCommand(names: string[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (names.includes(comm)) out.set(Number(entry), cpuSeconds(Number(entry)));
    } catch {
      // the process ended meanwhile, or is not readable
    }
  }
  return out;
}

/** CPU seconds used between two {@link cpuByCommand} readings (processes started meanwhile count fully). */
function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, s] of after) sum += s - (before.get(pid) ?? 0);
  return sum;
}

/** Machine-wide busy and total jiffies (/proc/stat), summed over all cores. */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3] + fields[4]; // idle + iowait
  return { busy: total - idle, total };
}

interface CpuReading {
  replicas: number[];
  postgres: Map<number, number>;
  redis: Map<number, number>;
  self: NodeJS.CpuUsage;
  machine: { busy: number; total: number };
  at: number;
}

function readCpu(replicas: Replica[]): CpuReading {
  return {
    replicas: replicas.map((r) => cpuSeconds(r.child.pid!)),
    postgres: cpuByCommand(['postgres']),
    redis: cpuByCommand(['redis-server']),
    self: process.cpuUsage(),
    machine: machineTicks(),
    at: performance.now(),
  };
}

// ---- 1. throughput ----------------------------------------------------------------
const USERS_BODY = JSON.stringify({
  query:
    '{ collection(ref: { provider: "local", collectionId: "reads" }) { users(first: 20) { edges { node { userId status faceCount } } } } }',
});
const PROVIDERS_BODY = JSON.stringify({ query: '{ providers { name } }' });
const CREATE_USER =
  'mutation($u: String!) { createUser(input: { collection: { provider: "local", collectionId: "writes" }, userId: $u }) { __typename } }';

interface Mix {
  page: number;
  providers: number;
  createUser: number;
}

/** A response is right when it has no GraphQL errors and every createUser succeeded. */
const verifyBody = (body: unknown): boolean => {
  const text = String(body);
  return text.includes('"data"') && !text.includes('"errors"') && (!text.includes('"createUser"') || text.includes('CreateUserSuccess'));
};

function cannon(
  url: string,
  connections: number,
  duration: number,
  tag: string,
  latencies?: number[],
  mix?: Mix,
): Promise<autocannon.Result> {
  let n = 0;
  const instance = autocannon({
    url,
    connections,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        // Called for every request: picks the operation.
        setupRequest: (req) => {
          const r = Math.random();
          let body: string;
          if (r < 0.7) {
            body = USERS_BODY;
            if (mix) mix.page++;
          } else if (r < 0.9) {
            body = PROVIDERS_BODY;
            if (mix) mix.providers++;
          } else {
            body = JSON.stringify({ query: CREATE_USER, variables: { u: `bench-${tag}-${n++}` } });
            if (mix) mix.createUser++;
          }
          return { ...req, body };
        },
      },
    ],
    verifyBody,
  }) as unknown as Promise<autocannon.Result> & autocannon.Instance;
  if (latencies) instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  return instance;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface LoadRow {
  variant: string;
  target: string;
  connections: number;
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

interface CpuRow {
  variant: string;
  wall: number;
  replicas: number[];
  postgres: number;
  redis: number;
  loadGenerator: number;
  machine: number;
}

async function measure(
  variant: string,
  targets: { replica: Replica; connections: number }[],
  mix: Mix,
): Promise<{ rows: LoadRow[]; cpu: CpuRow }> {
  const tag = `${variant.replace(/[^a-zA-Z0-9]+/g, '-')}-${runId}`; // part of createUser ids
  await Promise.all(targets.map((t) => cannon(t.replica.url, t.connections, WARM_UP_SECONDS, `${tag}-warm-${t.replica.name}`)));
  const replicas = targets.map((t) => t.replica);
  const before = readCpu(replicas);
  const runs = await Promise.all(
    targets.map(async (t) => {
      const latencies: number[] = [];
      const result = await cannon(t.replica.url, t.connections, seconds, `${tag}-${t.replica.name}`, latencies, mix);
      return { t, result, latencies };
    }),
  );
  const after = readCpu(replicas);
  const wall = (after.at - before.at) / 1000;
  const row = (target: string, connections: number, results: autocannon.Result[], latencies: number[]): LoadRow => {
    latencies.sort((a, b) => a - b);
    return {
      variant,
      target,
      connections,
      requests: results.reduce((s, r) => s + r.requests.total, 0),
      // Per instance: completed requests over its own duration; summed over parallel instances.
      reqPerSec: results.reduce((s, r) => s + r.requests.total / r.duration, 0),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      errors: results.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts + r.mismatches, 0),
    };
  };
  const rows = runs.map((r) => row(`replica ${r.t.replica.name}`, r.t.connections, [r.result], r.latencies));
  if (runs.length > 1) {
    rows.push(
      row(
        'both (sum)',
        runs.reduce((s, r) => s + r.t.connections, 0),
        runs.map((r) => r.result),
        runs.flatMap((r) => r.latencies),
      ),
    );
  }
  const selfCpu = (after.self.user + after.self.system - before.self.user - before.self.system) / 1e6;
  const cores = cpus().length;
  return {
    rows,
    cpu: {
      variant,
      wall,
      replicas: replicas.map((_, i) => (after.replicas[i] - before.replicas[i]) / wall),
      postgres: cpuDelta(before.postgres, after.postgres) / wall,
      redis: cpuDelta(before.redis, after.redis) / wall,
      loadGenerator: selfCpu / wall,
      machine: ((after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total)) * cores,
    },
  };
}

// ---- 2. fan-out -----------------------------------------------------------------------
/** What the fan-out subscribers select: `snapshot` would cost a store read per subscriber per event. */
const PROGRESS = 'subscription($id: ID!) { snapshotProgress(operationId: $id) { status at } }';
/** The take's follower also needs the snapshot id from the terminal event. */
const PROGRESS_WITH_SNAPSHOT = 'subscription($id: ID!) { snapshotProgress(operationId: $id) { status at snapshot { id } } }';
type Progress = { snapshotProgress: { status: string; at: string; snapshot?: { id: string } | null } };
const isTerminal = (status: string) => status === 'SUCCEEDED' || status === 'FAILED';

function connect(wsUrl: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      on: { connected: () => resolve(client), error: reject },
    });
    wsClients.push(client);
  });
}

/** Follows an operation to its end; returns the terminal event. */
function follow(
  client: Client,
  operationId: string,
  onEvent?: (e: Progress['snapshotProgress'], first: boolean, receivedAt: number) => void,
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
          onEvent?.(last, first, receivedAt);
          first = false;
        },
        error: (e) => reject(e instanceof Error ? e : new Error(`snapshotProgress: ${JSON.stringify(e)}`)),
        complete: () => (last ? resolve(last) : reject(new Error('snapshotProgress completed without an event'))),
      },
    );
  });
}

async function applyOn(replica: Replica, snapshotId: string, target: string): Promise<string> {
  const d = await gql<{ applySnapshot: { __typename: string; operation?: { id: string } } }>(
    replica.url,
    'mutation($s: ID!, $t: String!) { applySnapshot(input: { snapshotId: $s, target: { provider: "local", collectionId: $t } }) { __typename ... on ApplySnapshotAccepted { operation { id } } } }',
    { s: snapshotId, t: target },
  );
  if (!d.applySnapshot.operation) throw new Error(`applySnapshot: ${d.applySnapshot.__typename}`);
  return d.applySnapshot.operation.id;
}

/** The store-internal operation id the replicas log ('operation started'). */
function internalOperationId(operationId: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(operationId, 'base64url').toString()) as unknown[];
    return String(decoded[1]);
  } catch {
    return operationId;
  }
}

// ---- run -------------------------------------------------------------------------------
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const runStart = performance.now();
const loadAtStart = loadavg()[0];

try {
  // Seed straight through the store: 20,000 users through GraphQL would take minutes.
  let t = performance.now();
  store = await openPostgresStore(DATABASE_URL, { schema, poolSize: 4 });
  // Different collections: their transactions run concurrently.
  await Promise.all([
    seedCollection(store, { provider: 'local', collectionId: 'reads', users: 100, faces: 200, facesPerUser: 2 }),
    seedCollection(store, { provider: 'local', collectionId: 'writes', users: 0, faces: 0, facesPerUser: 1 }),
    seedCollection(store, { provider: 'local', collectionId: 'fan', users: 20_000, faces: 0, facesPerUser: 1 }),
  ]);
  await store.close();
  store = undefined;
  const seedSeconds = (performance.now() - t) / 1000;

  const [a, b] = await Promise.all([startReplica('A'), startReplica('B')]);
  const page = await gql<{ collection: { users: { edges: unknown[] } } }>(b.url, JSON.parse(USERS_BODY).query);
  if (page.collection.users.edges.length !== 20) throw new Error(`expected a 20-user page, got ${page.collection.users.edges.length}`);

  // 1. throughput: one replica, then both (A warmed up by the first variant as well as its own warm-up).
  const mix: Mix = { page: 0, providers: 0, createUser: 0 };
  const one = await measure('one replica', [{ replica: a, connections: 10 }], mix);
  const two = await measure(
    'two replicas',
    [
      { replica: a, connections: 5 },
      { replica: b, connections: 5 },
    ],
    mix,
  );
  const oneTotal = one.rows[0];
  const twoTotal = two.rows.at(-1)!;
  const sent = mix.page + mix.providers + mix.createUser;

  console.log(
    `\nnpm run bench:replicas — PostgreSQL + Redis, ${seconds} s per variant after a ${WARM_UP_SECONDS} s warm-up, Node ${process.version}, ${cpus().length} cores, 1-min load average at start ${loadAtStart.toFixed(1)}`,
  );
  console.log(
    `Mix as sent: ${((mix.page / sent) * 100).toFixed(1)} % 20-user page + faceCount, ${((mix.providers / sent) * 100).toFixed(1)} % providers, ${((mix.createUser / sent) * 100).toFixed(1)} % createUser (${fmt(mix.createUser)} createUser sent, unique ids)`,
  );
  console.table(
    [...one.rows, ...two.rows].map((r) => ({
      variant: r.variant,
      target: r.target,
      connections: r.connections,
      requests: r.requests,
      'req/s': Math.round(r.reqPerSec),
      'p50 ms': Number(r.p50.toFixed(1)),
      'p99 ms': Number(r.p99.toFixed(1)),
      errors: r.errors,
    })),
  );
  console.log(`Ratio two/one: ${((twoTotal.reqPerSec / oneTotal.reqPerSec) * 100).toFixed(1)} % of the one-replica req/s`);
  console.log('\nCPU during each measured variant (cores busy = CPU seconds / wall seconds)');
  console.table(
    [one.cpu, two.cpu].map((c) => ({
      variant: c.variant,
      'replica A': c.replicas[0].toFixed(2),
      'replica B': c.replicas[1]?.toFixed(2) ?? '—',
      PostgreSQL: c.postgres.toFixed(2),
      Redis: c.redis.toFixed(2),
      'load generator': c.loadGenerator.toFixed(2),
      [`machine (of ${cpus().length})`]: c.machine.toFixed(2),
    })),
  );

  // 2. fan-out.
  t = performance.now();
  const takeClient = await connect(a.wsUrl);
  const take = await gql<{ takeSnapshot: { operation: { id: string } } }>(
    a.url,
    'mutation { takeSnapshot(input: { collection: { provider: "local", collectionId: "fan" } }) { ... on TakeSnapshotAccepted { operation { id } } } }',
  );
  const taken = await withTimeout(
    follow(takeClient, take.takeSnapshot.operation.id, undefined, PROGRESS_WITH_SNAPSHOT),
    120_000,
    'takeSnapshot',
  );
  if (taken.status !== 'SUCCEEDED' || !taken.snapshot) throw new Error(`takeSnapshot ended ${taken.status}`);
  const takeSeconds = (performance.now() - t) / 1000;
  const snapshotId = taken.snapshot.id;

  // Baseline: the same apply, started on B, followed by one subscriber on A.
  const baselineStart = Date.now();
  const baselineOp = await applyOn(b, snapshotId, 'fan-baseline');
  const baseline = await withTimeout(follow(takeClient, baselineOp), 120_000, 'baseline applySnapshot');
  if (baseline.status !== 'SUCCEEDED') throw new Error(`baseline applySnapshot ended ${baseline.status}`);
  const baselineSeconds = (Date.parse(baseline.at) - baselineStart) / 1000;
  const baselineRunner = [a, b].find((r) =>
    r.logs.some((l) => l.msg === 'operation started' && String(l.operationId) === internalOperationId(baselineOp)),
  );

  const replicas = [a, b];
  const groups = replicas.map((replica, i) => ({
    replica,
    clients: [] as Client[],
    count: Math.floor(subscribers / 2) + (i === 0 ? subscribers % 2 : 0),
  }));
  t = performance.now();
  for (const g of groups) {
    for (let done = 0; done < g.count; done += 250) {
      g.clients.push(...(await Promise.all(Array.from({ length: Math.min(250, g.count - done) }, () => connect(g.replica.wsUrl)))));
    }
  }
  const connectSeconds = (performance.now() - t) / 1000;
  await new Promise((r) => setTimeout(r, 500));

  const applyStart = Date.now();
  const operationId = await applyOn(b, snapshotId, 'fan-copy');
  let lastTerminalAt = 0;
  let terminalAt = 0;
  const stats = await withTimeout(
    Promise.all(
      groups.map(async (g) => {
        const latencies: number[] = [];
        const perSubscriber: number[] = [];
        let events = 0;
        let terminal = 0;
        const statuses = new Set<string>();
        await Promise.all(
          g.clients.map(async (client) => {
            let mine = 0;
            const end = await follow(client, operationId, (e, first, receivedAt) => {
              events++;
              mine++;
              // The first event is the stored current state, not a fresh write.
              if (!first) latencies.push(receivedAt - Date.parse(e.at));
              if (isTerminal(e.status)) {
                terminal++;
                terminalAt = Date.parse(e.at);
                lastTerminalAt = Math.max(lastTerminalAt, receivedAt);
              }
            });
            statuses.add(end.status);
            perSubscriber.push(mine);
          }),
        );
        latencies.sort((x, y) => x - y);
        perSubscriber.sort((x, y) => x - y);
        return { g, latencies, perSubscriber, events, terminal, statuses };
      }),
    ),
    150_000,
    'applySnapshot fan-out',
  );
  const runner = replicas.find((r) =>
    r.logs.some((l) => l.msg === 'operation started' && String(l.operationId) === internalOperationId(operationId)),
  );
  const copied = await gql<{ collection: { userCount: number } }>(
    a.url,
    '{ collection(ref: { provider: "local", collectionId: "fan-copy" }) { userCount } }',
  );

  console.log(
    `\nFan-out: ${fmt(subscribers)} graphql-ws subscribers (one client process) to one applySnapshot of 20,000 users, started on replica B, run by replica ${runner?.name ?? '?'}`,
  );
  console.log(
    `Seeded through the store in ${seedSeconds.toFixed(1)} s; take ${takeSeconds.toFixed(1)} s; subscribers connected in ${connectSeconds.toFixed(1)} s; copy has ${fmt(copied.collection.userCount)} users`,
  );
  console.log(
    `Apply, mutation → terminal event: ${baselineSeconds.toFixed(1)} s with 1 subscriber (baseline, run by replica ${baselineRunner?.name ?? '?'}), ${((terminalAt - applyStart) / 1000).toFixed(1)} s with ${fmt(subscribers)} (last delivery ${((lastTerminalAt - applyStart) / 1000).toFixed(1)} s after the mutation)`,
  );
  console.table(
    stats.map((s) => ({
      replica: s.g.replica.name + (s.g.replica === runner ? ' (ran the job)' : ''),
      subscribers: s.g.clients.length,
      'events delivered': s.events,
      'events per subscriber min/median/max': `${s.perSubscriber[0]}/${percentile(s.perSubscriber, 50)}/${s.perSubscriber.at(-1)}`,
      'saw terminal': s.terminal,
      'final status': [...s.statuses].join(','),
      'p50 ms': percentile(s.latencies, 50),
      'p99 ms': percentile(s.latencies, 99),
      'max ms': s.latencies.at(-1),
    })),
  );
  console.log(`\nTotal run time ${((performance.now() - runStart) / 1000).toFixed(0)} s`);
} finally {
  await cleanup();
}
