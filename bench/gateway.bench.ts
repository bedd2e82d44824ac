/**
 * `npm run bench`: facegate against a raw node:http server that returns the
 * same response bytes, on this machine, in one run. Prints req/s, latency
 * p50/p99, server CPU µs per request and the ratio to raw, then facegate's
 * RSS under load (its engine workers start only on the first image, so none
 * run here).
 *
 * Env: BENCH_SECONDS (default 10) per variant, BENCH_CONNECTIONS (default 10).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuSeconds, rssMb } from './process-stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);

function startProcess(args: string[], env: Record<string, string>, ready: (line: string) => string | null): Promise<{ child: ChildProcess; info: string }> {
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
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return res.text();
}

interface Row {
  variant: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number;
  bytes: number;
}

async function load(variant: string, url: string, body: string, pid: number, bytes: number): Promise<Row> {
  await autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections, duration: 2 }); // warm-up
  const cpu0 = cpuSeconds(pid);
  const result = await autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections, duration: seconds });
  const cpu = cpuSeconds(pid) - cpu0;
  if (result.non2xx || result.errors) throw new Error(`${variant}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    variant,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUsPerReq: (cpu / result.requests.total) * 1e6,
    bytes,
  };
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'facegate-bench-'));
const children: ChildProcess[] = [];
try {
  const gateway = await startProcess([path.join(here, '../src/main.js')], { PORT: '0', FACEGATE_DATA_DIR: dataDir, LOG_LEVEL: 'info' }, (line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      return entry.msg === 'facegate listening' ? (entry.url as string) : null;
    } catch {
      return null;
    }
  });
  children.push(gateway.child);
  const url = gateway.info;

  // Seed: one collection with 100 users.
  const c = { provider: 'local', collectionId: 'bench' };
  await post(url, 'mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { __typename } }', { c });
  const creates = Array.from({ length: 100 }, (_, i) => `u${i}: createUser(input: { collection: $c, userId: "user-${String(i).padStart(3, '0')}" }) { __typename }`);
  await post(url, `mutation($c: CollectionRef!) { ${creates.join(' ')} }`, { c });

  const queries = {
    'providers { name }': '{ providers { name } }',
    '100 users + faceCount': '{ collection(ref: { provider: "local", collectionId: "bench" }) { users(first: 100) { edges { node { userId status faceCount } } } } }',
  };

  const rows: Row[] = [];
  let port = 47_000;
  for (const [name, query] of Object.entries(queries)) {
    const body = JSON.stringify({ query });
    const response = await post(url, query);
    if (!response.includes('"data"') || response.includes('"errors"')) throw new Error(`${name}: ${response.slice(0, 300)}`);
    const file = path.join(dataDir, `response-${port}.json`);
    writeFileSync(file, response);
    const raw = await startProcess([path.join(here, 'raw-server.js'), String(port), file], {}, (line) => (line === 'ready' ? '' : null));
    children.push(raw.child);
    rows.push(await load(`raw node:http — ${name}`, `http://127.0.0.1:${port}/`, body, raw.child.pid!, response.length));
    rows.push(await load(`facegate — ${name}`, url, body, gateway.child.pid!, response.length));
    raw.child.kill();
    port++;
  }

  const table = rows.map((r, i) => {
    const raw = rows[i - (i % 2)];
    return {
      variant: r.variant,
      'req/s': Math.round(r.reqPerSec),
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      'CPU µs/req': Math.round(r.cpuUsPerReq),
      'response bytes': r.bytes,
      'ratio to raw': `${((r.reqPerSec / raw.reqPerSec) * 100).toFixed(1)} %`,
    };
  });
  console.log(`\nnpm run bench — ${connections} connections, ${seconds} s per variant, Node ${process.version}\n`);
  console.table(table);
  console.log(`facegate RSS after load: ${rssMb(gateway.child.pid!).toFixed(0)} MB (no engine workers started)`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  rmSync(dataDir, { recursive: true, force: true });
}
