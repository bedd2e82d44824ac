/**
 * Two PostgreSQL stores on one schema — two pools, as two gateway replicas
 * would have — writing concurrently: transactions on one collection
 * serialize (from their first touch of it), transactions on different
 * collections do not, and the local provider's read-then-write decisions
 * (collection creation, user creation, idempotency tokens, the 100-faces
 * per-user quota, counters) stay right. Also the shared-image race between
 * collections.
 *
 * Runs in its own schema, dropped at the end; skips when PostgreSQL is
 * unreachable (fails in CI), see support.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalProvider as LocalProviderType } from '../../src/datasources/local/local-provider.js';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { CollectionRow, NewFace } from '../../src/store/store.js';
import { FakeEngine, LocalProvider, descriptor, face } from '../local-provider/support.js';
import { until } from '../support/wait.js';
import { admin, lockWaiters, pgAvailable, schemaName, sleep, storeTracker } from './support.js';

const stores = storeTracker();
const schema = schemaName('facegate_replicas');
let a: PostgresStore;
let b: PostgresStore;

beforeAll(async () => {
  if (!pgAvailable) return;
  a = await stores.open(schema, { poolSize: 6 });
  b = await stores.open(schema, { poolSize: 6 });
});
afterAll(() => stores.cleanup());

const newFace = (i: number): NewFace => ({
  faceId: randomUUID(),
  externalImageId: null,
  boundingBox: { left: 0.1, top: 0.2, width: 0.3, height: 0.4 },
  confidence: 99,
  descriptor: descriptor(i % 100),
  indexedAt: new Date(),
});

async function collection(id: string): Promise<CollectionRow> {
  return a.transaction((tx) => tx.insertCollection({ provider: 'local', collectionId: id, faceModelVersion: 'm', createdAt: new Date() }));
}

/** `n` items from `make(i)`, alternating between the two replicas. */
const onBoth = <T>(n: number, make: (store: PostgresStore, i: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> =>
  Promise.allSettled(Array.from({ length: n }, (_, i) => make(i % 2 ? b : a, i)));

describe.skipIf(!pgAvailable)('serialization across replicas', () => {
  it('transactions on one collection never interleave; on different collections they overlap', async () => {
    const c1 = await collection('serial-1');
    const c2 = await collection('serial-2');
    const trace: string[] = [];
    /** Holds the collection's lock until `meanwhile` resolves, then writes. */
    const run = (store: PostgresStore, c: CollectionRow, name: string, meanwhile: () => Promise<unknown>) =>
      store.transaction(async (tx) => {
        await tx.listUsers(c.key, { after: null, limit: 1 }); // first touch: locks c
        trace.push(`${name}:start`);
        await meanwhile();
        await tx.insertUser(c.key, name, new Date());
        trace.push(`${name}:end`);
      });
    // Each holder keeps the lock until every transaction not yet started waits for it: an interleaving would show.
    const othersWaiting = async () => {
      const notStarted = 4 - trace.filter((t) => t.endsWith(':start')).length;
      await until(async () => (await lockWaiters(schema)) === notStarted, `${notStarted} transactions waiting for the collection`);
    };
    await Promise.all([
      run(a, c1, 'a1', othersWaiting),
      run(b, c1, 'b1', othersWaiting),
      run(a, c1, 'a2', othersWaiting),
      run(b, c1, 'b2', othersWaiting),
    ]);
    // Serialized: each start is followed by its own end.
    const sameCollection = trace.splice(0);
    expect(sameCollection).toHaveLength(8);
    for (let i = 0; i < sameCollection.length; i += 2) {
      expect(sameCollection[i].replace(':start', '')).toBe(sameCollection[i + 1].replace(':end', ''));
    }

    // Different collections: each holds its lock until the other has started (they would deadlock if serialized).
    const started = (name: string) => () => until(() => trace.includes(`${name}:start`), `${name} to start meanwhile`);
    await Promise.all([run(a, c1, 'x', started('y')), run(b, c2, 'y', started('x'))]);
    expect(trace.slice(0, 2).sort()).toEqual(['x:start', 'y:start']); // both held their own lock at once
    expect((await a.getCollection({ provider: 'local', collectionId: 'serial-1' }))?.userCount).toBe(5);
  });

  it('a check-then-insert quota and the counters hold under concurrent transactions from both replicas', async () => {
    const c = await collection('quota');
    const ref = { provider: 'local', collectionId: 'quota' };
    const LIMIT = 20;
    const results = await onBoth(16, (store, i) =>
      store.transaction(async (tx) => {
        const current = (await tx.getCollection(ref))!;
        if (current.faceCount + 3 > LIMIT) return false;
        await sleep(3); // injected latency, not a wait: widens the window between the check and the write
        await tx.insertFaces(c.key, [newFace(i), newFace(i + 1), newFace(i + 2)], null);
        await tx.insertUser(c.key, `user-${i}`, new Date());
        return true;
      }),
    );
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const admitted = results.filter((r) => r.status === 'fulfilled' && r.value).length;
    expect(admitted).toBe(6); // 6 × 3 = 18 ≤ 20 < 21
    const final = (await b.getCollection(ref))!;
    expect(final.faceCount).toBe(18);
    expect(final.userCount).toBe(6);
    expect(await a.listFaces(c.key, {}, { after: null, limit: 100 })).toHaveLength(18);
    expect(await a.listUsers(c.key, { after: null, limit: 100 })).toHaveLength(6);
  });

  it('keeps a shared image whose last face in one collection is deleted while another collection indexes it', async () => {
    const c1 = await collection('share-1');
    const c2 = await collection('share-2');
    const c3 = await collection('share-3');
    const img = { sha256: 'cd'.repeat(32), bytes: new Uint8Array([4, 5, 6]) };

    // Indexer first: it holds the image row while the deleter waits for it.
    const [f1] = await a.transaction((tx) => tx.insertFaces(c1.key, [newFace(1)], img));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let indexed!: () => void;
    const holding = new Promise<void>((r) => (indexed = r));
    const indexing = b.transaction(async (tx) => {
      await tx.insertFaces(c2.key, [newFace(2)], img);
      indexed();
      await gate;
    });
    await holding;
    const deleting = a.transaction((tx) => tx.deleteFaces(c1.key, [f1.seq]));
    await until(async () => (await lockWaiters(schema)) === 1, 'the deleter to wait for the indexer');
    release();
    await Promise.all([indexing, deleting]);
    expect(await a.getImage(img.sha256)).toEqual(img.bytes);
    expect((await a.findFacesFromImage(c2.key, img.sha256, null)).length).toBe(1);

    // Deleter first: it removes the image; the indexer, waiting, inserts it again.
    const [f2] = await a.listFaces(c2.key, {}, { after: null, limit: 1 });
    let release2!: () => void;
    const gate2 = new Promise<void>((r) => (release2 = r));
    let deleted!: () => void;
    const holding2 = new Promise<void>((r) => (deleted = r));
    const deleting2 = a.transaction(async (tx) => {
      await tx.deleteFaces(c2.key, [f2.seq]);
      deleted();
      await gate2;
    });
    await holding2;
    const indexing2 = b.transaction((tx) => tx.insertFaces(c3.key, [newFace(3)], img));
    await until(async () => (await lockWaiters(schema)) === 1, 'the indexer to wait for the deleter');
    release2();
    await Promise.all([deleting2, indexing2]);
    expect(await a.getImage(img.sha256)).toEqual(img.bytes);
    expect((await a.findFacesFromImage(c3.key, img.sha256, null)).length).toBe(1);

    // Deleter between the indexer's image statement and its face statement:
    // an admin session holds c4's row, so the indexer's face INSERT (its
    // foreign-key check on c4) waits right after the image upsert ran.
    const c4 = await collection('share-4');
    const [f3] = await a.listFaces(c3.key, {}, { after: null, limit: 1 });
    await admin(async (blocker) => {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT key FROM "${schema}".collections WHERE key = $1 FOR UPDATE`, [c4.key]);
      const indexing3 = b.transaction((tx) => tx.insertFaces(c4.key, [newFace(4)], img));
      await until(async () => (await lockWaiters(schema)) === 1, 'the indexer to wait on c4 after its image upsert');
      const deleting3 = a.transaction((tx) => tx.deleteFaces(c3.key, [f3.seq]));
      await until(async () => (await lockWaiters(schema)) === 2, "the deleter to wait for the indexer's image row");
      await blocker.query('COMMIT');
      await Promise.all([indexing3, deleting3]);
    });
    expect(await a.getImage(img.sha256)).toEqual(img.bytes);
    expect((await a.findFacesFromImage(c4.key, img.sha256, null)).length).toBe(1);
  });
});

describe.skipIf(!pgAvailable)('the local provider on two replicas', () => {
  const engine = new FakeEngine();
  let one: LocalProviderType;
  let two: LocalProviderType;

  beforeAll(() => {
    if (!pgAvailable) return;
    one = new LocalProvider({ name: 'local', store: a, engine });
    two = new LocalProvider({ name: 'local', store: b, engine });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  const settle = async <T>(calls: Promise<T>[]) => {
    const results = await Promise.allSettled(calls);
    return {
      ok: results.filter((r): r is PromiseFulfilledResult<Awaited<T>> => r.status === 'fulfilled').map((r) => r.value),
      codes: results
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map((r) => (r.reason as { code?: string }).code ?? String(r.reason)),
    };
  };

  it('creates a collection once when both replicas are asked at the same time', async () => {
    const { ok, codes } = await settle([one.createCollection('twice'), two.createCollection('twice'), one.createCollection('twice')]);
    expect(ok).toHaveLength(1);
    expect(codes).toEqual(['COLLECTION_ALREADY_EXISTS', 'COLLECTION_ALREADY_EXISTS']);
  });

  it('creates a user once; the same ClientRequestToken replays on the other replica', async () => {
    await one.createCollection('users-twice');
    const plain = await settle([
      one.createUser({ collectionId: 'users-twice', userId: 'u' }),
      two.createUser({ collectionId: 'users-twice', userId: 'u' }),
    ]);
    expect(plain.ok).toHaveLength(1);
    expect(plain.codes).toEqual(['USER_ALREADY_EXISTS']);

    const token = randomUUID();
    const input = { collectionId: 'users-twice', userId: 'v', clientRequestToken: token };
    const replayed = await settle([one.createUser(input), two.createUser(input), one.createUser(input), two.createUser(input)]);
    expect(replayed.codes).toEqual([]);
    expect(new Set(replayed.ok.map((u) => JSON.stringify(u))).size).toBe(1);
    expect((await a.getCollection({ provider: 'local', collectionId: 'users-twice' }))?.userCount).toBe(2);
  });

  it('enforces the 100-faces-per-user quota when two replicas associate at once', async () => {
    await one.createCollection('quota-user');
    await one.createUser({ collectionId: 'quota-user', userId: 'q' });
    // 106 faces of one person, ten per image.
    const faceIds: string[] = [];
    for (let img = 0; faceIds.length < 106; img++) {
      const faces = Array.from({ length: Math.min(10, 106 - faceIds.length) }, (_, slot) => face(7, { slot, variant: 1 }));
      const out = await one.indexFaces({ collectionId: 'quota-user', image: engine.image(`quota-${img}`, faces) });
      faceIds.push(...out.faces.map((f) => f.faceId));
    }
    expect(faceIds).toHaveLength(106);
    const first = await one.associateFaces({
      collectionId: 'quota-user',
      userId: 'q',
      faceIds: faceIds.slice(0, 90),
      userMatchThreshold: 0,
    });
    expect(first.associatedFaceIds).toHaveLength(90);

    // 90 + 8 fits, 90 + 8 + 8 does not: exactly one of the two may win.
    const { ok, codes } = await settle([
      one.associateFaces({ collectionId: 'quota-user', userId: 'q', faceIds: faceIds.slice(90, 98), userMatchThreshold: 0 }),
      two.associateFaces({ collectionId: 'quota-user', userId: 'q', faceIds: faceIds.slice(98, 106), userMatchThreshold: 0 }),
    ]);
    expect(ok.map((o) => o.associatedFaceIds.length)).toEqual([8]);
    expect(codes).toEqual(['QUOTA_EXCEEDED']);
    expect(await two.countUserFaces('quota-user', ['q'])).toEqual([98]);
  });
});

describe.skipIf(!pgAvailable)('approximate search on two replicas', () => {
  const engine = new FakeEngine();
  // The change feed of two replicas, in memory: each message reaches every subscriber.
  const handlers: ((key: string, payload: string) => void)[] = [];
  const feed = {
    publish: (key: string, payload: string) => handlers.forEach((h) => h(key, payload)),
    onMessage: (h: (key: string, payload: string) => void) => void handlers.push(h),
    onReconnect: () => undefined,
  };
  const dirs = [mkdtempSync(path.join(os.tmpdir(), 'ann-one-')), mkdtempSync(path.join(os.tmpdir(), 'ann-two-'))];
  const ready: { replica: string; source: string; caughtUp: number; faces: number }[] = [];
  const replica = (name: string, store: PostgresStore, dir: string) =>
    new LocalProvider({
      name: 'local',
      store,
      engine,
      changes: feed,
      search: {
        annMinFaces: 3,
        dir,
        onReady: (e) => ready.push({ replica: name, source: e.source, caughtUp: e.caughtUp, faces: e.faces }),
      },
    });
  const providers: LocalProviderType[] = [];
  afterAll(async () => {
    for (const p of providers) await p.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const who = async (p: LocalProviderType, person: number) =>
    (
      await p.searchUsersByImage({
        collectionId: 'ann-replicas',
        image: engine.image(`probe-${person}`, [face(person, { variant: 1 })]),
        maxUsers: 3,
        userMatchThreshold: 80,
      })
    ).userMatches.map((m) => m.user.userId);

  it('stays consistent across replicas, and a restarted replica loads its file and catches up on what it missed', async () => {
    const one = replica('one', a, dirs[0]);
    let two = replica('two', b, dirs[1]);
    providers.push(one, two);
    await one.createCollection('ann-replicas');
    const faceIds: string[] = [];
    for (let p = 0; p < 6; p++) {
      await one.createUser({ collectionId: 'ann-replicas', userId: `u${p}` });
      const out = await one.indexFaces({ collectionId: 'ann-replicas', image: engine.image(`enrol-${p}`, [face(p)]) });
      faceIds.push(out.faces[0].faceId);
      await one.associateFaces({ collectionId: 'ann-replicas', userId: `u${p}`, faceIds: [out.faces[0].faceId], userMatchThreshold: 0 });
    }
    expect(await who(two, 2)).toEqual(['u2']);
    expect(await who(one, 2)).toEqual(['u2']);
    // A write on one reaches two's index through the association log.
    await one.disassociateFaces({ collectionId: 'ann-replicas', userId: 'u2', faceIds: [faceIds[2]] });
    expect(await who(two, 2)).toEqual([]);
    await two.associateFaces({ collectionId: 'ann-replicas', userId: 'u4', faceIds: [faceIds[2]], userMatchThreshold: 0 });
    expect(await who(one, 2)).toEqual(['u4']);

    // two stops (saving its index), one writes meanwhile, two starts again.
    await two.close();
    await one.disassociateFaces({ collectionId: 'ann-replicas', userId: 'u3', faceIds: [faceIds[3]] });
    two = replica('two', b, dirs[1]);
    providers.push(two);
    expect(await who(two, 3)).toEqual([]);
    expect(await who(two, 2)).toEqual(['u4']);
    expect(ready.filter((r) => r.replica === 'two')).toEqual([
      { replica: 'two', source: 'store', caughtUp: 0, faces: 6 },
      // Its own last change (own commits apply in memory without moving the mark) and the one it missed.
      { replica: 'two', source: 'file', caughtUp: 2, faces: 5 },
    ]);
  });
});
