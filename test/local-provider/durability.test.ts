/**
 * kill -9 durability: a child process commits transactions through the store
 * and acknowledges each one on stdout; it is SIGKILLed mid-stream, the store
 * is reopened, and every acknowledged write must be there, whole.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { openSqliteStore, tempDir } from './support.js';

const tmp = tempDir('durability');
afterAll(() => tmp.remove());

const WRITER = fileURLToPath(new URL('../support/durability-writer.mjs', import.meta.url));
const KILL_AFTER_ACKS = 400;

it('keeps every acknowledged write after SIGKILL', async () => {
  const child = spawn(process.execPath, [WRITER, tmp.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const acked: number[] = [];
  let buffered = '';
  // 'close' comes after 'exit' once the child's stdout has ended: every line it wrote has been read.
  const drained = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));

  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^ack (\d+)$/.exec(line);
        if (m) acked.push(Number(m[1]));
      }
      if (acked.length >= KILL_AFTER_ACKS && !child.killed) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer: expected to be killed, got exit ${code}/${signal}: ${stderr}`));
    });
  });
  // Lines that were already in the pipe when the kill landed are acks too.
  expect(await drained).toBe('SIGKILL');

  const store = await openSqliteStore(tmp.dir);
  try {
    const ref = { provider: 'local', collectionId: 'durable' };
    const ids = acked.map((i) => `u${i}`);
    const users = await store.findUsers(ref, ids);
    expect(users?.length).toBe(acked.length);
    expect(users?.every((u) => u.status === 'ACTIVE')).toBe(true);
    const counts = await store.countUserFaces(ref, ids);
    expect(ids.every((id) => counts?.get(id) === 1)).toBe(true);
    // Counters moved in the same transactions as the rows they count.
    const collection = await store.getCollection(ref);
    expect(collection!.userCount).toBeGreaterThanOrEqual(acked.length);
    expect(collection!.faceCount).toBe(collection!.userCount);
  } finally {
    await store.close();
  }
});
