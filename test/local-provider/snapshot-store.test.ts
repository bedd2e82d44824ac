/**
 * Snapshots and operations in the embedded SQLite store: record
 * round-trips, chunked SQL copies (order, content, images once per
 * snapshot), consistency of a take inside one transaction, visibility by
 * owner and apply scope, deletion, and the version-2 migration (idempotent,
 * and upgrading a version-1 database).
 *
 * Imports the compiled store directly (not through support.ts) so this file
 * depends on the store's modules only.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationRecord, SnapshotRecord } from '../../src/operations/types.js';
import type * as MigrationsModule from '../../src/store/migrations.js';
import type * as SqliteStoreModule from '../../src/store/sqlite-store.js';
import type { CopyChunk } from '../../src/store/snapshot-store.js';
import type { SqliteStore } from '../../src/store/sqlite-store.js';
import type { CollectionRow, NewFace, RetainedImage } from '../../src/store/store.js';

const dist = (path: string): string => new URL(`../../dist/${path}`, import.meta.url).href;
const { openSqliteStore } = (await import(dist('src/store/sqlite-store.js'))) as typeof SqliteStoreModule;
const { MIGRATIONS } = (await import(dist('src/store/migrations.js'))) as typeof MigrationsModule;

function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `facegate-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const tmp = tempDir('snapshots');
let store: SqliteStore;

beforeAll(async () => {
  store = await openSqliteStore(tmp.dir);
});
afterAll(async () => {
  await store.close();
  tmp.remove();
});

/** A distinct, non-trivial descriptor per `i` (every byte matters for the byte-equality checks). */
function descriptor(i: number): Float32Array {
  const d = new Float32Array(128);
  for (let k = 0; k < d.length; k++) d[k] = Math.sin(i * 131 + k) / (k + 1);
  return d;
}

const bytesOf = (d: Float32Array): Buffer => Buffer.from(d.buffer, d.byteOffset, d.byteLength);

const newFace = (i: number, externalImageId: string | null = null): NewFace => ({
  faceId: randomUUID(),
  externalImageId,
  boundingBox: { left: (i % 10) / 10, top: 0.25, width: 0.125, height: 0.5 },
  confidence: 90 + (i % 10),
  descriptor: descriptor(i),
  indexedAt: new Date(1_700_000_000_000 + i),
});

const image = (name: string): RetainedImage => ({
  sha256: Buffer.from(name.padEnd(32, '.')).toString('hex'),
  bytes: new TextEncoder().encode(`image bytes of ${name}`),
});

async function collection(id: string): Promise<CollectionRow> {
  return store.transaction((tx) =>
    tx.insertCollection({ provider: 'local', collectionId: id, faceModelVersion: 'm1', createdAt: new Date() }),
  );
}

function snapshotRecord(overrides: Partial<SnapshotRecord> = {}): SnapshotRecord {
  return {
    id: randomUUID(),
    owner: 'tenant-a',
    source: { provider: 'local', collectionId: 'src' },
    applyScope: [],
    userData: null,
    state: 'TAKING',
    userCount: 0,
    faceCount: 0,
    createdAt: new Date(1_700_000_000_123),
    lastUpdatedAt: new Date(1_700_000_000_123),
    expiresAt: new Date(1_700_604_800_123),
    ...overrides,
  };
}

async function insertSnapshot(overrides: Partial<SnapshotRecord> = {}): Promise<SnapshotRecord> {
  const s = snapshotRecord(overrides);
  await store.transaction((tx) => tx.insertSnapshot(s));
  return s;
}

/**
 * A source collection: 23 users, 41 faces over three images (and some with
 * none); faces 0..29 belong to users round-robin, the rest are unassociated.
 */
async function populatedCollection(id: string): Promise<CollectionRow> {
  const c = await collection(id);
  await store.transaction(async (tx) => {
    const users = [];
    for (let i = 0; i < 23; i++) users.push(await tx.insertUser(c.key, `user-${i}`, new Date(1_700_000_000_000 + i)));
    const images = [image(`${id}-a`), image(`${id}-b`), image(`${id}-c`), null];
    const faces = [];
    for (let i = 0; i < 41; i++) {
      faces.push(...(await tx.insertFaces(c.key, [newFace(i, i % 3 === 0 ? `ext-${i}` : null)], images[i % 4])));
    }
    for (let i = 0; i < 30; i++) {
      const user = users[i % users.length];
      await tx.setFacesUser(c.key, [faces[i].seq], user.seq);
      await tx.refreshUserStatus(user.seq);
    }
  });
  return (await store.getCollection({ provider: 'local', collectionId: id }))!;
}

/** Copies a collection into a snapshot in chunks of `limit`, inside the given tx; returns the chunks. */
async function take(
  tx: Parameters<Parameters<SqliteStore['transaction']>[0]>[0],
  c: CollectionRow,
  snapshotId: string,
  limit: number,
  between: () => Promise<void> = async () => {},
) {
  const chunks: { kind: 'users' | 'faces'; copied: number; lastSeq: number | null }[] = [];
  for (const kind of ['users', 'faces'] as const) {
    for (let after: number | null = null; ; ) {
      const chunk: CopyChunk =
        kind === 'users'
          ? await tx.copyUsersToSnapshot(c.key, snapshotId, after, limit)
          : await tx.copyFacesToSnapshot(c.key, snapshotId, after, limit);
      chunks.push({ kind, ...chunk });
      if (chunk.copied === 0) break;
      after = chunk.lastSeq;
      await between();
    }
  }
  return chunks;
}

async function allPages<T extends { seq: number }>(list: (after: number | null) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let after: number | null = null; ; ) {
    const page = await list(after);
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1].seq;
  }
}

const snapshotUsers = (id: string, limit = 5) => allPages((after) => store.listSnapshotUsers(id, { after, limit }));
const snapshotFaces = (id: string, limit = 5) => allPages((after) => store.listSnapshotFaces(id, { after, limit }));
const sourceUsers = (key: number) => allPages((after) => store.listUsers(key, { after, limit: 100 }));
const sourceFaces = (key: number) => allPages((after) => store.listFacesWithDescriptors(key, {}, { after, limit: 100 }));

/** Counts rows of a snapshot table through a separate read-only connection. */
function countRows(table: 'snapshot_users' | 'snapshot_faces' | 'snapshot_images', snapshotId: string): number {
  const db = new Database(store.file, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE snapshot_id = ?`).get(snapshotId) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Source users and faces as a snapshot should hold them. */
async function expectedContent(key: number) {
  const users = (await sourceUsers(key)).map((u) => ({ seq: u.seq, userId: u.userId, status: u.status }));
  const faces = (await sourceFaces(key)).map((f) => ({
    seq: f.seq,
    faceId: f.faceId,
    userId: f.userId,
    externalImageId: f.externalImageId,
    boundingBox: f.boundingBox,
    confidence: f.confidence,
    descriptor: f.descriptor,
    imageSha256: f.imageSha256,
    indexedAt: f.indexedAt,
  }));
  return { users, faces };
}

describe('snapshot and operation records', () => {
  it('round-trips a snapshot: dates, JSON apply scope, nulls; updates return the new record', async () => {
    const s = await insertSnapshot({ applyScope: ['tenant-b', 'tenant-c'], userData: null });
    expect(await store.getSnapshot(s.id)).toEqual(s);
    const withData = await insertSnapshot({ applyScope: [], userData: '{"note":"ünïcode ✓"}' });
    expect(await store.getSnapshot(withData.id)).toEqual(withData);
    expect(await store.getSnapshot(randomUUID())).toBeNull();

    const at = new Date(1_700_000_100_000);
    const updated = await store.transaction((tx) =>
      tx.updateSnapshot(s.id, { state: 'READY', userCount: 3, faceCount: 7, lastUpdatedAt: at }),
    );
    expect(updated).toEqual({ ...s, state: 'READY', userCount: 3, faceCount: 7, lastUpdatedAt: at });
    expect(await store.getSnapshot(s.id)).toEqual(updated);
    // A partial patch leaves the other fields alone; an empty one just reads.
    expect(await store.transaction((tx) => tx.updateSnapshot(s.id, { state: 'FAILED' }))).toEqual({ ...updated, state: 'FAILED' });
    expect(await store.transaction((tx) => tx.updateSnapshot(s.id, {}))).toEqual({ ...updated, state: 'FAILED' });

    const missing = randomUUID();
    await expect(store.transaction((tx) => tx.updateSnapshot(missing, { state: 'READY' }))).rejects.toThrow(
      `expected snapshot ${missing} to exist, got none`,
    );
    await expect(store.transaction((tx) => tx.updateSnapshot(missing, {}))).rejects.toThrow(/to exist, got none/);
    await expect(store.transaction((tx) => tx.insertSnapshot(s))).rejects.toThrow(/UNIQUE/);
    await expect(
      store.transaction((tx) => tx.insertSnapshot(snapshotRecord({ state: 'BROKEN' as SnapshotRecord['state'] }))),
    ).rejects.toThrow(/CHECK/);
  });

  it('hides a snapshot from committed reads until its transaction commits', async () => {
    const s = snapshotRecord();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let seenInside: SnapshotRecord | null = null;
    const pending = store.transaction(async (tx) => {
      await tx.insertSnapshot(s);
      seenInside = await tx.getSnapshot(s.id);
      await gate;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(await store.getSnapshot(s.id)).toBeNull();
    release();
    await pending;
    expect(seenInside).toEqual(s);
    expect(await store.getSnapshot(s.id)).toEqual(s);
  });

  it('round-trips operations: defaults, target, nulls, patches and lastActionAt', async () => {
    const createdAt = new Date(1_700_000_200_000);
    const take = await store.transaction((tx) =>
      tx.insertOperation({ id: randomUUID(), kind: 'TAKE_SNAPSHOT', owner: 'tenant-a', snapshotId: 'snap-1', target: null, createdAt }),
    );
    expect(take).toEqual({
      id: take.id,
      kind: 'TAKE_SNAPSHOT',
      owner: 'tenant-a',
      status: 'NOT_STARTED',
      percent: 0,
      processedItems: 0,
      totalItems: null,
      snapshotId: 'snap-1',
      target: null,
      message: null,
      createdAt,
      lastActionAt: createdAt,
    } satisfies OperationRecord);
    expect(await store.getOperation(take.id)).toEqual(take);

    const target = { provider: 'local', collectionId: 'restored' };
    const apply = await store.transaction((tx) =>
      tx.insertOperation({ id: randomUUID(), kind: 'APPLY_SNAPSHOT', owner: 'tenant-b', snapshotId: null, target, createdAt }),
    );
    expect(apply.target).toEqual(target);
    expect(apply.snapshotId).toBeNull();

    const t1 = new Date(1_700_000_201_000);
    const running = await store.transaction((tx) =>
      tx.updateOperation(take.id, { status: 'RUNNING', percent: 12.5, processedItems: 5, totalItems: 40 }, t1),
    );
    expect(running).toEqual({ ...take, status: 'RUNNING', percent: 12.5, processedItems: 5, totalItems: 40, lastActionAt: t1 });
    expect(await store.getOperation(take.id)).toEqual(running);

    // Only lastActionAt moves with an empty patch; null clears; target can be set and cleared.
    const t2 = new Date(1_700_000_202_000);
    expect(await store.transaction((tx) => tx.updateOperation(take.id, {}, t2))).toEqual({ ...running, lastActionAt: t2 });
    const t3 = new Date(1_700_000_203_000);
    const failed = await store.transaction((tx) =>
      tx.updateOperation(take.id, { status: 'FAILED', totalItems: null, message: 'source deleted', target }, t3),
    );
    expect(failed).toEqual({ ...running, status: 'FAILED', totalItems: null, message: 'source deleted', target, lastActionAt: t3 });
    const cleared = await store.transaction((tx) => tx.updateOperation(take.id, { target: null, message: null }, t3));
    expect(cleared).toEqual({ ...failed, target: null, message: null });

    const missing = randomUUID();
    await expect(store.transaction((tx) => tx.updateOperation(missing, { percent: 1 }, t3))).rejects.toThrow(
      `expected operation ${missing} to exist, got none`,
    );
    expect(await store.getOperation(missing)).toBeNull();
  });

  it('lists operations by status in creation order, across statement pages', async () => {
    const { dir, remove } = tempDir('ops');
    const own = await openSqliteStore(dir);
    try {
      const ids: string[] = [];
      await own.transaction(async (tx) => {
        for (let i = 0; i < 1203; i++) {
          const op = await tx.insertOperation({
            id: `op-${i}`,
            kind: i % 2 ? 'TAKE_SNAPSHOT' : 'APPLY_SNAPSHOT',
            owner: 't',
            snapshotId: null,
            target: null,
            createdAt: new Date(),
          });
          ids.push(op.id);
          const status = (['NOT_STARTED', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const)[i % 4];
          if (status !== 'NOT_STARTED') await tx.updateOperation(op.id, { status }, new Date());
        }
      });
      const live = await own.listOperationsByStatus(['NOT_STARTED', 'RUNNING']);
      expect(live.map((o) => o.id)).toEqual(ids.filter((_, i) => i % 4 < 2));
      expect(live.every((o) => o.status === 'NOT_STARTED' || o.status === 'RUNNING')).toBe(true);
      expect((await own.listOperationsByStatus(['FAILED'])).map((o) => o.id)).toEqual(ids.filter((_, i) => i % 4 === 3));
      expect(await own.listOperationsByStatus([])).toEqual([]);
      // Statement pages are bounded: 602 live rows take two pages of 500 (the second one short).
      const before = own.stats.statements;
      await own.listOperationsByStatus(['NOT_STARTED', 'RUNNING', 'RUNNING']);
      expect(own.stats.statements - before).toBe(2);
    } finally {
      await own.close();
      remove();
    }
  });
});

describe('copying a collection into a snapshot', () => {
  it('copies users and faces in chunks, in source order, descriptors byte-equal', async () => {
    const c = await populatedCollection('copy-src');
    const s = await insertSnapshot({ source: { provider: 'local', collectionId: 'copy-src' } });
    const chunks = await store.transaction((tx) => take(tx, c, s.id, 7));

    const expected = await expectedContent(c.key);
    const userChunks = chunks.filter((ch) => ch.kind === 'users');
    const faceChunks = chunks.filter((ch) => ch.kind === 'faces');
    // 23 users: 7+7+7+2 then an empty chunk; 41 faces: 5×7+6 then an empty chunk.
    expect(userChunks.map((ch) => ch.copied)).toEqual([7, 7, 7, 2, 0]);
    expect(faceChunks.map((ch) => ch.copied)).toEqual([7, 7, 7, 7, 7, 6, 0]);
    expect(userChunks.map((ch) => ch.lastSeq)).toEqual([
      expected.users[6].seq,
      expected.users[13].seq,
      expected.users[20].seq,
      expected.users[22].seq,
      null,
    ]);
    expect(faceChunks.at(-2)?.lastSeq).toBe(expected.faces[40].seq);

    const users = await snapshotUsers(s.id);
    const faces = await snapshotFaces(s.id, 4);
    expect(users).toEqual(expected.users);
    expect(faces).toEqual(expected.faces);
    expect(users.filter((u) => u.status === 'ACTIVE')).toHaveLength(23);
    expect(faces.filter((f) => f.userId !== null)).toHaveLength(30);
    for (let i = 0; i < faces.length; i++) {
      expect(bytesOf(faces[i].descriptor).equals(bytesOf(expected.faces[i].descriptor))).toBe(true);
    }
    // And the stored BLOBs themselves are identical, byte for byte.
    const db = new Database(store.file, { readonly: true });
    try {
      const mismatched = db
        .prepare(
          `SELECT COUNT(*) AS n FROM snapshot_faces sf JOIN faces f ON f.seq = sf.seq
           WHERE sf.snapshot_id = ? AND (f.descriptor <> sf.descriptor OR f.face_id <> sf.face_id)`,
        )
        .get(s.id) as { n: number };
      expect(mismatched.n).toBe(0);
    } finally {
      db.close();
    }
  });

  it('copies each image once per snapshot and keeps it after the source faces and collection are gone', async () => {
    const c = await populatedCollection('img-src');
    const s1 = await insertSnapshot();
    const s2 = await insertSnapshot();
    await store.transaction(async (tx) => {
      await take(tx, c, s1.id, 3); // each image is met by many chunks
      await take(tx, c, s2.id, 100);
    });
    const images = [image('img-src-a'), image('img-src-b'), image('img-src-c')];
    for (const s of [s1, s2]) {
      expect(countRows('snapshot_images', s.id)).toBe(3);
      for (const img of images) expect(await store.getSnapshotImage(s.id, img.sha256)).toEqual(img.bytes);
    }
    expect(await store.getSnapshotImage(s1.id, 'f'.repeat(64))).toBeNull();
    expect(await store.getSnapshotImage(randomUUID(), images[0].sha256)).toBeNull();
    const before = await snapshotFaces(s1.id);

    // Delete the source: some faces first, then the whole collection.
    const sourceFaceSeqs = (await sourceFaces(c.key)).map((f) => f.seq);
    await store.transaction((tx) => tx.deleteFaces(c.key, sourceFaceSeqs.slice(0, 20)));
    await store.transaction((tx) => tx.deleteCollection(c.key));
    for (const img of images) expect(await store.getImage(img.sha256)).toBeNull();

    for (const s of [s1, s2]) {
      for (const img of images) expect(await store.getSnapshotImage(s.id, img.sha256)).toEqual(img.bytes);
    }
    expect(await snapshotFaces(s1.id)).toEqual(before);
    expect(await snapshotUsers(s1.id)).toHaveLength(23);
    // Every face's image is in its snapshot.
    for (const f of before) {
      if (f.imageSha256 !== null) expect(await store.getSnapshotImage(s1.id, f.imageSha256)).not.toBeNull();
    }
  });

  it('a take in one transaction copies one consistent state: writes wait until it commits', async () => {
    const c = await populatedCollection('consistent-src');
    const expected = await expectedContent(c.key);
    const s = await insertSnapshot();
    const trace: string[] = [];
    let firstChunkCopied!: () => void;
    const firstChunk = new Promise<void>((r) => (firstChunkCopied = r));
    let writerQueued!: () => void;
    const queued = new Promise<void>((r) => (writerQueued = r));

    const taking = store.transaction(async (tx) => {
      trace.push('take:start');
      let first = true;
      await take(tx, c, s.id, 4, async () => {
        if (first) {
          first = false;
          firstChunkCopied();
          await queued;
        }
        await new Promise((r) => setTimeout(r, 2));
      });
      trace.push('take:end');
    });
    // From outside the take's async context (a transaction started inside it
    // would be refused as nested): change the source between two chunks.
    await firstChunk;
    const writer = store.transaction(async (w) => {
      trace.push('write:start');
      const [first] = await w.listFaces(c.key, {}, { after: null, limit: 1 });
      await w.deleteFaces(c.key, [first.seq]);
      const u = await w.insertUser(c.key, 'late-user', new Date());
      const [late] = await w.insertFaces(c.key, [newFace(999)], image('late'));
      await w.setFacesUser(c.key, [late.seq], u.seq);
    });
    const seenDuringTake = (await store.listSnapshotUsers(s.id, { after: null, limit: 100 })).length;
    writerQueued();
    await Promise.all([taking, writer]);

    expect(trace).toEqual(['take:start', 'take:end', 'write:start']);
    // Committed reads saw none of the take while it ran.
    expect(seenDuringTake).toBe(0);
    expect(await snapshotUsers(s.id)).toEqual(expected.users);
    expect(await snapshotFaces(s.id)).toEqual(expected.faces);
    expect(await store.getSnapshotImage(s.id, image('late').sha256)).toBeNull();
    // The write did land, after the take.
    const after = await expectedContent(c.key);
    expect(after.users.map((u) => u.userId)).toContain('late-user');
    expect(after.faces).toHaveLength(expected.faces.length);
    expect(after.faces[0].faceId).not.toBe(expected.faces[0].faceId);
  });

  it('restarts a take after clearSnapshotContent, keeping the record', async () => {
    const c = await populatedCollection('restart-src');
    const s = await insertSnapshot();
    await store.transaction((tx) => take(tx, c, s.id, 10));
    // Copying the same rows again without clearing is a caller bug the primary key catches.
    await expect(store.transaction((tx) => tx.copyUsersToSnapshot(c.key, s.id, null, 10))).rejects.toThrow(/UNIQUE|PRIMARY KEY/);

    await store.transaction((tx) => tx.clearSnapshotContent(s.id));
    expect(await store.getSnapshot(s.id)).toEqual(s);
    expect(countRows('snapshot_users', s.id) + countRows('snapshot_faces', s.id) + countRows('snapshot_images', s.id)).toBe(0);

    await store.transaction((tx) => take(tx, c, s.id, 10));
    const expected = await expectedContent(c.key);
    expect(await snapshotUsers(s.id)).toEqual(expected.users);
    expect(await snapshotFaces(s.id)).toEqual(expected.faces);
  });

  it('refuses unbounded chunks and copies into a snapshot that does not exist', async () => {
    const c = await populatedCollection('refuse-src');
    const s = await insertSnapshot();
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await expect(store.transaction((tx) => tx.copyFacesToSnapshot(c.key, s.id, null, limit))).rejects.toThrow(
        `expected a positive integer limit, got ${limit}`,
      );
    }
    await expect(store.transaction((tx) => tx.copyUsersToSnapshot(c.key, 'no-such-snapshot', null, 10))).rejects.toThrow(
      /FOREIGN KEY/,
    );
    // An empty or missing source copies nothing.
    const empty = await collection('empty-src');
    expect(await store.transaction((tx) => tx.copyFacesToSnapshot(empty.key, s.id, null, 10))).toEqual({ copied: 0, lastSeq: null });
    expect(await store.transaction((tx) => tx.copyUsersToSnapshot(987654, s.id, null, 10))).toEqual({ copied: 0, lastSeq: null });
  });
});

describe('listing and deleting snapshots', () => {
  it('shows a tenant its own snapshots and those whose apply scope names it, in creation order', async () => {
    const { dir, remove } = tempDir('visibility');
    const own = await openSqliteStore(dir);
    try {
      const make = async (owner: string, applyScope: string[]) => {
        const s = snapshotRecord({ owner, applyScope });
        await own.transaction((tx) => tx.insertSnapshot(s));
        return s;
      };
      const a1 = await make('A', ['B', 'C']);
      const b1 = await make('B', []);
      const c1 = await make('C', ['A', 'A', 'C']); // duplicates and the owner itself are harmless
      const a2 = await make('A', []);
      const b2 = await make('B', ['D']);

      const visible = async (tenant: string, limit = 10) => {
        const ids: string[] = [];
        for (let after: number | null = null; ; ) {
          const page = await own.listSnapshots(tenant, { after, limit });
          if (page.length === 0) return ids;
          ids.push(...page.map((p) => p.snapshot.id));
          after = page[page.length - 1].seq;
        }
      };
      expect(await visible('A')).toEqual([a1.id, c1.id, a2.id]);
      expect(await visible('A', 1)).toEqual([a1.id, c1.id, a2.id]);
      expect(await visible('B')).toEqual([a1.id, b1.id, b2.id]);
      expect(await visible('C', 2)).toEqual([a1.id, c1.id]);
      expect(await visible('D')).toEqual([b2.id]);
      expect(await visible('E')).toEqual([]);
      // Records come back whole, apply scope as stored.
      const [first] = await own.listSnapshots('C', { after: null, limit: 1 });
      expect(first.snapshot).toEqual(a1);
      const [, second] = await own.listSnapshots('C', { after: null, limit: 2 });
      expect(second.snapshot.applyScope).toEqual(['A', 'A', 'C']);

      await own.transaction((tx) => tx.deleteSnapshot(a1.id));
      expect(await visible('B')).toEqual([b1.id, b2.id]);
      expect(await visible('C')).toEqual([c1.id]);
    } finally {
      await own.close();
      remove();
    }
  });

  it('deleteSnapshot removes the record and all content, leaves other snapshots and operations', async () => {
    const c = await populatedCollection('delete-src');
    const doomed = await insertSnapshot({ owner: 'del', applyScope: ['other'] });
    const kept = await insertSnapshot({ owner: 'del' });
    const op = await store.transaction(async (tx) => {
      await take(tx, c, doomed.id, 9);
      await take(tx, c, kept.id, 9);
      return tx.insertOperation({ id: randomUUID(), kind: 'TAKE_SNAPSHOT', owner: 'del', snapshotId: doomed.id, target: null, createdAt: new Date() });
    });
    expect(countRows('snapshot_faces', doomed.id)).toBe(41);

    expect(await store.transaction((tx) => tx.deleteSnapshot(doomed.id))).toBe(true);
    expect(await store.getSnapshot(doomed.id)).toBeNull();
    expect(countRows('snapshot_users', doomed.id)).toBe(0);
    expect(countRows('snapshot_faces', doomed.id)).toBe(0);
    expect(countRows('snapshot_images', doomed.id)).toBe(0);
    expect(await store.listSnapshotFaces(doomed.id, { after: null, limit: 10 })).toEqual([]);
    expect(await store.getSnapshotImage(doomed.id, image('delete-src-a').sha256)).toBeNull();
    expect((await store.listSnapshots('other', { after: null, limit: 10 })).map((p) => p.snapshot.id)).not.toContain(doomed.id);
    expect(await store.transaction((tx) => tx.deleteSnapshot(doomed.id))).toBe(false);

    // The operation outlives its snapshot; the other snapshot is untouched.
    expect(await store.getOperation(op.id)).toEqual(op);
    expect(await snapshotFaces(kept.id)).toEqual((await expectedContent(c.key)).faces);
    expect(await store.getSnapshotImage(kept.id, image('delete-src-a').sha256)).not.toBeNull();
  });
});

describe('migration to version 2', () => {
  const versions = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT version FROM schema_version ORDER BY version').all();
    } finally {
      db.close();
    }
  };

  it('is applied once: reopening keeps snapshots and operations', async () => {
    const { dir, remove } = tempDir('reopen-v2');
    try {
      const first = await openSqliteStore(dir);
      const s = snapshotRecord({ applyScope: ['x'] });
      const op = await first.transaction(async (tx) => {
        await tx.insertSnapshot(s);
        return tx.insertOperation({ id: 'op', kind: 'TRAIN_COLLECTION', owner: 'a', snapshotId: null, target: null, createdAt: new Date() });
      });
      await first.close();
      const second = await openSqliteStore(dir);
      expect(await second.getSnapshot(s.id)).toEqual(s);
      expect(await second.getOperation('op')).toEqual(op);
      expect((await second.listSnapshots('x', { after: null, limit: 5 }))[0].snapshot).toEqual(s);
      await second.close();
      expect(versions(`${dir}/facegate.db`)).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    } finally {
      remove();
    }
  });

  it('upgrades a version-1 database in place, keeping its data', async () => {
    const { dir, remove } = tempDir('upgrade-v1');
    try {
      // A database as a version-1 facegate left it: the v1 DDL and one face with an image.
      mkdirSync(dir, { recursive: true });
      const file = `${dir}/facegate.db`;
      const v1 = new Database(file);
      v1.pragma('journal_mode = WAL');
      v1.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)');
      const [migration1] = MIGRATIONS.filter((m) => m.version === 1);
      for (const statement of migration1.statements) v1.exec(statement);
      v1.prepare('INSERT INTO schema_version VALUES (1, ?, 0)').run(migration1.description);
      v1.prepare("INSERT INTO collections (provider, collection_id, created_at, face_count, user_count) VALUES ('local', 'old', 0, 1, 1)").run();
      v1.prepare("INSERT INTO users (collection_key, user_id, status, created_at) VALUES (1, 'old-user', 'ACTIVE', 0)").run();
      v1.prepare("INSERT INTO images (sha256, bytes, created_at) VALUES ('aa', x'010203', 0)").run();
      v1.prepare(
        `INSERT INTO faces (face_id, collection_key, user_seq, external_image_id, bbox_left, bbox_top, bbox_width, bbox_height,
           confidence, descriptor, image_sha256, indexed_at) VALUES ('old-face', 1, 1, NULL, 0, 0, 1, 1, 99, ?, 'aa', 5)`,
      ).run(bytesOf(descriptor(7)));
      expect(v1.prepare("SELECT name FROM sqlite_master WHERE name = 'snapshots'").all()).toEqual([]);
      v1.close();

      const upgraded = await openSqliteStore(dir);
      try {
        expect(versions(file)).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
        const c = (await upgraded.getCollection({ provider: 'local', collectionId: 'old' }))!;
        expect(c.faceCount).toBe(1);
        // The old data can be snapshotted right away.
        const s = snapshotRecord({ source: { provider: 'local', collectionId: 'old' } });
        await upgraded.transaction(async (tx) => {
          await tx.insertSnapshot(s);
          await tx.copyUsersToSnapshot(c.key, s.id, null, 10);
          await tx.copyFacesToSnapshot(c.key, s.id, null, 10);
        });
        expect(await upgraded.listSnapshotUsers(s.id, { after: null, limit: 10 })).toEqual([{ seq: 1, userId: 'old-user', status: 'ACTIVE' }]);
        const [f] = await upgraded.listSnapshotFaces(s.id, { after: null, limit: 10 });
        expect(f).toMatchObject({ faceId: 'old-face', userId: 'old-user', imageSha256: 'aa', indexedAt: new Date(5) });
        expect(bytesOf(f.descriptor).equals(bytesOf(descriptor(7)))).toBe(true);
        expect(await upgraded.getSnapshotImage(s.id, 'aa')).toEqual(new Uint8Array([1, 2, 3]));
      } finally {
        await upgraded.close();
      }
    } finally {
      remove();
    }
  });
});
