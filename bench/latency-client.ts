/**
 * The latency client of `npm run bench`, run in its own process so its work
 * does not share the bench's event loop: `connections` keep-alive
 * connections, each sending its next POST as soon as the previous response
 * has fully arrived (closed loop), timed with `process.hrtime.bigint()`
 * around each request (microseconds; autocannon rounds to milliseconds).
 *
 * Usage: node latency-client.js <file holding a LatencyJob as JSON> (a file:
 * an image in a body can outgrow an argument's 128 KiB)
 * Prints one line: the {@link LatencyResult} as JSON. Exits non-zero when a
 * response is not 200.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

/** What to send, where, and for how long. */
export interface LatencyJob {
  url: string;
  /** Request bodies (JSON). */
  bodies: string[];
  /**
   * `rotate`: request n of every connection sends `bodies[n % bodies.length]`;
   * `per-connection`: connection i always sends `bodies[i % bodies.length]`
   * (a write cycle each connection repeats on its own user).
   */
  mode: 'rotate' | 'per-connection';
  connections: number;
  /** Measured seconds, after `warmupSeconds` not measured. */
  seconds: number;
  warmupSeconds: number;
}

/** Latencies in microseconds over the measured seconds. */
export interface LatencyResult {
  requests: number;
  reqPerSec: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

function postOnce(agent: http.Agent, url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`${url.href}: expected 200, got ${res.statusCode}`));
          res.resume();
          return;
        }
        res.on('data', () => {});
        res.on('end', resolve);
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The value at quantile `q` (0..1) of `sorted`, nearest rank. */
function quantile(sorted: BigUint64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return Number(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]) / 1000;
}

/** Runs `job`; see the module comment. */
export async function measureLatency(job: LatencyJob): Promise<LatencyResult> {
  const url = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const samples: bigint[] = [];
  const now = () => process.hrtime.bigint();
  const start = now();
  const measureFrom = start + BigInt(Math.round(job.warmupSeconds * 1e9));
  const end = measureFrom + BigInt(Math.round(job.seconds * 1e9));
  await Promise.all(
    Array.from({ length: job.connections }, async (_, connection) => {
      for (let n = 0; ; n++) {
        const body = job.mode === 'rotate' ? job.bodies[n % job.bodies.length] : job.bodies[connection % job.bodies.length];
        const t0 = now();
        if (t0 >= end) return;
        await postOnce(agent, url, body);
        if (t0 >= measureFrom) samples.push(now() - t0);
      }
    }),
  );
  agent.destroy();
  const sorted = BigUint64Array.from(samples).sort();
  return {
    requests: sorted.length,
    reqPerSec: sorted.length / job.seconds,
    p50Us: quantile(sorted, 0.5),
    p99Us: quantile(sorted, 0.99),
    maxUs: quantile(sorted, 1),
  };
}

if (process.argv[2]) {
  try {
    const result = await measureLatency(JSON.parse(readFileSync(process.argv[2], 'utf8')) as LatencyJob);
    process.stdout.write(JSON.stringify(result) + '\n');
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
