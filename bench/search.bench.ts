/**
 * `npm run bench:search`: exact search (VectorIndex, the wasm SIMD scan)
 * against approximate search (AnnIndex, HNSW over f16) on collections of
 * synthetic face descriptors, one size at a time, in one run.
 *
 * For each size N, in a child process of its own (so one size's memory does
 * not count in the next):
 *   1. N descriptors drawn like real ones (see {@link drawCollection});
 *   2. exact: p50/p99 of 200 searches (k = 10), which also give the truth;
 *   3. ANN: build time (2 threads), p50/p99 of the same searches, recall@10
 *      against the exact top 10, RSS it added (graph, vectors and id table);
 *   4. saved to a temporary directory; then a second child loads the file
 *      and reports the load time, the RSS the loaded index holds, and its
 *      search p50/p99 and recall (the figure a restarted replica has).
 * The table's baseline is the exact column of the same run.
 *
 * Queries: a new face of an existing identity (its centre plus fresh noise),
 * the realistic probe, and the face-api descriptors of the 4 real faces of
 * test/fixtures/legacy-store as a real-descriptor spot check (the `real`
 * column: people not in the collection, whose top 10 are strangers).
 *
 * Usage: node dist/bench/search.bench.js [--sizes 1000,10000,100000,1000000] [--ef 128,256]
 * (a 1M build takes minutes on two cores; tests and CI pass small sizes).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANN_DEFAULTS, AnnIndex, VectorIndex } from '../src/engine/index.js';

const here = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);
const DIM = 128;
const K = 10;
const QUERIES = 200;
const FACES_PER_IDENTITY = 5;
/** Per-component spread of identity centres and of a face around its centre: different people ~0.82 apart, the same person ~0.45 (the calibration's medians, src/engine/similarity.ts). */
const CENTRE_SIGMA = 0.043;
const FACE_SIGMA = 0.028;
const DEFAULT_SIZES = [1000, 5000, 10000, 20000, 100000, 1000000];
/** AnnIndex's default search expansion (the table's main rows). */
const DEFAULT_EF = ANN_DEFAULTS.expansionSearch;
const MB = 1024 * 1024;

type BuildResult = {
  n: number;
  exactP50: number;
  exactP99: number;
  annP50: number;
  annP99: number;
  recall: number;
  realRecall: number;
  buildS: number;
  annMb: number;
  exactMb: number;
  dir: string;
};
type LoadResult = { loadS: number; loadedMb: number; byEf: { ef: number; p50: number; p99: number; recall: number }[] };

/** Deterministic gaussian stream (mulberry32 + Box–Muller). */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

/** The 4 real descriptors of the legacy fixture store. */
function realDescriptors(): Float32Array[] {
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  // A copy: opening the fixture itself, even read-only, leaves -wal and -shm files beside it.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facegate-real-'));
  const file = path.join(dir, 'facegate.db');
  copyFileSync(path.resolve(path.dirname(here), '../../test/fixtures/legacy-store/facegate.db'), file);
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT descriptor FROM faces ORDER BY seq').all() as { descriptor: Buffer }[];
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return rows.map(
    (r) => new Float32Array(r.descriptor.buffer.slice(r.descriptor.byteOffset, r.descriptor.byteOffset + r.descriptor.length)),
  );
}

/**
 * N descriptors: the real descriptors' mean (face-api descriptors share a
 * large common component), plus an identity centre, plus per-face noise;
 * 5 faces an identity. The real descriptors themselves are not inserted:
 * the mean of 4 sits closer to each of them than the synthetic faces are,
 * which made them hubs in every query's top 10 (recall 0.90 instead of 0.99
 * at 10k in a trial) — an artefact of the draw, not of real collections.
 */
function drawCollection(n: number, real: Float32Array[]): { data: Float32Array; centres: Float32Array } {
  const g = gaussian(n);
  const mean = new Float32Array(DIM);
  for (const r of real) for (let j = 0; j < DIM; j++) mean[j] += r[j] / real.length;
  const identities = Math.ceil(n / FACES_PER_IDENTITY);
  const centres = new Float32Array(identities * DIM);
  for (let i = 0; i < centres.length; i++) centres[i] = mean[i % DIM] + CENTRE_SIGMA * g();
  const data = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / FACES_PER_IDENTITY) * DIM;
    for (let j = 0; j < DIM; j++) data[i * DIM + j] = centres[c + j] + FACE_SIGMA * g();
  }
  return { data, centres };
}

function queriesOf(centres: Float32Array, real: Float32Array[]): Float32Array[] {
  const g = gaussian(7);
  const identities = centres.length / DIM;
  const out: Float32Array[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const c = Math.floor(((q * 7919) % identities) + 0) * DIM;
    const v = new Float32Array(DIM);
    for (let j = 0; j < DIM; j++) v[j] = centres[c + j] + FACE_SIGMA * g();
    out.push(v);
  }
  return [...out, ...real];
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const rss = (): number => {
  gc();
  return process.memoryUsage().rss;
};

function timed<T>(run: () => T): { ms: number; value: T } {
  const t = process.hrtime.bigint();
  const value = run();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

function recallOf(found: string[][], truth: string[][], from: number, to: number): number {
  let hit = 0;
  let all = 0;
  for (let q = from; q < to; q++) {
    const want = new Set(truth[q]);
    all += want.size;
    for (const id of found[q]) if (want.has(id)) hit++;
  }
  return all === 0 ? 1 : hit / all;
}

function searchAll(search: (q: Float32Array) => string[], queries: Float32Array[]): { p50: number; p99: number; ids: string[][] } {
  for (let i = 0; i < 20; i++) search(queries[i % queries.length]); // warm-up
  const times: number[] = [];
  const ids: string[][] = [];
  for (const q of queries) {
    const { ms, value } = timed(() => search(q));
    times.push(ms);
    ids.push(value);
  }
  times.sort((a, b) => a - b);
  return { p50: pct(times, 50), p99: pct(times, 99), ids };
}

/** Child: build at size n, print a BuildResult. */
function build(n: number): BuildResult {
  const real = realDescriptors();
  const { data, centres } = drawCollection(n, real);
  const queries = queriesOf(centres, real);
  const ids = Array.from({ length: n }, (_, i) => `face-${i}`);

  const before = rss();
  const exact = new VectorIndex({ initialCapacity: n });
  for (let i = 0; i < n; i++) exact.add(ids[i], data.subarray(i * DIM, (i + 1) * DIM));
  const exactMb = (rss() - before) / MB;
  const ex = searchAll((q) => exact.search(q, K).map((m) => m.id), queries);

  const beforeAnn = rss();
  const ann = new AnnIndex();
  const built = timed(() => ann.addMany(ids, data, 2));
  const annMb = (rss() - beforeAnn) / MB;
  const an = searchAll((q) => ann.search(q, K).map((m) => m.id), queries);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'facegate-ann-'));
  ann.save(path.join(dir, 'index'), { mark: n });
  return {
    n,
    exactP50: ex.p50,
    exactP99: ex.p99,
    annP50: an.p50,
    annP99: an.p99,
    recall: recallOf(an.ids, ex.ids, 0, QUERIES),
    realRecall: recallOf(an.ids, ex.ids, QUERIES, queries.length),
    buildS: built.ms / 1000,
    annMb,
    exactMb,
    dir,
  };
}

/**
 * Child: load the index saved at dir (timed, with the RSS it adds), then
 * search it at each expansion of `efs` (a reload each: usearch fixes ef at
 * construction); recall against a fresh exact scan of the same draw.
 */
function load(n: number, dir: string, efs: number[]): LoadResult {
  const real = realDescriptors();
  const before = rss();
  const loaded = timed(() => AnnIndex.load(path.join(dir, 'index')));
  const loadedMb = (rss() - before) / MB;
  const { data, centres } = drawCollection(n, real);
  const queries = queriesOf(centres, real);
  const exact = new VectorIndex({ initialCapacity: n });
  for (let i = 0; i < n; i++) exact.add(`face-${i}`, data.subarray(i * DIM, (i + 1) * DIM));
  const truth = queries.map((q) => exact.search(q, K).map((m) => m.id));
  exact.clear();
  const byEf = efs.map((ef) => {
    const index = ef === DEFAULT_EF ? loaded.value.index : AnnIndex.load(path.join(dir, 'index'), { expansionSearch: ef }).index;
    const an = searchAll((q) => index.search(q, K).map((m) => m.id), queries);
    return { ef, p50: an.p50, p99: an.p99, recall: recallOf(an.ids, truth, 0, QUERIES) };
  });
  return { loadS: loaded.ms / 1000, loadedMb, byEf };
}

function child<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=8192', here, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) reject(new Error(`bench child ${args.join(' ')} exited with ${code}`));
      else resolve(JSON.parse(out) as T);
    });
  });
}

const f = (v: number, digits = 2): string => v.toFixed(digits);

/** `--name 1,2,3` as integers ≥ min, or `fallback`. */
function listFlag(args: string[], name: string, fallback: number[], min: number): number[] {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const values = (args[at + 1] ?? '').split(',').map(Number);
  if (values.some((v) => !Number.isInteger(v) || v < min)) {
    throw new Error(`${name}: expected integers ≥ ${min} separated by commas, got ${args[at + 1]}`);
  }
  return values;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--build') {
    process.stdout.write(JSON.stringify(build(Number(args[1]))));
    return;
  }
  if (args[0] === '--load') {
    process.stdout.write(JSON.stringify(load(Number(args[1]), args[2], args[3].split(',').map(Number))));
    return;
  }
  const sizes = listFlag(args, '--sizes', DEFAULT_SIZES, 10);
  const efs = listFlag(args, '--ef', [DEFAULT_EF], 1);
  const load0 = os.loadavg()[0];
  console.log(
    `search, k = ${K}, ${QUERIES} synthetic queries + 4 real; AnnIndex ${ANN_DEFAULTS.quantization}, M = ${ANN_DEFAULTS.connectivity}, efConstruction = ${ANN_DEFAULTS.expansionAdd}, ef = ${DEFAULT_EF}; ${os.cpus().length} CPUs`,
  );
  console.log(
    '| faces | exact p50 ms | exact p99 ms | ANN p50 ms | ANN p99 ms | recall@10 | real recall@10 | build s | load s | ANN MB (build) | ANN MB (loaded) | exact MB |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const loaded: string[] = [];
  for (const n of sizes) {
    const b = await child<BuildResult>(['--build', String(n)]);
    try {
      const l = await child<LoadResult>(['--load', String(n), b.dir, efs.join(',')]);
      console.log(
        `| ${n.toLocaleString('en')} | ${f(b.exactP50)} | ${f(b.exactP99)} | ${f(b.annP50)} | ${f(b.annP99)} | ${f(b.recall, 4)} | ${f(b.realRecall, 3)} | ` +
          `${f(b.buildS, 1)} | ${f(l.loadS)} | ${f(b.annMb, 0)} | ${f(l.loadedMb, 0)} | ${f(b.exactMb, 0)} |`,
      );
      loaded.push(...l.byEf.map((e) => `| ${n.toLocaleString('en')} | ${e.ef} | ${f(e.p50)} | ${f(e.p99)} | ${f(e.recall, 4)} |`));
    } finally {
      rmSync(b.dir, { recursive: true, force: true });
    }
  }
  console.log('\nthe loaded index (a restarted replica), by search expansion:\n');
  console.log('| faces | ef | p50 ms | p99 ms | recall@10 |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const line of loaded) console.log(line);
  console.log(`load average ${f(load0)} at start, ${f(os.loadavg()[0])} at end`);
}

await main();
