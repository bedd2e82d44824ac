/**
 * Provider records and retained provider images in the gateway store, on
 * SQLite and PostgreSQL (one set of queries): scoping by provider and
 * collection, key-ordered pages, upserts, deletes, and deleting a
 * collection's data; and the Azure person index reconciled from a rebuild.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type * as PersonRecordsModule from '../../src/datasources/azure-face/person-records.js';
import type { Store } from '../../src/store/store.js';
import { distUrl, openSqliteStore, tempDir } from '../local-provider/support.js';
import { pgAvailable, schemaName, storeTracker } from '../postgres/support.js';

const { PersonRecords, PERSON_KIND } = (await import(
  distUrl('src/datasources/azure-face/person-records.js')
)) as typeof PersonRecordsModule;

const tmp = tempDir('provider-records');
const pg = storeTracker();
const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
  await pg.cleanup();
  tmp.remove();
});

const backends = [
  { name: 'SQLite', available: true, open: async () => openSqliteStore(tmp.dir) },
  { name: 'PostgreSQL', available: pgAvailable, open: async () => pg.open(schemaName('facegate_records')) },
];

describe.each(backends)('provider records on $name', ({ available, open }) => {
  it.skipIf(!available)(
    'are scoped by provider, collection and kind; paged in key order; replaced, deleted, and deleted with their collection',
    async () => {
      const store = (await open()) as Store;
      opened.push(store);
      const a = { provider: 'azure', collectionId: 'c1' };
      const other = { provider: 'azure-2', collectionId: 'c1' };
      const at = new Date();
      await store.transaction(async (tx) => {
        await tx.putProviderRecords(
          a,
          'k',
          [
            { key: 'u2', value: 'p2' },
            { key: 'u1', value: 'p1' },
            { key: 'u3', value: 'p3' },
          ],
          at,
        );
        await tx.putProviderRecords(a, 'other-kind', [{ key: 'u1', value: 'x' }], at);
        await tx.putProviderRecords(other, 'k', [{ key: 'u1', value: 'elsewhere' }], at);
        await tx.putProviderImage(a, 'ab'.repeat(32), new Uint8Array([1, 2, 3]), at);
        await tx.putProviderImage(a, 'ab'.repeat(32), new Uint8Array([9]), at); // a repeat keeps the first
        await tx.putProviderImage(other, 'ab'.repeat(32), new Uint8Array([7]), at);
      });
      expect(await store.listProviderRecords(a, 'k', null, 2)).toEqual([
        { key: 'u1', value: 'p1' },
        { key: 'u2', value: 'p2' },
      ]);
      expect(await store.listProviderRecords(a, 'k', 'u2', 2)).toEqual([{ key: 'u3', value: 'p3' }]);
      expect([...((await store.getProviderImage(a, 'ab'.repeat(32))) ?? [])]).toEqual([1, 2, 3]);

      await store.transaction(async (tx) => {
        await tx.putProviderRecords(a, 'k', [{ key: 'u1', value: 'p1-new' }], at);
        await tx.deleteProviderRecords(a, 'k', ['u2', 'nobody']);
      });
      expect(await store.listProviderRecords(a, 'k', null, 10)).toEqual([
        { key: 'u1', value: 'p1-new' },
        { key: 'u3', value: 'p3' },
      ]);

      await store.transaction((tx) => tx.deleteProviderCollection(a));
      expect(await store.listProviderRecords(a, 'k', null, 10)).toEqual([]);
      expect(await store.listProviderRecords(a, 'other-kind', null, 10)).toEqual([]);
      expect(await store.getProviderImage(a, 'ab'.repeat(32))).toBeNull();
      expect(await store.listProviderRecords(other, 'k', null, 10)).toEqual([{ key: 'u1', value: 'elsewhere' }]);
      expect([...((await store.getProviderImage(other, 'ab'.repeat(32))) ?? [])]).toEqual([7]);
    },
  );

  it.skipIf(!available)(
    'the Azure person index is rewritten from a rebuild: changed and new users put, vanished ones removed',
    async () => {
      const store = (await open()) as Store;
      opened.push(store);
      const persons = new PersonRecords(store, 'azure');
      await persons.put('c2', 'alice', 'p-a');
      await persons.put('c2', 'gone', 'p-g');
      const stored = await persons.load('c2');
      expect(stored).toEqual(
        new Map([
          ['alice', 'p-a'],
          ['gone', 'p-g'],
        ]),
      );
      await persons.reconcile(
        'c2',
        stored,
        new Map([
          ['alice', 'p-a2'],
          ['bob', 'p-b'],
        ]),
      );
      expect(await persons.load('c2')).toEqual(
        new Map([
          ['alice', 'p-a2'],
          ['bob', 'p-b'],
        ]),
      );
      expect((await store.listProviderRecords({ provider: 'azure', collectionId: 'c2' }, PERSON_KIND, null, 10)).length).toBe(2);
    },
  );
});
