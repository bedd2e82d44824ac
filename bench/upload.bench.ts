/**
 * `npm run bench:upload`: peak gateway RSS while 20 clients each send a
 * 4 MB JPEG to `indexFaces` at once, as a multipart upload (ImageInput.upload)
 * and as base64 in JSON (ImageInput.base64), in one run.
 *
 * The photos: face-api's sample group photo at 3000×2000 (6 MP, 18 MB of
 * decoded RGB) with noise of its own for each client (identical bytes
 * would share one detection), JPEG quality 95, about 4 MB; base64 makes
 * each about 5.3 MB of JSON. Each mode gets a fresh gateway (same configuration,
 * defaults: maxBodyBytesInFlight 32 MiB admits about 8 multipart bodies or 5
 * base64 ones at once), warmed by one small photo so the engine's workers
 * are loaded; then its peak RSS is reset (/proc/PID/clear_refs) and read
 * after the 20 requests are answered (VmHWM). Linux only.
 */
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { onJsonLogLines } from './json-log-lines.js';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.js');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const ref = { provider: 'local', collectionId: 'bench' };
const MB = 1024 * 1024;

/** About 4 MB of JPEG: a real photo (faces in it) made 6 MP, with noise so it does not compress away. */
async function fourMegabyteJpeg(): Promise<Buffer> {
  const require = createRequire(import.meta.url);
  const file = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');
  const [width, height, amplitude] = [3000, 2000, 40];
  const noise = randomFillSync(Buffer.alloc(width * height * 3));
  for (let i = 0; i < noise.length; i++) noise[i] = 128 + (noise[i] % (2 * amplitude)) - amplitude;
  return sharp(file)
    .resize({ width, height })
    .composite([{ input: noise, raw: { width, height, channels: 3 }, blend: 'overlay' }])
    .jpeg({ quality: 95, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

const status = (pid: number, field: string): number =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

async function startGateway(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'facegate-bench-upload-'));
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', FACEGATE_DATA_DIR: dataDir, LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    onJsonLogLines(child.stdout, (entry) => entry.msg === 'facegate listening' && resolve(entry.url as string));
    void exited.then(() => reject(new Error('gateway exited before listening')));
  });
  return {
    url,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const INDEX = (type: string, field: string) =>
  `mutation ($c: CollectionRef!, $img: ${type}!) { indexFaces(input: { collection: $c, image: { ${field}: $img }, maxFaces: 1 }) { __typename } }`;

async function json(url: string, query: string, variables: Record<string, unknown>): Promise<Record<string, { __typename: string }>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, { __typename: string }>; errors?: unknown };
  if (!body.data) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function multipart(url: string, jpeg: Buffer): Promise<Record<string, { __typename: string }>> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: INDEX('Upload', 'upload'), variables: { c: ref, img: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.img'] }));
  form.append('0', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'photo.jpg');
  const res = await fetch(url, { method: 'POST', body: form, headers: { 'apollo-require-preflight': 'true' } });
  const body = (await res.json()) as { data?: Record<string, { __typename: string }>; errors?: unknown };
  if (!body.data) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

interface Row {
  mode: string;
  bodyMb: number;
  baselineMb: number;
  peakMb: number;
  seconds: number;
  answers: string;
}

async function measure(mode: 'multipart' | 'base64', jpegs: Buffer[], small: Buffer): Promise<Row> {
  const gateway = await startGateway();
  try {
    await json(gateway.url, 'mutation ($c: CollectionRef!) { createCollection(input: { collection: $c }) { __typename } }', { c: ref });
    await json(gateway.url, INDEX('String', 'base64'), { c: ref, img: small.toString('base64') }); // loads the engine's workers
    const baselineMb = status(gateway.pid, 'VmRSS');
    writeFileSync(`/proc/${gateway.pid}/clear_refs`, '5'); // VmHWM := VmRSS
    const base64 = jpegs.map((jpeg) => jpeg.toString('base64'));
    const started = performance.now();
    const answers = await Promise.all(
      jpegs.map((jpeg, i) =>
        mode === 'multipart' ? multipart(gateway.url, jpeg) : json(gateway.url, INDEX('String', 'base64'), { c: ref, img: base64[i] }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const peakMb = status(gateway.pid, 'VmHWM');
    const counts = new Map<string, number>();
    for (const a of answers) counts.set(a.indexFaces.__typename, (counts.get(a.indexFaces.__typename) ?? 0) + 1);
    const bodyMb = (mode === 'multipart' ? jpegs[0].length : base64[0].length) / MB;
    return { mode, bodyMb, baselineMb, peakMb, seconds, answers: [...counts].map(([t, n]) => `${n} ${t}`).join(', ') };
  } finally {
    await gateway.stop();
  }
}

// One photo a client, each with its own noise: the engine's detection cache shares the work of identical bytes.
const jpegs: Buffer[] = [];
for (let i = 0; i < CLIENTS; i++) jpegs.push(await fourMegabyteJpeg());
const small = await sharp(jpegs[0]).resize({ width: 600 }).jpeg().toBuffer();
const rows = [await measure('multipart', jpegs, small), await measure('base64', jpegs, small)];
console.log(`${CLIENTS} clients at once, each its own ${(jpegs[0].length / MB).toFixed(2)} MiB JPEG (3000×2000) to indexFaces`);
console.log('mode       image MiB  RSS before  peak RSS  peak − before  seconds  answers');
for (const r of rows) {
  console.log(
    `${r.mode.padEnd(10)} ${r.bodyMb.toFixed(2).padStart(9)} ${r.baselineMb.toFixed(0).padStart(11)} ${r.peakMb.toFixed(0).padStart(9)} ${(r.peakMb - r.baselineMb).toFixed(0).padStart(14)} ${r.seconds.toFixed(1).padStart(8)}  ${r.answers}`,
  );
}
const [m, b] = rows;
console.log(
  `multipart saves ${(b.peakMb - m.peakMb).toFixed(0)} MiB of peak RSS (${(((b.peakMb - m.peakMb) / b.peakMb) * 100).toFixed(0)} %)`,
);
console.log(
  `load average: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${os.cpus().length} cores)`,
);
