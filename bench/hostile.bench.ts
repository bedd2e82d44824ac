/**
 * `npm run bench:hostile`: does a legitimate client keep being served while
 * facegate is attacked, and what does the attack cost it in memory?
 *
 * One gateway (the compiled dist/src/main.js) with API keys configured. For
 * BENCH_IDLE_SECONDS (default 10) a legitimate client sends 10 queries a
 * second alone: the idle latency and RSS. Then for BENCH_SECONDS (default 30)
 * the same client goes on while
 *   - 100 sockets that never authenticate send oversized frames (16 MiB
 *     `connection_init` messages) as fast as the server takes them,
 *     reconnecting whenever they are closed;
 *   - 10 HTTP connections flood aliases (300 aliased `searchUsersByImage`
 *     sharing one image variable) and introspection (200 aliased
 *     `__schema`), each request sent as soon as the previous one is answered,
 *     with a valid key of their own tenant.
 * It prints the gateway's RSS growth over its idle figure (goal ≤ 150 MB,
 * engine workers excluded: no image reaches inference), every legitimate
 * request's outcome (goal: all succeed) and their p99 under attack (goal
 * under 1 s) beside the idle p99 of the same run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { onJsonLogLines } from './json-log-lines.js';
import { rssMb } from './process-stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const attackSeconds = Number(process.env.BENCH_SECONDS ?? 30);
const SOCKETS = 100;
const FLOOD_CONNECTIONS = 10;
const LEGIT_PER_SECOND = 10;
const FRAME_BYTES = 16 * 1024 * 1024;
/** Which attacks run (`frames`, `floods`), for telling their costs apart. @default both */
const ATTACKS = new Set((process.env.BENCH_ATTACKS ?? 'frames,floods').split(','));

const LEGIT_KEY = 'bench-legit-key-0123456789abcdef';
const ATTACKER_KEY = 'bench-attacker-key-0123456789abcd';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Starts the gateway and resolves with its URL once it listens. */
function startGateway(configFile: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(here, '../src/main.js')], {
    env: { ...process.env, PORT: '0', FACEGATE_CONFIG: configFile, FACEGATE_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    onJsonLogLines(child.stdout!, (entry) => {
      if (entry.msg === 'facegate listening' && typeof entry.url === 'string') resolve({ child, url: entry.url });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited ${code} before listening`)));
  });
}

interface Sample {
  ok: boolean;
  ms: number;
  status: number;
}

/** One legitimate query: the Relay-style page of collections every frontend sends first. */
async function legitRequest(url: string): Promise<Sample> {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': LEGIT_KEY },
      body: JSON.stringify({
        query:
          'query Providers { providers { id name kind collections(first: 10) { edges { cursor node { id collectionId } } pageInfo { hasNextPage endCursor } } } }',
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { data?: { providers?: unknown[] }; errors?: unknown[] };
    return {
      ok: res.status === 200 && !body.errors && Array.isArray(body.data?.providers),
      ms: performance.now() - started,
      status: res.status,
    };
  } catch {
    return { ok: false, ms: performance.now() - started, status: 0 };
  }
}

/** The legitimate client: LEGIT_PER_SECOND requests a second, each on its own schedule, until `until`. */
async function legitClient(url: string, until: number): Promise<Sample[]> {
  const samples: Promise<Sample>[] = [];
  const interval = 1000 / LEGIT_PER_SECOND;
  for (let next = performance.now(); next < until; next += interval) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    samples.push(legitRequest(url));
  }
  return Promise.all(samples);
}

const FRAME = Buffer.alloc(FRAME_BYTES, 0x61);
FRAME.write('{"type":"connection_init","payload":{"apiKey":"', 0);

/**
 * A socket that never authenticates and sends oversized frames as fast as
 * the server takes them. Its mask is all zeros, which ws then skips
 * applying, so the attacker's own CPU (on the same cores) goes to sending,
 * not to XOR-ing 16 MiB a frame.
 */
function oversizedFrames(wsUrl: string, until: number, counts: { frames: number; closes: number }): Promise<void> {
  const frame = FRAME;
  return new Promise((resolve) => {
    const open = () => {
      if (performance.now() >= until) return resolve();
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws', {
        headers: { origin: 'http://127.0.0.1' },
        generateMask: (mask) => void mask.fill(0),
      });
      const send = () => {
        if (socket.readyState !== WebSocket.OPEN || performance.now() >= until) return socket.close();
        socket.send(frame, (err) => {
          if (err) return;
          counts.frames++;
          send();
        });
      };
      socket.on('open', send);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        counts.closes++;
        setTimeout(open, 10);
      });
    };
    open();
  });
}

const ALIAS_FLOOD = `query Flood($img: ImageInput!) { ${Array.from(
  { length: 300 },
  (_, i) => `a${i}: searchUsersByImage(input: { collection: { provider: "local", collectionId: "c" }, image: $img }) { __typename }`,
).join(' ')} }`;
const INTROSPECTION_FLOOD = `{ ${Array.from({ length: 200 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }`;

/** One connection's flood: alias and introspection documents in turn, each sent when the last is answered. */
const FLOOD_BODIES = [
  JSON.stringify({ query: ALIAS_FLOOD, variables: { img: { base64: Buffer.alloc(2 * 1024 * 1024, 7).toString('base64') } } }),
  JSON.stringify({ query: INTROSPECTION_FLOOD }),
];

async function flood(url: string, until: number, counts: Record<string, number>): Promise<void> {
  for (let i = 0; performance.now() < until; i++) {
    const body = FLOOD_BODIES[i % 2];
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': ATTACKER_KEY },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      const code = /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? `HTTP ${res.status}`;
      counts[code] = (counts[code] ?? 0) + 1;
    } catch {
      counts['(no answer)'] = (counts['(no answer)'] ?? 0) + 1;
    }
  }
}

const p99 = (samples: Sample[]) => {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return ms.length ? ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))] : NaN;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'facegate-hostile-'));
  const configFile = path.join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      auth: {
        apiKeys: [
          { tenant: 'legit', sha256: sha256(LEGIT_KEY) },
          { tenant: 'attacker', sha256: sha256(ATTACKER_KEY) },
        ],
      },
      tenants: { legit: { providers: '*' }, attacker: { providers: '*' } },
    }),
  );
  const { child, url } = await startGateway(configFile, path.join(dir, 'data'));
  const pid = child.pid!;
  const wsUrl = url.replace(/^http/, 'ws');
  try {
    await legitRequest(url); // warm-up
    const idleRss: number[] = [];
    const idleTimer = setInterval(() => idleRss.push(rssMb(pid)), 250);
    const idle = await legitClient(url, performance.now() + idleSeconds * 1000);
    clearInterval(idleTimer);
    const idleMb = Math.max(...idleRss);

    const until = performance.now() + attackSeconds * 1000;
    const attackRss: number[] = [];
    const attackTimer = setInterval(() => attackRss.push(rssMb(pid)), 250);
    const frameCounts = { frames: 0, closes: 0 };
    const floodCounts: Record<string, number> = {};
    const [attacked] = await Promise.all([
      legitClient(url, until),
      ...Array.from({ length: ATTACKS.has('frames') ? SOCKETS : 0 }, () => oversizedFrames(wsUrl, until, frameCounts)),
      ...Array.from({ length: ATTACKS.has('floods') ? FLOOD_CONNECTIONS : 0 }, () => flood(url, until, floodCounts)),
    ]);
    clearInterval(attackTimer);
    const peakMb = Math.max(...attackRss);
    const failed = attacked.filter((s) => !s.ok);

    console.log(`\nnpm run bench:hostile — ${idleSeconds} s idle, then ${attackSeconds} s under attack; Node ${process.version}\n`);
    console.table([
      {
        phase: 'idle',
        'legit requests': idle.length,
        succeeded: idle.filter((s) => s.ok).length,
        'p99 ms': Math.round(p99(idle)),
        'RSS MB (max)': Math.round(idleMb),
      },
      {
        phase: 'under attack',
        'legit requests': attacked.length,
        succeeded: attacked.length - failed.length,
        'p99 ms': Math.round(p99(attacked)),
        'RSS MB (max)': Math.round(peakMb),
      },
    ]);
    console.log(
      `RSS growth over idle: ${Math.round(peakMb - idleMb)} MB (goal ≤ 150); legit failures: ${failed.length} (goal 0)` +
        `${failed.length ? ` — statuses ${[...new Set(failed.map((f) => f.status))].join(', ')}` : ''}; ` +
        `p99 under attack ${Math.round(p99(attacked))} ms (goal < 1000), idle ${Math.round(p99(idle))} ms`,
    );
    console.log(`oversized frames the server took: ${frameCounts.frames} (${frameCounts.closes} sockets closed by it)`);
    console.log(`flood answers by code: ${JSON.stringify(floodCounts)}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
