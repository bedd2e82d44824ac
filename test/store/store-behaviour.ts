/**
 * The behaviour every store backend shares, registered once per backend by
 * its test file (sqlite-store.test.ts, postgres-store.test.ts) through a
 * small StoreHarness: migrations (idempotent reopen, refusing newer schemas,
 * version 2 keeping snapshots), transactions (isolation, rollback,
 * afterCommit, refusals), bounded batch lookups, faces and image retention,
 * idempotency records, snapshot and operation records, chunked copies into
 * snapshots (order, byte-equal content, images once per snapshot, one
 * consistent state per take), visibility by owner and apply scope, deletion.
 * Checks only one backend has live in that backend's file.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OperationRecord, SnapshotRecord } from '../../src/domain/operation-records.js';
import type * as MigrationsModule from '../../src/store/sql/migrations.js';
import type { CopyChunk } from '../../src/store/snapshot-store.js';
import type { StoreStats } from '../../src/store/sql/runner.js';
import type { CollectionRow, NewFace, RetainedImage, Store, StoreTx } from '../../src/store/store.js';
import { until } from '../support/wait.js';

const distUrl = (path: string): string => new URL(`../../dist/${path}`, import.meta.url).href;
export const { MIGRATIONS } = (await import(distUrl('src/store/sql/migrations.js'))) as typeof MigrationsModule;

/** A store as the suite drives it: the Store contract plus its statement counter. */
export type BehaviourStore = Store & { readonly stats: StoreStats };

/** A constraint a write can violate; each backend reports it its own way. */
export type Violation = 'unique' | 'check' | 'foreignKey';

/**
 * What the suite needs from a backend. A location is where one store keeps
 * its data (a directory for SQLite, a schema for PostgreSQL): stores opened
 * on one location share data, stores on two locations are isolated.
 */
export interface StoreHarness {
  /** Shown in skip messages: 'SQLite', 'PostgreSQL'. */
  readonly backend: string;
  /** False when the backend cannot run here (PostgreSQL unreachable outside CI): the suite skips. */
  readonly available: boolean;
  /**
   * 'replicas': several stores may write to one location at once (the
   * consistency check then writes from a second store, not a queued
   * transaction of the same one).
   */
  readonly capabilities: ReadonlySet<'replicas'>;
  /** What a rejected write's error matches for each violated constraint (toThrow for a RegExp, toMatchObject otherwise). */
  readonly violation: Record<Violation, RegExp | Record<string, unknown>>;
  /** A fresh, empty location. */
  location(): string;
  /** Opens (creating and migrating as needed) a store on `location`; `cleanup` closes it. */
  open(location: string): Promise<BehaviourStore>;
  /** Runs `sql` (unqualified table names, `$1`-style parameters) on a separate connection to `location`. */
  query(location: string, sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * With 'replicas': how many sessions on `location` wait for a lock another
   * one holds (the server's view), so a test can wait until a write is blocked.
   */
  lockWaiters?(location: string): Promise<number>;
}

/** A distinct, non-trivial descriptor per `i` (every byte matters for the byte-equality checks). */
export function descriptor(i: number): Float32Array {
  const d = new Float32Array(128);
  for (let k = 0; k < d.length; k++) d[k] = Math.sin(i * 131 + k) / (k + 1);
  return d;
}

export const bytesOf = (d: Float32Array): Buffer => Buffer.from(d.buffer, d.byteOffset, d.byteLength);

export const newFace = (i: number, externalImageId: string | null = null): NewFace => ({
  faceId: randomUUID(),
  externalImageId,
  boundingBox: { left: (i % 10) / 10, top: 0.25, width: 0.125, height: 0.5 },
  confidence: 90 + (i % 10) + 0.1,
  descriptor: descriptor(i),
  indexedAt: new Date(1_700_000_000_000 + i),
});

export const image = (name: string): RetainedImage => ({
  sha256: Buffer.from(name.padEnd(32, '.')).toString('hex'),
  bytes: new TextEncoder().encode(`image bytes of ${name}`),
});

export async function collection(on: Store, id: string, provider = 'local'): Promise<CollectionRow> {
  return on.transaction((tx) => tx.insertCollection({ provider, collectionId: id, faceModelVersion: 'm1', createdAt: new Date() }));
}

export function snapshotRecord(overrides: Partial<SnapshotRecord> = {}): SnapshotRecord {
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

/** Resolves after `ms`. */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Copies a collection into a snapshot in chunks of `limit`, inside the given tx; returns the chunks. */
async function take(tx: StoreTx, c: CollectionRow, snapshotId: string, limit: number, between: () => Promise<void> = async () => {}) {
  const chunks: { kind: 'users' | 'faces'; copied: number; lastSeq: number | null }[] = [];
  for (const kind of ['users', 'faces'] as const) {
    for (let after: number | null = null; ;) {
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
  for (let after: number | null = null; ;) {
    const page = await list(after);
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1].seq;
  }
}

/** Registers the shared describe/it blocks on the backend `h` drives. */
export function storeBehaviour(h: StoreHarness): void {
  let main: string;
  let store: BehaviourStore;
  beforeAll(async () => {
    if (!h.available) return;
    main = h.location();
    store = await h.open(main);
  });

  const expectViolation = async (write: Promise<unknown>, kind: Violation) => {
    const matcher = h.violation[kind];
    if (matcher instanceof RegExp) await expect(write).rejects.toThrow(matcher);
    else await expect(write).rejects.toMatchObject(matcher);
  };
  const count = async (sql: string, params: unknown[] = [], location = main) => Number((await h.query(location, sql, params))[0].n);
  const countSnapshotRows = (table: 'snapshot_users' | 'snapshot_faces' | 'snapshot_images', snapshotId: string) =>
    count(`SELECT COUNT(*) AS n FROM ${table} WHERE snapshot_id = $1`, [snapshotId]);
  const versions = async (location: string) =>
    (await h.query(location, 'SELECT version FROM schema_version ORDER BY version')).map((r) => Number(r.version));
  const allVersions = () => MIGRATIONS.map((m) => m.version);

  async function insertSnapshot(overrides: Partial<SnapshotRecord> = {}, on: Store = store): Promise<SnapshotRecord> {
    const s = snapshotRecord(overrides);
    await on.transaction((tx) => tx.insertSnapshot(s));
    return s;
  }

  /** 23 users, 41 faces over three images (and some with none); faces 0..29 belong to users round-robin. */
  async function populatedCollection(id: string): Promise<CollectionRow> {
    const c = await collection(store, id);
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

  const snapshotUsers = (id: string, limit = 5) => allPages((after) => store.listSnapshotUsers(id, { after, limit }));
  const snapshotFaces = (id: string, limit = 5) => allPages((after) => store.listSnapshotFaces(id, { after, limit }));
  const sourceUsers = (key: number) => allPages((after) => store.listUsers(key, { after, limit: 100 }));
  const sourceFaces = (key: number) => allPages((after) => store.listFacesWithDescriptors(key, {}, { after, limit: 100 }));

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

  describe.skipIf(!h.available)('opening', () => {
    it('records every migration and reopens idempotently, keeping data; locations isolate stores', async () => {
      const loc = h.location();
      const first = await h.open(loc);
      await collection(first, 'kept', 'p');
      await first.close();
      const second = await h.open(loc);
      expect((await second.getCollection({ provider: 'p', collectionId: 'kept' }))?.collectionId).toBe('kept');
      await second.close();
      expect(await versions(loc)).toEqual(allVersions());
      expect(await versions(main)).toEqual(allVersions());
      // The main store does not see the other location's collection.
      expect(await store.getCollection({ provider: 'p', collectionId: 'kept' })).toBeNull();
    });

    it('refuses a database written by a newer schema', async () => {
      const loc = h.location();
      await (await h.open(loc)).close();
      await h.query(loc, 'INSERT INTO schema_version (version, description, applied_at) VALUES (99, $1, 0)', ['future']);
      await expect(h.open(loc)).rejects.toThrow(new RegExp(`expected schema version ≤ ${MIGRATIONS.length}, got 99`));
    });

    it('applies version 2 once: reopening keeps snapshots and operations', async () => {
      const loc = h.location();
      const first = await h.open(loc);
      const s = snapshotRecord({ applyScope: ['x'] });
      const op = await first.transaction(async (tx) => {
        await tx.insertSnapshot(s);
        return tx.insertOperation({
          id: 'op',
          kind: 'TRAIN_COLLECTION',
          owner: 'a',
          snapshotId: null,
          target: null,
          createdAt: new Date(),
        });
      });
      await first.close();
      const second = await h.open(loc);
      expect(await second.getSnapshot(s.id)).toEqual(s);
      expect(await second.getOperation('op')).toEqual(op);
      expect((await second.listSnapshots('x', { after: null, limit: 5 }))[0].snapshot).toEqual(s);
      await second.close();
      expect(await versions(loc)).toEqual(allVersions());
    });
  });

  describe.skipIf(!h.available)('transactions', () => {
    it('hides uncommitted writes from store reads, shows them to the tx', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let written!: () => void;
      const inserted = new Promise<void>((r) => (written = r));
      let seenInside: unknown;
      const pending = store.transaction(async (tx) => {
        await tx.insertCollection({ provider: 'local', collectionId: 'uncommitted', faceModelVersion: null, createdAt: new Date() });
        seenInside = await tx.getCollection({ provider: 'local', collectionId: 'uncommitted' });
        written();
        await gate;
      });
      await inserted; // the write is done and not committed: the gate holds the transaction open
      expect(await store.getCollection({ provider: 'local', collectionId: 'uncommitted' })).toBeNull();
      release();
      await pending;
      expect(seenInside).not.toBeNull();
      expect(await store.getCollection({ provider: 'local', collectionId: 'uncommitted' })).not.toBeNull();
    });

    it('rolls back everything when the callback throws, and skips afterCommit hooks', async () => {
      let hookRan = false;
      await expect(
        store.transaction(async (tx) => {
          await tx.insertCollection({ provider: 'local', collectionId: 'rolled-back', faceModelVersion: null, createdAt: new Date() });
          tx.afterCommit(() => (hookRan = true));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(hookRan).toBe(false);
      expect(await store.getCollection({ provider: 'local', collectionId: 'rolled-back' })).toBeNull();
      // The store writes again.
      await collection(store, 'after-rollback');
    });

    it('runs afterCommit hooks after COMMIT, in commit order for one collection', async () => {
      const c = await collection(store, 'hooks');
      const ref = { provider: 'local', collectionId: 'hooks' };
      const starts: string[] = [];
      const hooks: string[] = [];
      const seenByHooks: Promise<number | undefined>[] = [];
      await Promise.all(
        ['v', 'w', 'x', 'y', 'z'].map((n) =>
          store.transaction(async (tx) => {
            await tx.getCollection(ref); // locks the collection where the backend locks rows
            starts.push(n);
            await tx.insertUser(c.key, `user-${n}`, new Date());
            // Injected latency, not a wait for the code under test: it keeps each transaction open while the
            // others queue behind its lock, so commit order is a real interleaving to check.
            await sleep(5);
            tx.afterCommit(() => {
              hooks.push(n);
              // A committed read, started by the hook, already sees the commit.
              seenByHooks.push(store.getUser(c.key, `user-${n}`).then((u) => u?.seq));
            });
          }),
        ),
      );
      expect(hooks).toEqual(starts);
      expect(hooks).toHaveLength(5);
      expect((await Promise.all(seenByHooks)).every((seq) => typeof seq === 'number')).toBe(true);
    });

    it('refuses nested transactions and use of a tx after its transaction', async () => {
      await expect(store.transaction(async () => store.transaction(async () => 1))).rejects.toThrow(/nested/);
      let leaked!: StoreTx;
      await store.transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked.getCollection({ provider: 'local', collectionId: 'x' })).rejects.toThrow(/after commit or rollback/);
      expect(() => leaked.afterCommit(() => {})).toThrow(/finished one/);
    });
  });

  describe.skipIf(!h.available)('batch lookups', () => {
    it('answer in one statement per 500 ids, collection check included', async () => {
      const c = await collection(store, 'batch');
      await store.transaction(async (tx) => {
        for (let i = 0; i < 600; i++) await tx.insertUser(c.key, `u${i}`, new Date());
      });
      const ref = { provider: 'local', collectionId: 'batch' };
      const ids = Array.from({ length: 300 }, (_, i) => `u${i * 2}`);

      let before = store.stats.statements;
      const users = await store.findUsers(ref, ids);
      expect(store.stats.statements - before).toBe(1);
      expect(users).toHaveLength(300);

      before = store.stats.statements;
      expect(await store.findUsers({ provider: 'local', collectionId: 'missing' }, ids)).toBeNull();
      expect(store.stats.statements - before).toBe(1);

      before = store.stats.statements;
      const counts = await store.countUserFaces(ref, [...ids, 'nobody']);
      expect(store.stats.statements - before).toBe(1);
      expect(counts?.get('u0')).toBe(0);
      expect(counts?.has('nobody')).toBe(false);

      const many = Array.from({ length: 1200 }, (_, i) => `u${i}`);
      before = store.stats.statements;
      expect(await store.findUsers(ref, many)).toHaveLength(600);
      expect(store.stats.statements - before).toBe(3);

      before = store.stats.statements;
      expect(await store.findUserFaces(ref, many)).toEqual([]);
      expect(store.stats.statements - before).toBe(3);

      before = store.stats.statements;
      expect(await store.getCollections('local', ['batch', 'missing', 'a'])).toHaveLength(1);
      expect(store.stats.statements - before).toBe(1);

      expect((await store.getCollection(ref))?.userCount).toBe(600);
    });

    it('never mixes providers: the same collection id is separate per provider', async () => {
      await collection(store, 'shared-id', 'local-a');
      await collection(store, 'shared-id', 'local-b');
      const a = await store.getCollection({ provider: 'local-a', collectionId: 'shared-id' });
      const b = await store.getCollection({ provider: 'local-b', collectionId: 'shared-id' });
      expect(a?.key).not.toBe(b?.key);
      expect(await store.getCollections('local-a', ['shared-id'])).toHaveLength(1);
    });

    it('lists only the collections matching a grant’s patterns, in the query: case-sensitive, other characters literal', async () => {
      const ids = ['g-one', 'G-two', 'g_x', 'gAx', 'g%y', 'h-one', 'g-[z]', 'g-?'];
      for (const id of ids) await collection(store, id, 'globs');
      const list = async (patterns?: string[]) =>
        (await store.listCollections('globs', { after: null, limit: 100 }, patterns)).map((r) => r.collectionId);
      expect(await list()).toEqual(ids);
      expect(await list(['*'])).toEqual(ids);
      expect(await list([])).toEqual([]);
      expect(await list(['g-*'])).toEqual(['g-one', 'g-[z]', 'g-?']);
      expect(await list(['g_*'])).toEqual(['g_x']);
      expect(await list(['g%*'])).toEqual(['g%y']);
      expect(await list(['g-[z]', 'g-?'])).toEqual(['g-[z]', 'g-?']);
      expect(await list(['G-*', 'h-one'])).toEqual(['G-two', 'h-one']);
      // Full pages: the limit counts matching rows only.
      expect((await store.listCollections('globs', { after: null, limit: 2 }, ['g*'])).map((r) => r.collectionId)).toEqual([
        'g-one',
        'g_x',
      ]);
    });
  });

  describe.skipIf(!h.available)('faces and images', () => {
    it('round-trips rows exactly (numbers, dates, nulls, descriptors) and keyset-paginates in index order', async () => {
      const c = await collection(store, 'faces');
      expect(typeof c.key).toBe('number');
      const inserted = await store.transaction((tx) => tx.insertFaces(c.key, [newFace(1, 'ext-1'), newFace(2), newFace(3)], null));
      // Lookup by id promises no order: compare in index order.
      const withDescriptors = (
        await store.getFacesWithDescriptors(
          c.key,
          inserted.map((f) => f.faceId),
        )
      ).sort((a, b) => a.seq - b.seq);
      expect(withDescriptors.map(({ descriptor: d, ...row }) => ({ row, bytes: bytesOf(d).toString('hex') }))).toEqual(
        inserted.map((row, i) => ({ row, bytes: bytesOf(descriptor(i + 1)).toString('hex') })),
      );
      const page1 = await store.listFaces(c.key, {}, { after: null, limit: 2 });
      const page2 = await store.listFaces(c.key, {}, { after: page1[1].seq, limit: 2 });
      expect([...page1, ...page2]).toEqual(inserted);
      expect(await store.getCollection({ provider: 'local', collectionId: 'faces' })).toEqual({ ...c, faceCount: 3 });
      expect(await store.findFacesFromImage(c.key, 'none', null)).toEqual([]);
    });

    it('lists faces by user, associated and unassociated', async () => {
      const c = await collection(store, 'filters');
      const faces = await store.transaction((tx) => tx.insertFaces(c.key, [newFace(1), newFace(2), newFace(3)], null));
      await store.transaction(async (tx) => {
        const u = await tx.insertUser(c.key, 'u', new Date());
        await tx.setFacesUser(c.key, [faces[1].seq], u.seq);
        await tx.refreshUserStatus(u.seq);
      });
      const page = { after: null, limit: 10 };
      expect((await store.listFaces(c.key, { userId: 'u' }, page)).map((f) => f.faceId)).toEqual([faces[1].faceId]);
      expect((await store.listFaces(c.key, { associated: true }, page)).map((f) => f.userId)).toEqual(['u']);
      expect((await store.listFaces(c.key, { unassociated: true }, page)).map((f) => f.faceId)).toEqual([faces[0].faceId, faces[2].faceId]);
      expect(await store.listFaces(c.key, { userId: 'nobody' }, page)).toEqual([]);
      expect((await store.listFacesWithDescriptors(c.key, { userId: 'u' }, page))[0].descriptor).toEqual(descriptor(2));
      const u = (await store.findUsers({ provider: 'local', collectionId: 'filters' }, ['u']))![0];
      expect(u.status).toBe('ACTIVE');
      expect((await store.getUserFaces(u.seq)).map((f) => f.faceId)).toEqual([faces[1].faceId]);
      expect((await store.countUserFaces({ provider: 'local', collectionId: 'filters' }, ['u']))?.get('u')).toBe(1);
    });

    it('keeps an image while any face references it, deletes it with the last one; finds earlier faces of an image', async () => {
      const c1 = await collection(store, 'img-1');
      const c2 = await collection(store, 'img-2');
      const img = { sha256: 'ab'.repeat(32), bytes: new Uint8Array([1, 2, 3]) };
      const [f1, f2] = await store.transaction((tx) => tx.insertFaces(c1.key, [newFace(1, 'e'), newFace(2, 'e')], img));
      await store.transaction((tx) => tx.insertFaces(c2.key, [newFace(3)], img));
      expect((await store.findFacesFromImage(c1.key, img.sha256, 'e')).map((f) => f.faceId)).toEqual([f1.faceId, f2.faceId]);
      expect(await store.findFacesFromImage(c1.key, img.sha256, null)).toEqual([]);
      expect(await store.findFacesFromImage(c2.key, img.sha256, null)).toHaveLength(1);

      await store.transaction((tx) => tx.deleteFaces(c1.key, [f1.seq]));
      expect(await store.getImage(img.sha256)).toEqual(new Uint8Array([1, 2, 3]));
      await store.transaction((tx) => tx.deleteFaces(c1.key, [f2.seq]));
      expect(await store.getImage(img.sha256)).not.toBeNull(); // still used by img-2
      expect((await store.getCollection({ provider: 'local', collectionId: 'img-1' }))?.faceCount).toBe(0);
      await store.transaction((tx) => tx.deleteCollection(c2.key));
      expect(await store.getImage(img.sha256)).toBeNull();
    });

    it('deletes a large collection in batches, with its users, tokens and images', async () => {
      const c = await collection(store, 'large');
      const images = [0, 1, 2].map((i) => ({ sha256: String(i).repeat(64), bytes: new Uint8Array([i]) }));
      await store.transaction(async (tx) => {
        for (const img of images)
          await tx.insertFaces(
            c.key,
            Array.from({ length: 400 }, (_, i) => newFace(i % 100)),
            img,
          );
        const user = await tx.insertUser(c.key, 'owner', new Date());
        const [first] = await tx.listFaces(c.key, {}, { after: null, limit: 1 });
        await tx.setFacesUser(c.key, [first.seq], user.seq);
        await tx.putIdempotency(c.key, 'CreateUser', 'tok', { requestHash: 'h', response: '{"ok":null}', createdAt: new Date() });
      });
      expect((await store.getIdempotency(c.key, 'CreateUser', 'tok'))?.response).toBe('{"ok":null}');
      expect((await store.getCollection({ provider: 'local', collectionId: 'large' }))?.faceCount).toBe(1200);
      await store.transaction((tx) => tx.deleteCollection(c.key));
      expect(await store.getCollection({ provider: 'local', collectionId: 'large' })).toBeNull();
      for (const img of images) expect(await store.getImage(img.sha256)).toBeNull();
      expect(await store.listFaces(c.key, {}, { after: null, limit: 10 })).toEqual([]);
      expect(await store.listUsers(c.key, { after: null, limit: 10 })).toEqual([]);
      expect(await store.getIdempotency(c.key, 'CreateUser', 'tok')).toBeNull();
    });

    it('deleteUser disassociates the user’s faces and reports them; status follows faces', async () => {
      const c = await collection(store, 'users');
      const [f] = await store.transaction((tx) => tx.insertFaces(c.key, [newFace(4)], null));
      const user = await store.transaction((tx) => tx.insertUser(c.key, 'alice', new Date()));
      expect(user.status).toBe('CREATED');
      const status = await store.transaction(async (tx) => {
        await tx.setFacesUser(c.key, [f.seq], user.seq);
        return tx.refreshUserStatus(user.seq);
      });
      expect(status).toBe('ACTIVE');
      expect((await store.findFaces({ provider: 'local', collectionId: 'users' }, [f.faceId]))?.[0].userId).toBe('alice');
      const freed = await store.transaction((tx) => tx.deleteUser(user.seq));
      expect(freed).toEqual([f.faceId]);
      expect((await store.findFaces({ provider: 'local', collectionId: 'users' }, [f.faceId]))?.[0].userId).toBeNull();
      expect((await store.getCollection({ provider: 'local', collectionId: 'users' }))?.userCount).toBe(0);
    });

    it('enforces foreign keys (a face cannot point at a missing user)', async () => {
      const c = await collection(store, 'fk');
      const [f] = await store.transaction((tx) => tx.insertFaces(c.key, [newFace(5)], null));
      await expectViolation(
        store.transaction((tx) => tx.setFacesUser(c.key, [f.seq], 987654)),
        'foreignKey',
      );
    });

    it('prunes idempotency records by age', async () => {
      const c = await collection(store, 'tokens');
      await store.transaction(async (tx) => {
        await tx.putIdempotency(c.key, 'Op', 'old', { requestHash: 'h', response: 'r', createdAt: new Date(1000) });
        await tx.putIdempotency(c.key, 'Op', 'new', { requestHash: 'h', response: 'r', createdAt: new Date(5000) });
      });
      expect(await store.transaction((tx) => tx.pruneIdempotency(new Date(2000)))).toBe(1);
      expect(await store.getIdempotency(c.key, 'Op', 'old')).toBeNull();
      expect(await store.getIdempotency(c.key, 'Op', 'new')).toEqual({ requestHash: 'h', response: 'r', createdAt: new Date(5000) });
    });
  });

  describe.skipIf(!h.available)('snapshot and operation records', () => {
    it('round-trips a snapshot: dates, JSON apply scope, nulls; updates return the new record', async () => {
      const s = await insertSnapshot({ applyScope: ['tenant-b', 'tenant-c'], userData: null });
      expect(await store.getSnapshot(s.id)).toEqual(s);
      const withData = await insertSnapshot({ applyScope: [], userData: '{"note":"ünïcode ✓ ? \'quoted\'"}' });
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
      await expectViolation(
        store.transaction((tx) => tx.insertSnapshot(s)),
        'unique',
      );
      await expectViolation(
        store.transaction((tx) => tx.insertSnapshot(snapshotRecord({ state: 'BROKEN' as SnapshotRecord['state'] }))),
        'check',
      );
    });

    it('hides a snapshot from committed reads until its transaction commits', async () => {
      const s = snapshotRecord();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let written!: () => void;
      const inserted = new Promise<void>((r) => (written = r));
      let seenInside: SnapshotRecord | null = null;
      const pending = store.transaction(async (tx) => {
        await tx.insertSnapshot(s);
        seenInside = await tx.getSnapshot(s.id);
        written();
        await gate;
      });
      await inserted; // the write is done and not committed: the gate holds the transaction open
      expect(await store.getSnapshot(s.id)).toBeNull();
      release();
      await pending;
      expect(seenInside).toEqual(s);
      expect(await store.getSnapshot(s.id)).toEqual(s);
    });

    it('round-trips operations: defaults, target, nulls, patches and lastActionAt', async () => {
      const createdAt = new Date(1_700_000_200_000);
      const op = await store.transaction((tx) =>
        tx.insertOperation({ id: randomUUID(), kind: 'TAKE_SNAPSHOT', owner: 'tenant-a', snapshotId: 'snap-1', target: null, createdAt }),
      );
      expect(op).toEqual({
        id: op.id,
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
      expect(await store.getOperation(op.id)).toEqual(op);

      const target = { provider: 'local', collectionId: 'restored' };
      const apply = await store.transaction((tx) =>
        tx.insertOperation({ id: randomUUID(), kind: 'APPLY_SNAPSHOT', owner: 'tenant-b', snapshotId: null, target, createdAt }),
      );
      expect(apply.target).toEqual(target);
      expect(apply.snapshotId).toBeNull();

      const t1 = new Date(1_700_000_201_000);
      const running = await store.transaction((tx) =>
        tx.updateOperation(op.id, { status: 'RUNNING', percent: 12.5, processedItems: 5, totalItems: 40 }, t1),
      );
      expect(running).toEqual({ ...op, status: 'RUNNING', percent: 12.5, processedItems: 5, totalItems: 40, lastActionAt: t1 });
      expect(await store.getOperation(op.id)).toEqual(running);

      // Only lastActionAt moves with an empty patch; null clears; target can be set and cleared.
      const t2 = new Date(1_700_000_202_000);
      expect(await store.transaction((tx) => tx.updateOperation(op.id, {}, t2))).toEqual({ ...running, lastActionAt: t2 });
      const t3 = new Date(1_700_000_203_000);
      const failed = await store.transaction((tx) =>
        tx.updateOperation(op.id, { status: 'FAILED', totalItems: null, message: 'source deleted', target }, t3),
      );
      expect(failed).toEqual({ ...running, status: 'FAILED', totalItems: null, message: 'source deleted', target, lastActionAt: t3 });
      const cleared = await store.transaction((tx) => tx.updateOperation(op.id, { target: null, message: null }, t3));
      expect(cleared).toEqual({ ...failed, target: null, message: null });

      const missing = randomUUID();
      await expect(store.transaction((tx) => tx.updateOperation(missing, { percent: 1 }, t3))).rejects.toThrow(
        `expected operation ${missing} to exist, got none`,
      );
      expect(await store.getOperation(missing)).toBeNull();
    });

    it('lists operations by status in creation order, across statement pages', async () => {
      const own = await h.open(h.location());
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
    });

    it('touches only RUNNING operations, and fails in one statement the RUNNING ones of a kind untouched since a time', async () => {
      const own = await h.open(h.location());
      const t0 = new Date('2026-01-01T00:00:00Z');
      const at = (s: number) => new Date(t0.getTime() + s * 1000);
      const make = (id: string, kind: 'TRAIN_COLLECTION' | 'APPLY_SNAPSHOT', status: 'RUNNING' | 'SUCCEEDED', when: Date) =>
        own.transaction(async (tx) => {
          await tx.insertOperation({ id, kind, owner: '*', snapshotId: null, target: null, createdAt: t0 });
          return tx.updateOperation(id, { status }, when);
        });
      await make('stale', 'TRAIN_COLLECTION', 'RUNNING', at(0));
      await make('alive', 'TRAIN_COLLECTION', 'RUNNING', at(0));
      await make('done', 'TRAIN_COLLECTION', 'SUCCEEDED', at(0));
      await make('other-kind', 'APPLY_SNAPSHOT', 'RUNNING', at(0));
      expect(await own.transaction((tx) => tx.touchOperation('alive', at(50)))).toBe(true);
      expect(await own.transaction((tx) => tx.touchOperation('done', at(50)))).toBe(false);
      expect(await own.transaction((tx) => tx.touchOperation('missing', at(50)))).toBe(false);
      expect((await own.getOperation('done'))!.lastActionAt).toEqual(at(0));

      const failed = await own.transaction((tx) => tx.failStaleOperations('TRAIN_COLLECTION', at(30), 'its replica died', at(60)));
      expect(failed.map((o) => [o.id, o.status, o.message, o.lastActionAt])).toEqual([['stale', 'FAILED', 'its replica died', at(60)]]);
      expect((await own.getOperation('alive'))!.status).toBe('RUNNING');
      expect((await own.getOperation('other-kind'))!.status).toBe('RUNNING');
      expect(await own.transaction((tx) => tx.failStaleOperations('TRAIN_COLLECTION', at(30), 'again', at(61)))).toEqual([]);
    });
  });

  describe.skipIf(!h.available)('copying a collection into a snapshot', () => {
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
      // And the stored descriptors themselves are identical, byte for byte.
      const mismatched = await count(
        `SELECT COUNT(*) AS n FROM snapshot_faces sf JOIN faces f ON f.seq = sf.seq
         WHERE sf.snapshot_id = $1 AND (f.descriptor <> sf.descriptor OR f.face_id <> sf.face_id)`,
        [s.id],
      );
      expect(mismatched).toBe(0);
      expect(await countSnapshotRows('snapshot_faces', s.id)).toBe(41);
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
        expect(await countSnapshotRows('snapshot_images', s.id)).toBe(3);
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
      // Where several stores write to one location, the write comes from another one (a replica).
      const writerStore = h.capabilities.has('replicas') ? await h.open(main) : store;
      const trace: string[] = [];
      let firstChunkCopied!: () => void;
      const firstChunk = new Promise<void>((r) => (firstChunkCopied = r));
      let writerQueued!: () => void;
      const queued = new Promise<void>((r) => (writerQueued = r));

      const taking = store.transaction(async (tx) => {
        await tx.getCollection({ provider: 'local', collectionId: 'consistent-src' });
        trace.push('take:start');
        let first = true;
        await take(tx, c, s.id, 4, async () => {
          if (first) {
            first = false;
            firstChunkCopied();
            await queued;
            // A second store's write waits on the server for the take's lock; the same store's
            // write queued on the store's own mutex when its transaction() was called.
            if (writerStore !== store) await until(async () => (await h.lockWaiters!(main)) > 0, 'the write waiting for the take’s lock');
          }
        });
        trace.push('take:end');
      });
      // From outside the take's async context (a transaction started inside it
      // would be refused as nested): change the source between two chunks.
      await firstChunk;
      const writer = writerStore.transaction(async (w) => {
        const [first] = await w.listFaces(c.key, {}, { after: null, limit: 1 });
        trace.push('write:start');
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
      await expectViolation(
        store.transaction((tx) => tx.copyUsersToSnapshot(c.key, s.id, null, 10)),
        'unique',
      );

      await store.transaction((tx) => tx.clearSnapshotContent(s.id));
      expect(await store.getSnapshot(s.id)).toEqual(s);
      for (const table of ['snapshot_users', 'snapshot_faces', 'snapshot_images'] as const) {
        expect(await countSnapshotRows(table, s.id)).toBe(0);
      }

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
      await expectViolation(
        store.transaction((tx) => tx.copyUsersToSnapshot(c.key, 'no-such-snapshot', null, 10)),
        'foreignKey',
      );
      // An empty or missing source copies nothing.
      const empty = await collection(store, 'empty-src');
      expect(await store.transaction((tx) => tx.copyFacesToSnapshot(empty.key, s.id, null, 10))).toEqual({ copied: 0, lastSeq: null });
      expect(await store.transaction((tx) => tx.copyUsersToSnapshot(987654, s.id, null, 10))).toEqual({ copied: 0, lastSeq: null });
    });
  });

  describe.skipIf(!h.available)('listing and deleting snapshots', () => {
    it('shows a tenant its own snapshots and those whose apply scope names it, in creation order', async () => {
      const own = await h.open(h.location());
      const make = (owner: string, applyScope: string[]) => insertSnapshot({ owner, applyScope }, own);
      const a1 = await make('A', ['B', 'C']);
      const b1 = await make('B', []);
      const c1 = await make('C', ['A', 'A', 'C']); // duplicates and the owner itself are harmless
      const a2 = await make('A', []);
      const b2 = await make('B', ['D']);
      const visible = async (tenant: string, limit = 10) =>
        (
          await allPages(async (after) =>
            (await own.listSnapshots(tenant, { after, limit })).map((p) => ({ id: p.snapshot.id, seq: p.seq })),
          )
        ).map((s) => s.id);
      expect(await visible('A')).toEqual([a1.id, c1.id, a2.id]);
      expect(await visible('A', 1)).toEqual([a1.id, c1.id, a2.id]);
      expect(await visible('B')).toEqual([a1.id, b1.id, b2.id]);
      expect(await visible('C', 2)).toEqual([a1.id, c1.id]);
      expect(await visible('D')).toEqual([b2.id]);
      expect(await visible('E')).toEqual([]);
      // Records come back whole, apply scope as stored.
      const [first, second] = await own.listSnapshots('C', { after: null, limit: 2 });
      expect(first.snapshot).toEqual(a1);
      expect(second.snapshot.applyScope).toEqual(['A', 'A', 'C']);

      await own.transaction((tx) => tx.deleteSnapshot(a1.id));
      expect(await visible('B')).toEqual([b1.id, b2.id]);
      expect(await visible('C')).toEqual([c1.id]);
    });

    it('deleteSnapshot removes the record and all content, leaves other snapshots and operations', async () => {
      const c = await populatedCollection('delete-src');
      const doomed = await insertSnapshot({ owner: 'del', applyScope: ['other'] });
      const kept = await insertSnapshot({ owner: 'del' });
      const op = await store.transaction(async (tx) => {
        await take(tx, c, doomed.id, 9);
        await take(tx, c, kept.id, 9);
        return tx.insertOperation({
          id: randomUUID(),
          kind: 'TAKE_SNAPSHOT',
          owner: 'del',
          snapshotId: doomed.id,
          target: null,
          createdAt: new Date(),
        });
      });
      expect(await countSnapshotRows('snapshot_faces', doomed.id)).toBe(41);

      expect(await store.transaction((tx) => tx.deleteSnapshot(doomed.id))).toBe(true);
      expect(await store.getSnapshot(doomed.id)).toBeNull();
      for (const table of ['snapshot_users', 'snapshot_faces', 'snapshot_images'] as const) {
        expect(await countSnapshotRows(table, doomed.id)).toBe(0);
      }
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
}
