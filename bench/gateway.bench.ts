/**
 * `npm run bench`: facegate against a raw node:http server returning the
 * same response bytes and a fastify + mercurius + graphql-jit reference
 * over the same data, all measured in one run, in interleaved rounds.
 * Prints one table (req/s, latency p50/p99, server CPU µs per request,
 * ratio to raw: the median of the rounds' ratios, and their range), the
 * datasource calls each benchmark query costs (from /metrics), and
 * facegate's RSS under load with its slope over a soak.
 *
 * Data: one local collection of 100 users with one face each, seeded
 * straight into the store (no inference); facegate then serves a few
 * writes over HTTP before the load, as a live gateway would have.
 *
 * Env: BENCH_SECONDS (default 10) per variant, BENCH_ROUNDS (default 5)
 * it is split into, BENCH_CONNECTIONS (default 10), BENCH_SOAK_SECONDS
 * (default 60; 0 skips the soak).
 * Exits non-zero when a request fails, when facegate and the reference
 * answer different bytes, or when a list level costs more than one
 * datasource call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { cpuSeconds, rssMb } from './process-stats.js';
import { seedCollection } from './seed.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The gateway's /metrics key for this run: scrapes bring it, as a deployment's Prometheus would. */
const METRICS_KEY = randomBytes(24).toString('base64url');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: (line: string) => string | null,
): Promise<{ child: ChildProcess; info: string }> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        const info = ready(line);
        if (info !== null) return resolve({ child, info });
      }
    });
    child.once('exit', (code) => reject(new Error(`process ${args[0]} exited ${code}`)));
  });
}

async function post(url: string, query: string, variables?: unknown): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

interface Row {
  variant: string;
  query: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number;
  bytes: number;
  rssMb: number;
  /** Req/s of each round, in order. */
  rounds: number[];
}

/** A server under test: where to send the load and which process to read CPU and RSS from. */
interface Variant {
  name: string;
  url: string;
  pid: number;
}

function autocannonRun(url: string, body: string, duration: number) {
  return autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections, duration });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Loads every variant with `body` for `seconds` each, split into `rounds`
 * rounds that take the variants in turn (raw, facegate, reference, raw, …):
 * a burst of other work on the machine then lands on every variant alike,
 * and each round gives a ratio of its own. After a 2 s warm-up of each.
 */
async function loadInRounds(query: string, variants: Variant[], body: string, bytes: number): Promise<Row[]> {
  for (const v of variants) await autocannonRun(v.url, body, 2); // warm-up: JIT, compiled-query caches
  const acc = variants.map(() => ({ requests: 0, cpu: 0, p50: [] as number[], p99: [] as number[], rounds: [] as number[], peakRss: 0 }));
  const roundSeconds = Math.max(1, Math.round(seconds / rounds));
  for (let r = 0; r < rounds; r++) {
    for (const [i, v] of variants.entries()) {
      const a = acc[i];
      const cpu0 = cpuSeconds(v.pid);
      const sampler = setInterval(() => (a.peakRss = Math.max(a.peakRss, rssMb(v.pid))), 500);
      const result = await autocannonRun(v.url, body, roundSeconds);
      clearInterval(sampler);
      a.cpu += cpuSeconds(v.pid) - cpu0;
      if (result.non2xx || result.errors || result.timeouts) {
        throw new Error(`${v.name} ${query}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
      }
      a.requests += result.requests.total;
      a.rounds.push(result.requests.average);
      a.p50.push(result.latency.p50);
      a.p99.push(result.latency.p99);
    }
  }
  return variants.map((v, i) => ({
    variant: v.name,
    query,
    reqPerSec: acc[i].requests / (roundSeconds * rounds),
    p50: median(acc[i].p50),
    p99: median(acc[i].p99),
    cpuUsPerReq: (acc[i].cpu / acc[i].requests) * 1e6,
    bytes,
    rssMb: acc[i].peakRss,
    rounds: acc[i].rounds,
  }));
}

/** Sum of facegate_provider_calls_total by method. */
async function providerCalls(metricsUrl: string): Promise<Map<string, number>> {
  const res = await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_KEY}` } });
  if (res.status !== 200) throw new Error(`${metricsUrl}: expected 200, got ${res.status}`);
  const text = await res.text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^facegate_provider_calls_total\{[^}]*method="([^"]+)"[^}]*\} (\d+)/.exec(line);
    if (m) out.set(m[1], (out.get(m[1]) ?? 0) + Number(m[2]));
  }
  return out;
}

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const PAGE = '100 users + faces';
const QUERIES: Record<string, string> = {
  '{ providers { name } }': '{ providers { name } }',
  [PAGE]:
    '{ collection(ref: { provider: "local", collectionId: "bench" }) { users(first: 100) { edges { node { userId status faces { edges { node { faceId } } } } } } } }',
};
/** Datasource calls each query may cost: one per list level, whatever the page size. */
const MAX_CALLS: Record<string, number> = { '{ providers { name } }': 0, [PAGE]: 3 };

const dataDir = mkdtempSync(path.join(tmpdir(), 'facegate-bench-'));
const children: ChildProcess[] = [];
let failed = false;
try {
  const store = await openSqliteStore(dataDir);
  await seedCollection(store, { provider: 'local', collectionId: 'bench', users: 100, faces: 100, facesPerUser: 1 });
  await store.close();

  const gateway = await startProcess(
    [path.join(here, '../src/main.js')],
    {
      PORT: '0',
      FACEGATE_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      FACEGATE_METRICS_KEY_SHA256: createHash('sha256').update(METRICS_KEY).digest('hex'),
    },
    (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        return entry.msg === 'facegate listening' ? (entry.url as string) : null;
      } catch {
        return null;
      }
    },
  );
  children.push(gateway.child);
  const url = gateway.info;
  const metricsUrl = url.replace(/\/graphql$/, '/metrics');
  // A live gateway has served writes: run a few (a write transaction used to switch on process-wide promise hooks).
  const scratch = { provider: 'local', collectionId: 'bench-writes' };
  await post(url, 'mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { __typename } }', { c: scratch });
  for (let i = 0; i < 5; i++) {
    await post(url, `mutation($c: CollectionRef!) { createUser(input: { collection: $c, userId: "w${i}" }) { __typename } }`, {
      c: scratch,
    });
  }

  const reference = await startProcess([path.join(here, 'mercurius-reference.js'), '47100', dataDir], { NODE_ENV: 'production' }, (line) =>
    line === 'ready' ? '' : null,
  );
  children.push(reference.child);
  const referenceUrl = 'http://127.0.0.1:47100/graphql';

  const rows: Row[] = [];
  const calls: { query: string; method: string; calls: number }[] = [];
  let port = 47_000;
  for (const [name, query] of Object.entries(QUERIES)) {
    const body = JSON.stringify({ query });
    const before = await providerCalls(metricsUrl);
    const response = await post(url, query);
    const after = await providerCalls(metricsUrl);
    if (!response.includes('"data"') || response.includes('"errors"')) throw new Error(`${name}: ${response.slice(0, 300)}`);
    let total = 0;
    for (const [method, n] of after) {
      const d = n - (before.get(method) ?? 0);
      if (d > 0) calls.push({ query: name, method, calls: d });
      total += Math.max(0, d);
    }
    if (total === 0) calls.push({ query: name, method: '(none)', calls: 0 });
    if (total > MAX_CALLS[name]) {
      console.error(`${name}: expected at most ${MAX_CALLS[name]} datasource calls, got ${total}`);
      failed = true;
    }
    const referenceResponse = await post(referenceUrl, query);
    // Apollo ends its JSON with a newline; the data must be the same.
    if (JSON.stringify(JSON.parse(referenceResponse)) !== JSON.stringify(JSON.parse(response))) {
      throw new Error(
        `${name}: the reference answered other data than facegate:\n${referenceResponse.slice(0, 200)}\n${response.slice(0, 200)}`,
      );
    }
    const file = path.join(dataDir, `response-${port}.json`);
    writeFileSync(file, response);
    const raw = await startProcess([path.join(here, 'raw-server.js'), String(port), file], {}, (line) => (line === 'ready' ? '' : null));
    children.push(raw.child);
    const variants: Variant[] = [
      { name: 'raw node:http', url: `http://127.0.0.1:${port}/`, pid: raw.child.pid! },
      { name: 'facegate', url, pid: gateway.child.pid! },
      { name: 'mercurius + graphql-jit', url: referenceUrl, pid: reference.child.pid! },
    ];
    rows.push(...(await loadInRounds(name, variants, body, response.length)));
    raw.child.kill();
    port++;
  }

  const table = rows.map((r) => {
    const raw = rows.find((x) => x.query === r.query && x.variant === 'raw node:http')!;
    const ratios = r.rounds.map((perSec, i) => (perSec / raw.rounds[i]) * 100);
    return {
      query: r.query,
      variant: r.variant,
      'req/s': Math.round(r.reqPerSec),
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      'CPU µs/req': Math.round(r.cpuUsPerReq),
      'response bytes': r.bytes,
      'peak RSS MB': Math.round(r.rssMb),
      'ratio to raw': `${median(ratios).toFixed(1)} %`,
      'ratio range': `${Math.min(...ratios).toFixed(0)}–${Math.max(...ratios).toFixed(0)} %`,
    };
  });
  console.log(
    `\nnpm run bench — ${connections} connections, ${seconds} s per variant in ${rounds} interleaved rounds after a 2 s warm-up, Node ${process.version}; ` +
      `ratio to raw: the median of the rounds' req/s ratios\n`,
  );
  console.table(table);
  console.log('\nDatasource calls per query (facegate /metrics, one request each):');
  console.table(calls);

  if (soakSeconds > 0) {
    const body = JSON.stringify({ query: QUERIES[PAGE] });
    const samples: { x: number; y: number }[] = [];
    const t0 = Date.now();
    const sampler = setInterval(() => samples.push({ x: (Date.now() - t0) / 1000, y: rssMb(gateway.child.pid!) }), 2000);
    const result = await autocannonRun(url, body, soakSeconds);
    clearInterval(sampler);
    if (result.non2xx || result.errors || result.timeouts)
      throw new Error(`soak: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
    // The first 10 s settle heap sizes; the slope is taken over the rest.
    const steady = samples.filter((s) => s.x >= 10);
    const rss = samples.map((s) => s.y);
    console.log(
      `\nSoak: ${soakSeconds} s of "${PAGE}", ${Math.round(result.requests.average)} req/s, ${result.requests.total} requests; ` +
        `facegate RSS ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MB, ` +
        `slope after 10 s ${(slope(steady) * 60).toFixed(2)} MB/min over ${steady.length} samples`,
    );
  }
  console.log(`facegate RSS after load: ${rssMb(gateway.child.pid!).toFixed(0)} MB (no engine workers started)`);
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dataDir, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
