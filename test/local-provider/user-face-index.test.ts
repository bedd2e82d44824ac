/**
 * The per-collection user index: changes committed while a lazy load is
 * still reading pages are queued and replayed, so the loaded index equals
 * the committed state.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type * as UserFaceIndexModule from '../../src/datasources/local/user-face-index.js';
import type { AssociationChange, FaceWithDescriptor, StoreReader } from '../../src/store/store.js';
import { descriptor, distUrl } from './support.js';

const { UserFaceIndexes } = (await import(distUrl('src/datasources/local/user-face-index.js'))) as typeof UserFaceIndexModule;

const row = (seq: number, faceId: string, userId: string, person: number): FaceWithDescriptor => ({
  seq,
  collectionKey: 1,
  faceId,
  userSeq: 1,
  userId,
  externalImageId: null,
  boundingBox: { left: 0, top: 0, width: 1, height: 1 },
  confidence: 99,
  imageSha256: null,
  indexedAt: new Date(0),
  descriptor: descriptor(person),
});

it('replays changes committed during the load, in order', async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  // The load's read sees the state before the changes below.
  const store = {
    async listFacesWithDescriptors() {
      await gate;
      return [row(1, 'f1', 'ann', 1), row(2, 'f2', 'ben', 2)];
    },
    associationMark: async () => 0,
  } as unknown as StoreReader;
  const indexes = new UserFaceIndexes(store);
  const loading = indexes.get(1);
  // Committed while the load waits: f1 leaves ann, f3 joins cy, f2 moves from ben to cy.
  indexes.apply(1, [{ kind: 'disassociate', faceId: 'f1' }]);
  indexes.apply(1, [{ kind: 'associate', faceId: 'f3', userId: 'cy', descriptor: descriptor(3) }]);
  indexes.apply(1, [
    { kind: 'disassociate', faceId: 'f2' },
    { kind: 'associate', faceId: 'f2', userId: 'cy', descriptor: descriptor(2) },
  ]);
  open();
  const index = await loading;
  expect(index.size).toBe(2);
  expect(await index.searchUsers(descriptor(1), 10, 50)).toEqual([]);
  expect((await index.searchUsers(descriptor(2), 10, 50)).map((m) => m.userId)).toEqual(['cy']);
  expect((await index.searchUsers(descriptor(3), 10, 50)).map((m) => m.userId)).toEqual(['cy']);
  // Loaded: later changes apply directly; other collections are untouched.
  indexes.apply(1, [{ kind: 'disassociate', faceId: 'f3' }]);
  indexes.apply(2, [{ kind: 'associate', faceId: 'x', userId: 'x', descriptor: descriptor(4) }]);
  expect(index.size).toBe(1);
});

it('retries a failed load on the next search', async () => {
  let calls = 0;
  const store = {
    async listFacesWithDescriptors() {
      if (++calls === 1) throw new Error('disk on fire');
      return [row(1, 'f1', 'ann', 1)];
    },
    associationMark: async () => 0,
  } as unknown as StoreReader;
  const indexes = new UserFaceIndexes(store);
  await expect(indexes.get(7)).rejects.toThrow('disk on fire');
  expect((await indexes.get(7)).size).toBe(1);
});

/**
 * A store of one collection (key 1) in memory with the association log:
 * `set` changes a face's user under a new change number, as a transaction would.
 */
function logStore() {
  const faces = new Map<string, FaceWithDescriptor>();
  let log: AssociationChange[] = [];
  let mark = 0;
  let seq = 0;
  let descriptorReads = 0;
  const store = {
    async associationMark() {
      return mark;
    },
    async listAssociationChanges(_key: number, after: number, limit: number) {
      return log.filter((c) => c.change > after).slice(0, limit);
    },
    async listFacesWithDescriptors(_key: number, _filter: unknown, page: { after: number | null; limit: number }) {
      return [...faces.values()].filter((f) => f.userId !== null && f.seq > (page.after ?? 0)).slice(0, page.limit);
    },
    async getFacesWithDescriptors(_key: number, ids: readonly string[]) {
      descriptorReads++;
      return ids.flatMap((id) => (faces.has(id) ? [faces.get(id)!] : []));
    },
  } as unknown as StoreReader;
  return {
    store,
    descriptorReads: () => descriptorReads,
    set(faceId: string, userId: string | null, person = 0) {
      const prior = faces.get(faceId);
      faces.set(faceId, { ...(prior ?? row(++seq, faceId, '', person)), userId, userSeq: userId === null ? null : 1 });
      log.push({ change: ++mark, faceId });
    },
    prune() {
      log = log.filter((c) => c.change > mark - 1);
    },
  };
}

it('answers from an approximate index past annMinFaces, with the exact similarities of the stored descriptors', async () => {
  const db = logStore();
  for (let p = 0; p < 30; p++) db.set(`f${p}`, `u${p}`, p);
  const exact = await new UserFaceIndexes(db.store).get(1);
  const approximate = await new UserFaceIndexes(db.store, { annMinFaces: 10 }).get(1);
  expect(exact.approximate).toBe(false);
  expect(approximate.approximate).toBe(true);
  for (const p of [0, 7, 29]) {
    const query = descriptor(p, 1);
    expect(await approximate.searchUsers(query, 3, 0)).toEqual(await exact.searchUsers(query, 3, 0));
  }
  expect(db.descriptorReads()).toBe(3); // one rerank read a search
});

it('catches up from the association log when another replica changed the collection; reads it whole when the log was pruned', async () => {
  const db = logStore();
  for (let p = 0; p < 12; p++) db.set(`f${p}`, `u${p}`, p);
  const indexes = new UserFaceIndexes(db.store, { annMinFaces: 10 });
  const index = await indexes.get(1);
  db.set('f3', null); // another replica disassociates f3 and moves f4 to u3
  db.set('f4', 'u3');
  indexes.behind(1);
  const caughtUp = await indexes.get(1);
  expect(caughtUp.size).toBe(11);
  expect((await caughtUp.searchUsers(descriptor(3), 1, 50)).map((m) => m.userId)).toEqual([]);
  expect((await caughtUp.searchUsers(descriptor(4), 1, 50)).map((m) => m.userId)).toEqual(['u3']);
  expect(index.size).toBe(11);

  db.set('f3', 'u3');
  db.set('f5', null);
  db.prune(); // the log no longer holds the first of the two changes
  indexes.behind(1);
  const reread = await indexes.get(1);
  expect(reread.size).toBe(11);
  expect((await reread.searchUsers(descriptor(5), 1, 50)).map((m) => m.userId)).toEqual([]);
  expect((await reread.searchUsers(descriptor(3), 1, 50)).map((m) => m.userId)).toEqual(['u3']);
});

it('saves an approximate index and loads it on the next start, catching up from its mark instead of reading the store whole', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'user-index-'));
  try {
    const db = logStore();
    for (let p = 0; p < 12; p++) db.set(`f${p}`, `u${p}`, p);
    const events: { source: string; caughtUp: number; faces: number }[] = [];
    const options = { annMinFaces: 10, dir, onReady: (e: { source: string; caughtUp: number; faces: number }) => events.push(e) };
    await new UserFaceIndexes(db.store, options).get(1);
    expect(readdirSync(dir).sort()).toEqual([expect.stringMatching(/^1\.[0-9a-f-]+\.usearch$/), '1.json']);
    db.set('f0', null); // committed while no process held the index

    const restarted = await new UserFaceIndexes(db.store, options).get(1);
    expect(events.map(({ source, caughtUp, faces }) => ({ source, caughtUp, faces }))).toEqual([
      { source: 'store', caughtUp: 0, faces: 12 },
      { source: 'file', caughtUp: 1, faces: 11 },
    ]);
    expect((await restarted.searchUsers(descriptor(0), 1, 50)).map((m) => m.userId)).toEqual([]);
    expect((await restarted.searchUsers(descriptor(1), 1, 50)).map((m) => m.userId)).toEqual(['u1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
