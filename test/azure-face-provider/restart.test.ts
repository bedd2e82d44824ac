/**
 * The Azure adapter's own state (retained source images, the userId →
 * personId index) lives in the gateway store: after a crash and restart, on
 * SQLite and on PostgreSQL, faces indexed before can still be associated
 * (their image is re-read from the store) and users are found. Plus a
 * training that fails: its TRAIN_COLLECTION operation ends FAILED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakePng, startFakeAzureFace, type FakeAzureFace } from '../fakes/azure-face/server.js';
import { admin, DATABASE_URL, pgAvailable, schemaName } from '../postgres/support.js';
import { createCollection, createUsers, ERROR_FIELDS, ref, uniqueCollectionId } from '../support/fixtures.js';
import { gqlData, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';
import { associate, follow, indexFace, search, TRAIN } from './gateway-support.js';

let fake: FakeAzureFace;
beforeAll(async () => {
  fake = await startFakeAzureFace();
});
afterAll(async () => {
  await fake.stop();
});

const config = () => ({
  providers: [
    {
      name: 'azure',
      kind: 'azure-face',
      endpoint: fake.url,
      apiKey: fake.apiKey,
      trainDebounceMs: 0,
      trainingPollMs: 20,
      retryBaseDelayMs: 20,
    },
  ],
});

const backends: { name: string; env: (schema: string) => Record<string, string>; available: boolean }[] = [
  { name: 'SQLite', env: () => ({}), available: true },
  { name: 'PostgreSQL', env: (schema: string) => ({ DATABASE_URL, FACEGATE_DB_SCHEMA: schema }), available: pgAvailable },
];

describe.each(backends)('a gateway restart on $name', ({ env, available }) => {
  const schema = schemaName('facegate_azure');
  const started: GatewayProcess[] = [];
  const start = async (dataDir?: string) => {
    const gw = await startGateway({ config: config(), env: env(schema), dataDir });
    started.push(gw);
    return gw;
  };
  afterAll(async () => {
    for (const gw of started) await gw.stop();
    if (started[0]) removeDataDir(started[0].dataDir);
    if (available && env(schema).DATABASE_URL) await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  });

  it.skipIf(!available)('keeps users and faces usable: a face indexed before the crash is associated after it', async () => {
    const first = await start();
    const id = uniqueCollectionId('restart');
    const c = ref(id, 'azure');
    await createCollection(first.url, id, 'azure');
    await createUsers(first.url, id, ['alice', 'bob'], 'azure');
    const identity = `${id}-alice`;
    const a1 = await indexFace(first.url, c, fakePng({ label: `${id}-1`, faces: [{ identity }] }));
    const a2 = await indexFace(first.url, c, fakePng({ label: `${id}-2`, faces: [{ identity }] }));
    expect(await associate(first.url, c, 'alice', [a1])).toEqual([a1]);
    await first.kill();

    const second = await start(first.dataDir);
    expect(await associate(second.url, c, 'alice', [a2])).toEqual([a2]);
    const d = await gqlData(
      second.url,
      `query($c: CollectionRef!) { collection(ref: $c) { userCount faceCount user(userId: "alice") { faceCount } } }`,
      { c },
    );
    expect(d.collection).toEqual({ userCount: 2, faceCount: 2, user: { faceCount: 2 } });
    expect(await search(second.url, c, fakePng({ label: `${id}-3`, faces: [{ identity }] }))).toEqual(['alice']);

    // Moving a face between users re-extracts it from the retained image again.
    const dis = await gqlData(
      second.url,
      `mutation($c: CollectionRef!) { disassociateFaces(input: { collection: $c, userId: "alice", faceIds: [${JSON.stringify(a1)}] }) {
      __typename ${ERROR_FIELDS} } }`,
      { c },
    );
    expect(dis.disassociateFaces.__typename).toBe('DisassociateFacesSuccess');
    expect(await associate(second.url, c, 'bob', [a1])).toEqual([a1]);
  });
});

describe('a training that fails', () => {
  let gw: GatewayProcess;
  beforeAll(async () => {
    gw = await startGateway({ config: config() });
  });
  afterAll(async () => {
    await gw.stop();
    removeDataDir(gw.dataDir);
  });

  it('ends its TRAIN_COLLECTION operation FAILED in our words (Azure’s reason is logged, not sent); the next one succeeds', async () => {
    const id = uniqueCollectionId('trainfail');
    const c = ref(id, 'azure');
    await createCollection(gw.url, id, 'azure');
    fake.failNextTraining(id, 'Training failed (injected for the test).');
    const failed = await gqlData(gw.url, TRAIN, { c });
    const events = await follow(gw.wsUrl, failed.trainCollection.operation.id);
    expect(events.at(-1)).toMatchObject({ kind: 'TRAIN_COLLECTION', status: 'FAILED' });
    expect(events.at(-1)!.message).toMatch(/failed: expected status succeeded, got failed$/);
    expect(events.at(-1)!.message).not.toContain('injected for the test');
    await expect.poll(() => gw.logs.some((l) => String(l.msg).includes('Training failed (injected for the test).'))).toBe(true);
    const again = await gqlData(gw.url, TRAIN, { c });
    expect((await follow(gw.wsUrl, again.trainCollection.operation.id)).at(-1)!.status).toBe('SUCCEEDED');
  });
});
