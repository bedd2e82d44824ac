/**
 * `npm run bench`: facegate on the queries real clients send (issue 22:
 * bench/bench-queries.ts) against a raw node:http server returning the same
 * response bytes and a fastify + mercurius + graphql-jit reference over the
 * same data and resolvers, all measured in one run, in interleaved rounds.
 * Prints one table: throughput (req/s; autocannon at
 * BENCH_CONNECTIONS, or the latency client for the write cycle, whose
 * connections each need a user of their own), its ratio to raw and to the
 * reference (the median of the rounds' ratios), latency p50/p99 at 1 and at
 * 10 connections from bench/latency-client.ts (its own process,
 * microseconds), and server CPU µs per request; then the goals of issue 22
 * against what was measured, the second round (twenty texts of the page in
 * rotation), the datasource calls each query costs (from /metrics), and
 * facegate's RSS under load with its slope over a soak.
 *
 * Data: one local collection of 100 users with one face each, seeded
 * straight into the store (no inference), one of 100 unassociated faces for
 * the write cycles, and one of real faces (test/fixtures/faces, indexed
 * through facegate) for the search; facegate then serves a few writes over
 * HTTP before the load, as a live gateway would have.
 *
 * Env: BENCH_SECONDS (default 10) of throughput per variant and query, in
 * BENCH_ROUNDS (default 5) rounds; BENCH_LATENCY_SECONDS (default 1) per
 * round, variant and connection count; BENCH_CONNECTIONS (default 10);
 * BENCH_WARMUP_SECONDS (default 4) per query and variant before the rounds;
 * BENCH_SOAK_SECONDS (default 60; 0 skips the soak); BENCH_BEFORE: the
 * compiled main.js of another facegate build, measured as one more variant
 * ("facegate (before)") on the same data, for a before/after in one run.
 * Exits non-zero when a request fails, when facegate and the reference
 * answer different data, or when a list level costs more than one
 * datasource call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { toGlobalId } from '../src/domain/global-id.js';
import {
  NODE_REFETCH,
  PAGE_COLLECTION,
  PROVIDERS,
  RELAY_PAGE,
  SEARCH_BY_IMAGE,
  SEARCH_COLLECTION,
  WRITE_CYCLE,
  WRITES_COLLECTION,
  relayPageVariants,
  searchVariables,
  writeCycleVariables,
} from './bench-queries.js';
import type { LatencyJob, LatencyResult } from './latency-client.js';
import { cpuSeconds, rssMb } from './process-stats.js';
import { seedCollection } from './seed.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '../../test/fixtures/faces');

/** The gateway's /metrics key for this run: scrapes bring it, as a deployment's Prometheus would. */
const METRICS_KEY = randomBytes(24).toString('base64url');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const latencySeconds = Number(process.env.BENCH_LATENCY_SECONDS ?? 1);
const before = process.env.BENCH_BEFORE;
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 4);

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

/** Starts a facegate build (`main`: its compiled main.js) on `dataDir`; resolves with its URL once it listens. */
async function startGateway(main: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const { child, info } = await startProcess(
    [main],
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
  return { child, url: info };
}

async function postBody(url: string, body: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

const post = (url: string, query: string, variables?: unknown): Promise<string> => postBody(url, JSON.stringify({ query, variables }));

/** One query of the set: its request bodies and how connections use them. */
interface BenchQuery {
  name: string;
  bodies: string[];
  /** `rotate`: every connection sends the bodies in turn; `per-connection`: connection i sends body i (its own user). */
  mode: LatencyJob['mode'];
  /** Datasource calls one request may cost: one per list level, whatever the page size; undefined: not checked (writes). */
  maxCalls?: number;
}

/** A server under test: where to send the load and which process to read CPU and RSS from. */
interface Variant {
  name: string;
  url: string;
  pid: number;
  /** For `per-connection` queries: the bodies this variant's connections send (each variant its own users). */
  bodiesFor?: (query: BenchQuery) => string[];
}

interface Row {
  variant: string;
  query: string;
  reqPerSec: number;
  cpuUsPerReq: number;
  bytes: number;
  rssMb: number;
  /** Req/s of each round, in order. */
  rounds: number[];
  /** Median over the rounds of each latency percentile, µs. */
  p50At1: number;
  p99At1: number;
  p50AtN: number;
  p99AtN: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

let jobFiles = 0;
/** Runs bench/latency-client.js in its own process on `job`. */
function latencyRun(job: LatencyJob): Promise<LatencyResult> {
  const file = path.join(tmpdir(), `facegate-latency-${process.pid}-${jobFiles++}.json`);
  writeFileSync(file, JSON.stringify(job));
  const child = spawn(process.execPath, [path.join(here, 'latency-client.js'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      rmSync(file, { force: true });
      if (code !== 0) reject(new Error(`latency client on ${job.url}: exited ${code}`));
      else resolve(JSON.parse(out) as LatencyResult);
    });
  });
}

/** Autocannon's throughput for `bodies` in rotation on every connection. */
async function autocannonRun(url: string, bodies: string[], duration: number): Promise<{ total: number; average: number }> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections,
    duration,
    ...(bodies.length === 1 ? { body: bodies[0] } : { requests: bodies.map((body) => ({ method: 'POST' as const, body })) }),
  });
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { total: result.requests.total, average: result.requests.average };
}

/**
 * Loads every variant with `query` in `rounds` rounds that take the variants
 * in turn (raw, facegate, reference, raw, …): a burst of other work on the
 * machine then lands on every variant alike, and each round gives a ratio of
 * its own. Each round and variant: throughput for `seconds / rounds`, then
 * latency at 1 connection and at BENCH_CONNECTIONS. After a warm-up of each.
 */
async function loadInRounds(query: BenchQuery, variants: Variant[], bytes: number): Promise<Row[]> {
  const bodiesOf = (v: Variant) => (query.mode === 'per-connection' && v.bodiesFor ? v.bodiesFor(query) : query.bodies);
  const job = (v: Variant, n: number, secs: number, warmup: number): LatencyJob => ({
    url: v.url,
    bodies: bodiesOf(v),
    mode: query.mode,
    connections: n,
    seconds: secs,
    warmupSeconds: warmup,
  });
  for (const v of variants) {
    // Warm-up: JIT, compiled-query caches.
    // On two busy cores V8 takes seconds to reach its optimized code.
    if (query.mode === 'rotate') await autocannonRun(v.url, query.bodies, warmupSeconds);
    else await latencyRun(job(v, connections, 1, warmupSeconds));
  }
  const acc = variants.map(() => ({
    requests: 0,
    seconds: 0,
    cpu: 0,
    rounds: [] as number[],
    peakRss: 0,
    p50At1: [] as number[],
    p99At1: [] as number[],
    p50AtN: [] as number[],
    p99AtN: [] as number[],
  }));
  const roundSeconds = Math.max(1, Math.round(seconds / rounds));
  for (let r = 0; r < rounds; r++) {
    for (const [i, v] of variants.entries()) {
      const a = acc[i];
      const sampler = setInterval(() => (a.peakRss = Math.max(a.peakRss, rssMb(v.pid))), 500);
      const cpu0 = cpuSeconds(v.pid);
      let perSec: number;
      let total: number;
      if (query.mode === 'rotate') {
        ({ average: perSec, total } = await autocannonRun(v.url, query.bodies, roundSeconds));
      } else {
        // Each connection needs its own user: the latency client, closed loop, is the load.
        const run = await latencyRun(job(v, connections, roundSeconds, 0.2));
        perSec = run.reqPerSec;
        total = run.requests;
      }
      a.cpu += cpuSeconds(v.pid) - cpu0;
      a.requests += total;
      a.seconds += roundSeconds;
      a.rounds.push(perSec);
      const one = await latencyRun(job(v, 1, latencySeconds, 0.2));
      const many = await latencyRun(job(v, connections, latencySeconds, 0.2));
      clearInterval(sampler);
      a.p50At1.push(one.p50Us);
      a.p99At1.push(one.p99Us);
      a.p50AtN.push(many.p50Us);
      a.p99AtN.push(many.p99Us);
    }
  }
  return variants.map((v, i) => ({
    variant: v.name,
    query: query.name,
    reqPerSec: acc[i].requests / acc[i].seconds,
    cpuUsPerReq: (acc[i].cpu / acc[i].requests) * 1e6,
    bytes,
    rssMb: acc[i].peakRss,
    rounds: acc[i].rounds,
    p50At1: median(acc[i].p50At1),
    p99At1: median(acc[i].p99At1),
    p50AtN: median(acc[i].p50AtN),
    p99AtN: median(acc[i].p99AtN),
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

/** A query's figure against a variant's, per round: the median of the rounds' ratios and their range. */
function roundRatios(r: Row, base: Row | undefined): { median: number; min: number; max: number } | undefined {
  if (!base) return undefined;
  const ratios = r.rounds.map((perSec, i) => perSec / base.rounds[i]);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

const RAW = 'raw node:http';
const FACEGATE = 'facegate';
const BEFORE = 'facegate (before)';
const REFERENCE = 'mercurius + graphql-jit';
/** Write-cycle slots a variant's connections use: each variant its own users and faces. */
const SLOTS_PER_VARIANT = 10;
/** The slot the one-off comparison of facegate's and the reference's write answers uses. */
const CHECK_SLOT = 49;
const ROTATION = 'Relay page, 20 texts in rotation';

const dataDir = mkdtempSync(path.join(tmpdir(), 'facegate-bench-'));
const children: ChildProcess[] = [];
let failed = false;
try {
  const store = await openSqliteStore(dataDir);
  await seedCollection(store, { provider: 'local', collectionId: PAGE_COLLECTION, users: 100, faces: 100, facesPerUser: 1 });
  await seedCollection(store, { provider: 'local', collectionId: WRITES_COLLECTION, users: 0, faces: 100, facesPerUser: 1 });
  await store.close();

  const gateway = await startGateway(path.join(here, '../src/main.js'), dataDir);
  children.push(gateway.child);
  const url = gateway.url;
  const metricsUrl = url.replace(/\/graphql$/, '/metrics');
  // A live gateway has served writes: run a few (a write transaction used to switch on process-wide promise hooks).
  const scratch = { provider: 'local', collectionId: 'bench-scratch' };
  await post(url, 'mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { __typename } }', { c: scratch });
  for (let i = 0; i < 5; i++) {
    await post(url, `mutation($c: CollectionRef!) { createUser(input: { collection: $c, userId: "w${i}" }) { __typename } }`, {
      c: scratch,
    });
  }
  // The search's collection: real faces, indexed through facegate (its engine's first inference), two per person.
  const search = { provider: 'local', collectionId: SEARCH_COLLECTION };
  await post(url, 'mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { __typename } }', { c: search });
  for (const person of ['amy', 'penny', 'raj']) {
    const faceIds: string[] = [];
    for (const n of [1, 2]) {
      const base64 = readFileSync(path.join(fixtures, person, `${person}${n}.png`)).toString('base64');
      const indexed = JSON.parse(
        await post(
          url,
          `mutation($c: CollectionRef!, $b: String!) { indexFaces(input: { collection: $c, image: { base64: $b }, maxFaces: 1, qualityFilter: NONE }) { __typename ... on IndexFacesSuccess { faces { faceId } } } }`,
          { c: search, b: base64 },
        ),
      ) as { data: { indexFaces: { faces?: { faceId: string }[] } } };
      faceIds.push(...(indexed.data.indexFaces.faces ?? []).map((f) => f.faceId));
    }
    if (faceIds.length !== 2) throw new Error(`${person}: expected 2 indexed faces, got ${faceIds.length}`);
    await post(url, `mutation($c: CollectionRef!, $u: String!) { createUser(input: { collection: $c, userId: $u }) { __typename } }`, {
      c: search,
      u: person,
    });
    await post(
      url,
      `mutation($c: CollectionRef!, $u: String!, $f: [String!]!) { associateFaces(input: { collection: $c, userId: $u, faceIds: $f }) { __typename } }`,
      { c: search, u: person, f: faceIds },
    );
  }
  const searchImage = readFileSync(path.join(fixtures, 'amy', 'amy3.png')).toString('base64');
  const listed = JSON.parse(
    await post(
      url,
      `{ collection(ref: { provider: "local", collectionId: "${WRITES_COLLECTION}" }) { faces(first: 100, unassociated: true) { edges { node { faceId } } } } }`,
    ),
  ) as { data: { collection: { faces: { edges: { node: { faceId: string } }[] } } } };
  const storedFaces = listed.data.collection.faces.edges.map((e) => e.node.faceId);
  const cycleBody = (slot: number) => JSON.stringify({ query: WRITE_CYCLE, variables: writeCycleVariables(slot, storedFaces) });
  const slotsOf = (variant: number) => Array.from({ length: SLOTS_PER_VARIANT }, (_, i) => cycleBody(variant * SLOTS_PER_VARIANT + i));

  const reference = await startProcess([path.join(here, 'mercurius-reference.js'), '47100', dataDir], { NODE_ENV: 'production' }, (line) =>
    line === 'ready' ? '' : null,
  );
  children.push(reference.child);
  const referenceUrl = 'http://127.0.0.1:47100/graphql';
  const beforeGateway = before ? await startGateway(before, dataDir) : undefined;
  if (beforeGateway) children.push(beforeGateway.child);

  const pageBody = JSON.stringify({ query: RELAY_PAGE, variables: { after: null } });
  const queries: BenchQuery[] = [
    { name: 'Relay page', bodies: [pageBody], mode: 'rotate', maxCalls: 3 },
    {
      name: 'node(id:) refetch',
      bodies: [JSON.stringify({ query: NODE_REFETCH, variables: { id: toGlobalId('User', 'local', PAGE_COLLECTION, 'user-000007') } })],
      mode: 'rotate',
      maxCalls: 3,
    },
    { name: '{ providers { name } }', bodies: [JSON.stringify({ query: PROVIDERS })], mode: 'rotate', maxCalls: 0 },
    {
      name: 'searchUsersByImage (described)',
      bodies: [JSON.stringify({ query: SEARCH_BY_IMAGE, variables: searchVariables(searchImage) })],
      mode: 'rotate',
      maxCalls: 1,
    },
    { name: 'write cycle (4 mutations)', bodies: [cycleBody(CHECK_SLOT)], mode: 'per-connection' },
    { name: ROTATION, bodies: relayPageVariants().map((query) => JSON.stringify({ query, variables: { after: null } })), mode: 'rotate' },
  ];

  const rows: Row[] = [];
  const calls: { query: string; method: string; calls: number }[] = [];
  let port = 47_000;
  let pageResponse = '';
  for (const query of queries) {
    // One request each, first through facegate (counting its datasource calls), then the reference: the same data.
    let response = '';
    for (const body of query.bodies) {
      const before = await providerCalls(metricsUrl);
      const answer = await postBody(url, body);
      const after = await providerCalls(metricsUrl);
      if (!answer.includes('"data"') || answer.includes('"errors"') || /"__typename":"(?!\w*Success|User)/.test(answer)) {
        throw new Error(`${query.name}: ${answer.slice(0, 300)}`);
      }
      let total = 0;
      for (const [method, n] of after) {
        const d = n - (before.get(method) ?? 0);
        if (d > 0 && body === query.bodies[0]) calls.push({ query: query.name, method, calls: d });
        total += Math.max(0, d);
      }
      if (total === 0 && body === query.bodies[0]) calls.push({ query: query.name, method: '(none)', calls: 0 });
      if (query.maxCalls !== undefined && total > query.maxCalls) {
        console.error(`${query.name}: expected at most ${query.maxCalls} datasource calls, got ${total}`);
        failed = true;
      }
      const referenceAnswer = await postBody(referenceUrl, body);
      // Apollo ends its JSON with a newline; the data must be the same.
      if (JSON.stringify(JSON.parse(referenceAnswer)) !== JSON.stringify(JSON.parse(answer))) {
        throw new Error(
          `${query.name}: the reference answered other data than facegate:\n${referenceAnswer.slice(0, 300)}\n${answer.slice(0, 300)}`,
        );
      }
      response ||= answer;
    }
    // The earlier build answers each text once before the load too (its first search loads its engine).
    if (beforeGateway) for (const body of query.bodies) await postBody(beforeGateway.url, body);
    if (query.name === 'Relay page') pageResponse = response;
    // The rotation's baseline is the page's bytes: raw serves one answer.
    if (query.name === ROTATION) response = pageResponse;
    const file = path.join(dataDir, `response-${port}.json`);
    writeFileSync(file, response);
    const raw = await startProcess([path.join(here, 'raw-server.js'), String(port), file], {}, (line) => (line === 'ready' ? '' : null));
    children.push(raw.child);
    const variants: Variant[] = [
      { name: RAW, url: `http://127.0.0.1:${port}/`, pid: raw.child.pid!, bodiesFor: () => slotsOf(0) },
      { name: FACEGATE, url, pid: gateway.child.pid!, bodiesFor: () => slotsOf(0) },
      ...(beforeGateway ? [{ name: BEFORE, url: beforeGateway.url, pid: beforeGateway.child.pid!, bodiesFor: () => slotsOf(1) }] : []),
      { name: REFERENCE, url: referenceUrl, pid: reference.child.pid!, bodiesFor: () => slotsOf(2) },
    ];
    rows.push(...(await loadInRounds(query, variants, Buffer.byteLength(response))));
    raw.child.kill();
    port++;
  }

  const find = (query: string, variant: string) => rows.find((x) => x.query === query && x.variant === variant);
  const µs = (v: number) => Math.round(v);
  const table = rows.map((r) => {
    const toRaw = roundRatios(r, find(r.query, RAW));
    const toReference = roundRatios(r, find(r.query, REFERENCE));
    return {
      query: r.query,
      variant: r.variant,
      'req/s': Math.round(r.reqPerSec),
      '% of raw': toRaw ? `${(toRaw.median * 100).toFixed(1)} (${(toRaw.min * 100).toFixed(0)}–${(toRaw.max * 100).toFixed(0)})` : '',
      '× mercurius': toReference ? `${toReference.median.toFixed(2)} (${toReference.min.toFixed(1)}–${toReference.max.toFixed(1)})` : '',
      'p50 µs @1': µs(r.p50At1),
      'p99 µs @1': µs(r.p99At1),
      [`p50 µs @${connections}`]: µs(r.p50AtN),
      [`p99 µs @${connections}`]: µs(r.p99AtN),
      'CPU µs/req': Math.round(r.cpuUsPerReq),
      bytes: r.bytes,
      'RSS MB': Math.round(r.rssMb),
    };
  });
  console.log(
    `\nnpm run bench — throughput: ${connections} connections, ${seconds} s per variant in ${rounds} interleaved rounds after a warm-up; ` +
      `latency: bench/latency-client.ts in its own process, ${latencySeconds} s a round at 1 and at ${connections} connections ` +
      `(µs, median of the rounds' percentiles); Node ${process.version}. Ratios: the median of the rounds' req/s ratios (range).\n`,
  );
  console.table(table);

  const ratio = (query: string, base: string) => roundRatios(find(query, FACEGATE)!, find(query, base))?.median ?? NaN;
  const goals: { goal: string; measured: string; met: boolean }[] = [];
  const atLeast = (goal: string, value: number, bar: number, show: (v: number) => string) =>
    goals.push({ goal, measured: show(value), met: value >= bar });
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  const times = (v: number) => `${v.toFixed(2)}×`;
  for (const q of ['Relay page', 'node(id:) refetch']) {
    atLeast(`${q} ≥ 15 % of raw`, ratio(q, RAW), 0.15, pct);
    atLeast(`${q} ≥ 2× mercurius + jit`, ratio(q, REFERENCE), 2, times);
  }
  atLeast('{ providers { name } } ≥ 60 % of raw', ratio('{ providers { name } }', RAW), 0.6, pct);
  atLeast('write cycle ≥ 1.5× mercurius + jit', ratio('write cycle (4 mutations)', REFERENCE), 1.5, times);
  atLeast('searchUsersByImage ≥ 1.5× mercurius + jit', ratio('searchUsersByImage (described)', REFERENCE), 1.5, times);
  // The same figure for twenty texts as for one: within a tenth of the single text's share of raw.
  const rotation = ratio(ROTATION, RAW) / ratio('Relay page', RAW);
  atLeast('20 texts of the page: the same % of raw as one text (≥ 0.9 of it)', rotation, 0.9, (v) => `${v.toFixed(2)} of it`);
  const batchBound = find('{ providers { name } }', FACEGATE)!.p99At1 - find('{ providers { name } }', RAW)!.p99At1;
  goals.push({
    goal: 'batching adds ≤ 1 ms at p99, 1 connection (bound: facegate − raw p99, providers, execution included)',
    measured: `${µs(batchBound)} µs`,
    met: batchBound <= 1000,
  });
  console.log('\nGoals of issue 22 (facegate):');
  console.table(goals);
  console.log('\nDatasource calls per query (facegate /metrics, one request each):');
  console.table(calls);

  if (soakSeconds > 0) {
    const samples: { x: number; y: number }[] = [];
    const t0 = Date.now();
    const sampler = setInterval(() => samples.push({ x: (Date.now() - t0) / 1000, y: rssMb(gateway.child.pid!) }), 2000);
    const result = await autocannon({
      url,
      method: 'POST',
      body: pageBody,
      headers: { 'content-type': 'application/json' },
      connections,
      duration: soakSeconds,
    });
    clearInterval(sampler);
    if (result.non2xx || result.errors || result.timeouts)
      throw new Error(`soak: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
    // The first 10 s settle heap sizes; the slope is taken over the rest.
    const steady = samples.filter((s) => s.x >= 10);
    const rss = samples.map((s) => s.y);
    console.log(
      `\nSoak: ${soakSeconds} s of the Relay page, ${Math.round(result.requests.average)} req/s, ${result.requests.total} requests; ` +
        `facegate RSS ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MB, ` +
        `slope after 10 s ${(slope(steady) * 60).toFixed(2)} MB/min over ${steady.length} samples`,
    );
  }
  console.log(`facegate RSS after load: ${rssMb(gateway.child.pid!).toFixed(0)} MB (engine workers started by the search's indexing)`);
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dataDir, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
