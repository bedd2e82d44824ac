/**
 * An azure-face instance with `snapshotApi: "v1.0"`: takes and applies go
 * through Azure's own Snapshot API (Operation-Location polling), whose
 * statuses feed snapshotProgress; the applied collection keeps ids,
 * associations and retained images; a snapshot Azure has expired (48 h on
 * the fake's clock) is refused with SnapshotExpired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SUBSCRIPTION_ID, fakePng, startFakeAzureFace, type FakeAzureFace } from '../fakes/azure-face/server.js';
import { createCollection, createUsers, ERROR_FIELDS, ref, uniqueCollectionId } from '../support/fixtures.js';
import { gqlData, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';
import { associate, follow, indexFace, search } from './gateway-support.js';
import { until } from '../support/wait.js';

const SUBSCRIPTION = DEFAULT_SUBSCRIPTION_ID;
let fake: FakeAzureFace;
let gw: GatewayProcess;

beforeAll(async () => {
  fake = await startFakeAzureFace({ snapshotMs: 400 });
  gw = await startGateway({
    config: {
      providers: [
        {
          name: 'azure',
          kind: 'azure-face',
          endpoint: fake.url,
          apiKey: fake.apiKey,
          trainDebounceMs: 0,
          trainingPollMs: 20,
          // Shorter than the take below: a take is followed for snapshotTimeoutMs, not the training's timeout.
          trainingTimeoutMs: 1_000,
          retryBaseDelayMs: 20,
          snapshotApi: 'v1.0',
          subscriptionId: SUBSCRIPTION,
        },
        // The same Face resource on gateway copies: nothing of its own to share with another subscription.
        { name: 'azure-gw', kind: 'azure-face', endpoint: fake.url, apiKey: fake.apiKey, trainDebounceMs: 0, retryBaseDelayMs: 20 },
      ],
    },
  });
});
afterAll(async () => {
  await gw?.stop();
  if (gw) removeDataDir(gw.dataDir);
  await fake?.stop();
});

const TAKE = `mutation($c: CollectionRef!) { takeSnapshot(input: { collection: $c }) {
  __typename ... on TakeSnapshotAccepted { operation { id snapshot { id } } } ${ERROR_FIELDS} } }`;
const APPLY = `mutation($s: ID!, $t: CollectionRef!) { applySnapshot(input: { snapshotId: $s, target: $t }) {
  __typename ... on ApplySnapshotAccepted { operation { id } } ... on SnapshotExpired { snapshotId expiredAt } ${ERROR_FIELDS} } }`;
const FACES = `query($c: CollectionRef!) { collection(ref: $c) { userCount faceCount faces { edges { node { faceId user { userId } } } } } }`;

describe('snapshotApi "v1.0"', () => {
  const id = uniqueCollectionId('v10');
  const c = ref(id, 'azure');
  const identity = `${id}-alice`;
  let snapshotId = '';

  it('takes through Azure’s Snapshot API with progress events from the polled operations', async () => {
    await createCollection(gw.url, id, 'azure');
    await createUsers(gw.url, id, ['alice', 'bob'], 'azure');
    await associate(gw.url, c, 'alice', [await indexFace(gw.url, c, fakePng({ label: `${id}-1`, faces: [{ identity }] }))]);
    await indexFace(gw.url, c, fakePng({ label: `${id}-2`, faces: [{ identity }] }), 'spare');

    fake.clearCalls();
    fake.setSnapshotMs(1_500); // longer than trainingTimeoutMs
    const taken = await gqlData(gw.url, TAKE, { c });
    expect(taken.takeSnapshot.__typename, JSON.stringify(taken)).toBe('TakeSnapshotAccepted');
    snapshotId = taken.takeSnapshot.operation.snapshot.id;
    const events = await follow(gw.wsUrl, taken.takeSnapshot.operation.id);
    fake.setSnapshotMs(400);
    expect(events.at(-1)).toMatchObject({
      kind: 'TAKE_SNAPSHOT',
      status: 'SUCCEEDED',
      percent: 100,
      snapshot: { userCount: 2, faceCount: 2 },
    });
    // Items copied (2 users + 2 faces), then the two Azure operations (group, list) moving notstarted → running → succeeded.
    const running = events.filter((e) => e.status === 'RUNNING').map((e) => e.processedItems);
    expect(
      running.some((n) => n > 4 && n < 8),
      JSON.stringify(events),
    ).toBe(true);
    expect(events.filter((e) => e.status === 'RUNNING' && e.processedItems > 0).every((e) => e.totalItems === 8)).toBe(true);
    expect(
      fake
        .callsTo('TakeSnapshot')
        .map((call) => (call.body as { type: string }).type)
        .sort(),
    ).toEqual(['LargeFaceList', 'LargePersonGroup']);
    expect(fake.callsTo('TakeSnapshot').every((call) => call.status === 202)).toBe(true);
    expect(fake.callsTo('GetSnapshotOperationStatus').length).toBeGreaterThan(2);
  });

  it('applies through Azure: same face ids and associations, images retained (associate works), search finds the user', async () => {
    const target = ref(`${id}-copy`, 'azure');
    fake.clearCalls();
    const applied = await gqlData(gw.url, APPLY, { s: snapshotId, t: target });
    expect(applied.applySnapshot.__typename, JSON.stringify(applied)).toBe('ApplySnapshotAccepted');
    const events = await follow(gw.wsUrl, applied.applySnapshot.operation.id);
    expect(events.at(-1)).toMatchObject({ kind: 'APPLY_SNAPSHOT', status: 'SUCCEEDED', percent: 100 });
    expect(fake.callsTo('ApplySnapshot')).toHaveLength(2);
    expect(fake.callsTo('AddLargeFaceListFace')).toHaveLength(0); // nothing re-added face by face

    const [source, copy] = await Promise.all([gqlData(gw.url, FACES, { c }), gqlData(gw.url, FACES, { c: target })]);
    expect(copy.collection).toEqual(source.collection);
    expect(await search(gw.url, target, fakePng({ label: `${id}-3`, faces: [{ identity }] }))).toEqual(['alice']);
    const spare = (copy.collection.faces.edges as { node: { faceId: string; user: unknown } }[]).find((e) => e.node.user === null)!.node
      .faceId;
    expect(await associate(gw.url, target, 'alice', [spare])).toEqual([spare]);
  });

  it('each take sends userData naming the gateway snapshot; the collection’s writes are not blocked while Azure runs the take; delete removes Azure’s copies', async () => {
    const other = uniqueCollectionId('v10w');
    const o = ref(other, 'azure');
    await createCollection(gw.url, other, 'azure');
    await createUsers(gw.url, other, ['carol'], 'azure');
    await associate(gw.url, o, 'carol', [
      await indexFace(gw.url, o, fakePng({ label: `${other}-1`, faces: [{ identity: `${other}-carol` }] })),
    ]);
    fake.clearCalls();
    fake.setSnapshotMs(3_000);
    try {
      const taken = await gqlData(gw.url, TAKE, { c: o });
      expect(taken.takeSnapshot.__typename, JSON.stringify(taken)).toBe('TakeSnapshotAccepted');
      const takeId = taken.takeSnapshot.operation.snapshot.id as string;
      const operationId = taken.takeSnapshot.operation.id as string;
      await until(() => fake.callsTo('TakeSnapshot').length === 2, 'Azure to accept both takes');
      for (const call of fake.callsTo('TakeSnapshot'))
        expect(JSON.parse((call.body as { userData: string }).userData)).toEqual({
          facegateSnapshotId: (JSON.parse(Buffer.from(takeId, 'base64').toString()) as string[])[1], // the global id's snapshot id
          collectionId: other,
        });
      // A write to the collection answers while Azure still runs the take (the lock was released once Azure accepted it).
      await createUsers(gw.url, other, ['dave'], 'azure');
      const status = await gqlData(gw.url, `query($id: ID!) { operation(id: $id) { status } }`, { id: operationId });
      expect(status.operation.status).toBe('RUNNING');
      const events = await follow(gw.wsUrl, operationId);
      expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED' });

      const deleted = await gqlData(gw.url, `mutation($s: ID!) { deleteSnapshot(input: { snapshotId: $s }) { __typename } }`, {
        s: takeId,
      });
      expect(deleted.deleteSnapshot.__typename, JSON.stringify(deleted)).toBe('DeleteSnapshotSuccess');
      expect(fake.callsTo('DeleteSnapshot').map((c) => c.status)).toEqual([200, 200]);
      for (const call of fake.callsTo('DeleteSnapshot'))
        expect((await fetch(`${fake.url}/face/v1.0${call.path}`, { headers: { 'Ocp-Apim-Subscription-Key': fake.apiKey } })).status).toBe(
          404,
        );
    } finally {
      fake.setSnapshotMs(400);
    }
  });

  it('a take of an id Azure could never hold (its objectId rule) is InvalidInput naming the field, not CollectionNotFound', async () => {
    fake.clearCalls();
    for (const collectionId of ['has.dot', 'x'.repeat(65)]) {
      const taken = await gqlData(gw.url, TAKE, { c: ref(collectionId, 'azure') });
      expect(taken.takeSnapshot, JSON.stringify(taken)).toMatchObject({
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'input.collection.collectionId',
      });
    }
    expect(fake.calls).toHaveLength(0);
  });

  it('azureApplyScope: GUIDs sent as Azure’s applyScope with the instance’s subscription; a bad one is InvalidInput naming it; gateway copies cannot share', async () => {
    const OTHER = '0A1B2C3D-4E5F-4a6b-8c7d-9e0f1a2b3c4d';
    const SHARE = `mutation($c: CollectionRef!, $s: [String!]) { takeSnapshot(input: { collection: $c, azureApplyScope: $s }) {
      __typename ... on TakeSnapshotAccepted { operation { id } } ${ERROR_FIELDS} } }`;
    fake.clearCalls();
    const bad = await gqlData(gw.url, SHARE, { c, s: [OTHER, 'not-a-guid'] });
    expect(bad.takeSnapshot, JSON.stringify(bad)).toMatchObject({
      __typename: 'InvalidInput',
      code: 'INVALID_INPUT',
      field: 'input.azureApplyScope[1]',
    });
    expect(fake.calls).toHaveLength(0);

    const shared = await gqlData(gw.url, SHARE, { c, s: [OTHER, OTHER.toLowerCase()] });
    expect(shared.takeSnapshot.__typename, JSON.stringify(shared)).toBe('TakeSnapshotAccepted');
    expect(fake.callsTo('TakeSnapshot').map((call) => (call.body as { applyScope: string[] }).applyScope)).toEqual([
      [SUBSCRIPTION, OTHER.toLowerCase()],
      [SUBSCRIPTION, OTHER.toLowerCase()],
    ]);
    expect((await follow(gw.wsUrl, shared.takeSnapshot.operation.id)).at(-1)).toMatchObject({ status: 'SUCCEEDED' });

    const plain = uniqueCollectionId('v10p');
    await createCollection(gw.url, plain, 'azure-gw');
    fake.clearCalls();
    const refused = await gqlData(gw.url, SHARE, { c: ref(plain, 'azure-gw'), s: [OTHER] });
    expect(refused.takeSnapshot, JSON.stringify(refused)).toMatchObject({
      __typename: 'UnsupportedOperation',
      code: 'UNSUPPORTED_OPERATION',
    });
    expect(fake.callsTo('TakeSnapshot')).toHaveLength(0);
    expect((await gqlData(gw.url, TAKE, { c: ref(plain, 'azure-gw') })).takeSnapshot.__typename).toBe('TakeSnapshotAccepted');
  });

  it('deleteCollection with deleteSnapshots also deletes Azure’s copies of the collection’s snapshots', async () => {
    const gone = uniqueCollectionId('v10e');
    const g = ref(gone, 'azure');
    await createCollection(gw.url, gone, 'azure');
    await createUsers(gw.url, gone, ['erin'], 'azure');
    await associate(gw.url, g, 'erin', [
      await indexFace(gw.url, g, fakePng({ label: `${gone}-1`, faces: [{ identity: `${gone}-erin` }] })),
    ]);
    const taken = await gqlData(gw.url, TAKE, { c: g });
    expect(taken.takeSnapshot.__typename, JSON.stringify(taken)).toBe('TakeSnapshotAccepted');
    expect((await follow(gw.wsUrl, taken.takeSnapshot.operation.id)).at(-1)).toMatchObject({ status: 'SUCCEEDED' });

    fake.clearCalls();
    const deleted = await gqlData(
      gw.url,
      `mutation($c: CollectionRef!) { deleteCollection(input: { collection: $c, deleteSnapshots: true }) { __typename } }`,
      { c: g },
    );
    expect(deleted.deleteCollection.__typename, JSON.stringify(deleted)).toBe('DeleteCollectionSuccess');
    expect(fake.callsTo('DeleteSnapshot').map((call) => call.status)).toEqual([200, 200]);
    for (const call of fake.callsTo('DeleteSnapshot'))
      expect((await fetch(`${fake.url}/face/v1.0${call.path}`, { headers: { 'Ocp-Apim-Subscription-Key': fake.apiKey } })).status).toBe(
        404,
      );
  });

  it('a take Azure refuses at once (its take quota, throttling) answers QuotaExceeded or Throttled before any operation exists, and leaves nothing', async () => {
    const SNAPSHOTS = `{ snapshots(first: 100) { edges { node { id } } } }`;
    const before = (await gqlData(gw.url, SNAPSHOTS)).snapshots.edges.length as number;
    const takeOps = () => fake.callsTo('TakeSnapshot').map((call) => call.status);
    try {
      // One take left of the quota: the group's is accepted, the face list's refused (403 QuotaExceeded).
      fake.clearCalls();
      fake.setSnapshotTakeQuota(1);
      const quota = await gqlData(gw.url, TAKE, { c });
      expect(quota.takeSnapshot, JSON.stringify(quota)).toMatchObject({ __typename: 'QuotaExceeded', code: 'QUOTA_EXCEEDED' });
      expect(takeOps()).toEqual([202, 403]);

      // 429 on every attempt the transport makes: Throttled with Azure's Retry-After as the hint.
      fake.clearCalls();
      fake.setSnapshotTakeQuota(100);
      fake.inject({ op: 'TakeSnapshot', kind: 'throttle', times: 10, retryAfterSeconds: 0 });
      const throttled = await gqlData(gw.url, TAKE, { c });
      expect(throttled.takeSnapshot, JSON.stringify(throttled)).toMatchObject({ __typename: 'Throttled', code: 'THROTTLED' });
      expect(takeOps().every((status) => status === 429)).toBe(true);
    } finally {
      fake.clearFaults();
      fake.setSnapshotTakeQuota(100);
    }
    // No gateway snapshot (nor its TAKE_SNAPSHOT operation) was left by either refusal.
    expect((await gqlData(gw.url, SNAPSHOTS)).snapshots.edges).toHaveLength(before);
  });

  it('a snapshot Azure expired (48 h on its clock) is SnapshotExpired at apply time, and nothing is created', async () => {
    fake.advanceClock(48 * 60 * 60 * 1000 + 1000);
    const target = ref(`${id}-late`, 'azure');
    const late = await gqlData(gw.url, APPLY, { s: snapshotId, t: target });
    expect(late.applySnapshot).toMatchObject({ __typename: 'SnapshotExpired', code: 'SNAPSHOT_EXPIRED', snapshotId });
    expect(Date.parse(late.applySnapshot.expiredAt)).toBeLessThanOrEqual(Date.now() + 48 * 60 * 60 * 1000);
    expect(
      (await gqlData(gw.url, `query($c: CollectionRef!) { collection(ref: $c) { collectionId } }`, { c: target })).collection,
    ).toBeNull();
  });
});
