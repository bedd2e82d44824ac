/**
 * One measurement for bench/snapshot.bench.ts, in its own process so its
 * peak RSS is its own: seeds a local collection of N faces, then takes a
 * snapshot and applies it to a new collection. Prints one JSON line.
 * Usage: node snapshot-copy.run.js <faces>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { ProviderRegistry } from '../src/datasources/registry.js';
import { EngineError, type FaceEngineApi } from '../src/engine/types.js';
import { ProgressBus } from '../src/operations/progress-bus.js';
import { SnapshotService } from '../src/operations/snapshot-service.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { seedCollection } from './seed.js';

const faces = Number(process.argv[2] ?? 10_000);
const dir = mkdtempSync(path.join(tmpdir(), 'facegate-snapbench-'));
const store = await openSqliteStore(dir);
/** Take and apply must never run inference: this engine fails if asked. */
const noEngine: FaceEngineApi = {
  modelVersion: 'synthetic',
  queueDepth: 0,
  detect: () => Promise.reject(new EngineError('UNAVAILABLE', 'the snapshot benchmark runs no inference')),
  close: async () => {},
};
const logger = pino({ level: 'silent' });
const registry = new ProviderRegistry([{ name: 'local', kind: 'local', options: {} }], { store, engine: noEngine, logger });
const bus = new ProgressBus();
const service = new SnapshotService({ store, registry, bus, logger });

await seedCollection(store, { provider: 'local', collectionId: 'src', users: Math.ceil(faces / 10), faces, facesPerUser: 10 });
const rssAfterSeed = process.memoryUsage().rss;
const maxRssAfterSeed = process.resourceUsage().maxRSS * 1024;

async function runToEnd(start: () => Promise<{ id: string }>): Promise<{ ms: number; events: number; status: string }> {
  const t0 = performance.now();
  const op = await start();
  const stream = await service.progress('default', op.id);
  let events = 0;
  let status = '';
  for await (const e of stream) {
    events++;
    status = e.status;
  }
  return { ms: performance.now() - t0, events, status };
}

const take = await runToEnd(() => service.takeSnapshot('default', { provider: 'local', collectionId: 'src' }, [], null));
const [snapshot] = (await store.listSnapshots('default', { after: null, limit: 1 })).map((r) => r.snapshot);
const apply = await runToEnd(() => service.applySnapshot('default', snapshot.id, { provider: 'local', collectionId: 'dst' }));
const dst = await store.getCollection({ provider: 'local', collectionId: 'dst' });

console.log(
  JSON.stringify({
    faces,
    takeMs: Math.round(take.ms),
    takeEvents: take.events,
    applyMs: Math.round(apply.ms),
    applyEvents: apply.events,
    status: `${take.status}/${apply.status}`,
    copiedFaces: dst?.faceCount ?? 0,
    rssAfterSeedMb: Math.round(rssAfterSeed / 2 ** 20),
    peakRssMb: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
    peakBeforeCopyMb: Math.round(maxRssAfterSeed / 2 ** 20),
  }),
);
await service.stop();
await store.close();
rmSync(dir, { recursive: true, force: true });
