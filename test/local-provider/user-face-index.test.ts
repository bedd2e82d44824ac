/**
 * The per-collection user index: changes committed while a lazy load is
 * still reading pages are queued and replayed, so the loaded index equals
 * the committed state.
 */
import { expect, it } from 'vitest';
import type * as UserFaceIndexModule from '../../src/datasources/local/user-face-index.js';
import type { FaceWithDescriptor, StoreReader } from '../../src/store/store.js';
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
  expect(index.searchUsers(descriptor(1), 10, 50)).toEqual([]);
  expect(index.searchUsers(descriptor(2), 10, 50).map((m) => m.userId)).toEqual(['cy']);
  expect(index.searchUsers(descriptor(3), 10, 50).map((m) => m.userId)).toEqual(['cy']);
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
  } as unknown as StoreReader;
  const indexes = new UserFaceIndexes(store);
  await expect(indexes.get(7)).rejects.toThrow('disk on fire');
  expect((await indexes.get(7)).size).toBe(1);
});
