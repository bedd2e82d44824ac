/**
 * Several replicas on one PostgreSQL and one Redis (as on this machine:
 * 127.0.0.1:5432 database `test`, 127.0.0.1:6379). Each run uses its own
 * schema and Redis prefix. Without the services these tests skip with a
 * message — unless CI=true, where they must run.
 */
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSubscription, gqlData, isRunning, removeDataDir, startGateway, wsClient, type GatewayProcess } from '../support/gateway.js';
import { collectionCounts, createCollection, createUsers, ref } from '../support/fixtures.js';
import { PHOTOS } from '../support/photos.js';
import { startFakeAzureFace } from '../fakes/azure-face/server.js';
import { TRAIN } from '../azure-face-provider/gateway-support.js';

const DATABASE_URL = process.env.FACEGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = { host: '127.0.0.1', port: 6379 };
const REDIS_START = `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log`;

const reachable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
const servicesUp = (await reachable(5432)) && (await reachable(REDIS.port));
if (!servicesUp && process.env.CI === 'true')
  throw new Error('CI=true but PostgreSQL (5432) or Redis (6379) is not reachable: the scale-out tests must run in CI');
if (!servicesUp) console.warn('skipping scale-out tests: PostgreSQL on 127.0.0.1:5432 or Redis on 127.0.0.1:6379 is not reachable');

const schema = `facegate_replicas_${randomUUID().slice(0, 8)}`;
const prefix = `facegate-test-${randomUUID().slice(0, 8)}`;
const env = {
  DATABASE_URL,
  FACEGATE_DB_SCHEMA: schema,
  REDIS_URL: `redis://${REDIS.host}:${REDIS.port}`,
  FACEGATE_REDIS_PREFIX: prefix,
  FACEGATE_JOB_LEASE_MS: '2000',
};
const replicas: GatewayProcess[] = [];
const startReplica = async () => {
  const gw = await startGateway({ env });
  replicas.push(gw);
  return gw;
};

const PROGRESS = `subscription($id: ID!) { snapshotProgress(operationId: $id) { status percent processedItems message snapshot { id } } }`;
const b64 = (file: string) => readFileSync(file).toString('base64');

async function follow(gw: GatewayProcess, operationId: string) {
  const client = wsClient(gw.wsUrl);
  try {
    return await collectSubscription<any>(client, PROGRESS, { id: operationId });
  } finally {
    await client.dispose();
  }
}

async function takeOn(gw: GatewayProcess, collectionId: string): Promise<string> {
  const d = await gqlData(
    gw.url,
    `mutation($c: CollectionRef!) { takeSnapshot(input: { collection: $c }) { ... on TakeSnapshotAccepted { operation { id } } } }`,
    { c: ref(collectionId) },
  );
  return d.takeSnapshot.operation.id;
}

async function applyOn(gw: GatewayProcess, snapshotId: string, target: string): Promise<string> {
  const d = await gqlData(
    gw.url,
    `mutation($s: ID!, $t: CollectionRef!) { applySnapshot(input: { snapshotId: $s, target: $t }) { __typename ... on ApplySnapshotAccepted { operation { id } } } }`,
    {
      s: snapshotId,
      t: ref(target),
    },
  );
  return d.applySnapshot.operation.id;
}

describe.skipIf(!servicesUp)('two replicas on PostgreSQL and Redis', () => {
  let a: GatewayProcess;
  let b: GatewayProcess;
  let bigSnapshot: string;

  beforeAll(async () => {
    a = await startReplica();
    b = await startReplica();
    await createCollection(a.url, 'big');
    for (let i = 0; i < 6; i++)
      await createUsers(
        a.url,
        'big',
        Array.from({ length: 500 }, (_, j) => `u${i}-${j}`),
      );
    const events = await follow(b, await takeOn(b, 'big'));
    bigSnapshot = events.at(-1).snapshotProgress.snapshot.id;
  });

  afterAll(async () => {
    for (const gw of replicas) {
      await gw.stop();
      removeDataDir(gw.dataDir);
    }
    execSync(`psql "${DATABASE_URL}" -c 'DROP SCHEMA IF EXISTS ${schema} CASCADE'`, { stdio: 'ignore' });
  });

  it('serves any collection from any replica', async () => {
    expect(await collectionCounts(b.url, 'big')).toEqual({ userCount: 3000, faceCount: 0 });
  });

  it('streams to a subscriber on A every event of an operation started on B', async () => {
    const op = await applyOn(b, bigSnapshot, 'copy-1');
    const events = await follow(a, op);
    const statuses = events.map((e) => e.snapshotProgress.status);
    expect(statuses.at(-1)).toBe('SUCCEEDED');
    expect(events.filter((e) => e.snapshotProgress.status === 'RUNNING').length).toBeGreaterThan(1);
    for (let i = 1; i < events.length; i++)
      expect(events[i].snapshotProgress.processedItems).toBeGreaterThanOrEqual(events[i - 1].snapshotProgress.processedItems);
    expect(await collectionCounts(a.url, 'copy-1')).toEqual({ userCount: 3000, faceCount: 0 });
  });

  it('honours clientRequestToken across replicas', async () => {
    const create = `mutation($u: String!, $t: String) { createUser(input: { collection: { provider: "local", collectionId: "big" }, userId: $u, clientRequestToken: $t }) { __typename } }`;
    expect((await gqlData(a.url, create, { u: 'tok-user', t: 'tok-1' })).createUser.__typename).toBe('CreateUserSuccess');
    expect((await gqlData(b.url, create, { u: 'tok-user', t: 'tok-1' })).createUser.__typename).toBe('CreateUserSuccess');
    expect((await gqlData(b.url, create, { u: 'other', t: 'tok-1' })).createUser.__typename).toBe('IdempotencyConflict');
  });

  it('keeps search consistent after writes on the other replica', async () => {
    await createCollection(a.url, 'faces');
    await createUsers(a.url, 'faces', ['franck']);
    const idx = await gqlData(
      a.url,
      `mutation($img: String!) { indexFaces(input: { collection: { provider: "local", collectionId: "faces" }, image: { base64: $img }, maxFaces: 1 }) {
      ... on IndexFacesSuccess { faces { faceId } } } }`,
      { img: b64(PHOTOS.franck[0]) },
    );
    const faceId = idx.indexFaces.faces[0].faceId;
    const search = (gw: GatewayProcess) =>
      gqlData(
        gw.url,
        `query($img: String!) { searchUsersByImage(input: { collection: { provider: "local", collectionId: "faces" }, image: { base64: $img } }) {
        ... on SearchUsersByImageSuccess { userMatches { user { userId } } } } }`,
        { img: b64(PHOTOS.franck[1]) },
      ).then((d) => d.searchUsersByImage.userMatches.map((m: any) => m.user.userId));
    expect(await search(b)).toEqual([]); // loads B's index (empty)
    const assoc = `mutation($f: [String!]!) { associateFaces(input: { collection: { provider: "local", collectionId: "faces" }, userId: "franck", faceIds: $f }) { __typename } }`;
    expect((await gqlData(a.url, assoc, { f: [faceId] })).associateFaces.__typename).toBe('AssociateFacesSuccess');
    await new Promise((r) => setTimeout(r, 200)); // the change message crosses Redis
    expect(await search(b)).toEqual(['franck']);
    const dis = `mutation($f: [String!]!) { disassociateFaces(input: { collection: { provider: "local", collectionId: "faces" }, userId: "franck", faceIds: $f }) { __typename } }`;
    expect((await gqlData(b.url, dis, { f: [faceId] })).disassociateFaces.__typename).toBe('DisassociateFacesSuccess');
    await new Promise((r) => setTimeout(r, 200));
    expect(await search(a)).toEqual([]);
  });

  it('finishes on the other replica an apply whose replica was killed mid-way, duplicating nothing', async () => {
    const c = await startReplica();
    const op = await applyOn(c, bigSnapshot, 'copy-kill');
    // Kill whichever replica picked the job up, once it is running.
    let runner: GatewayProcess | undefined;
    for (let i = 0; i < 200 && !runner; i++) {
      runner = [a, b, c].find((gw) =>
        gw.logs.some(
          (l) => l.msg === 'operation started' && String(l.operationId) === JSON.parse(Buffer.from(op, 'base64url').toString())[1],
        ),
      );
      if (!runner) await new Promise((r) => setTimeout(r, 25));
    }
    expect(runner).toBeDefined();
    await runner!.kill();
    const survivor = [a, b, c].find((gw) => gw !== runner && isRunning(gw.child))!;
    const events = await follow(survivor, op);
    expect(events.at(-1).snapshotProgress.status).toBe('SUCCEEDED');
    expect(await collectionCounts(survivor.url, 'copy-kill')).toEqual({ userCount: 3000, faceCount: 0 });
  });

  it('keeps a training RUNNING while its replica lives, and fails it on the others once that replica is killed', async () => {
    const azure = await startFakeAzureFace({ trainingMs: 10 * 60_000 });
    try {
      const trainer = await startGateway({
        env,
        config: {
          providers: [
            { name: 'local', kind: 'local' },
            {
              name: 'azure',
              kind: 'azure-face',
              endpoint: azure.url,
              apiKey: azure.apiKey,
              trainDebounceMs: 0,
              trainingPollMs: 20,
              retryBaseDelayMs: 20,
            },
          ],
        },
      });
      replicas.push(trainer);
      // The earlier kill test may have killed A or B.
      const other = replicas.find((gw) => gw !== trainer && isRunning(gw.child))!;
      await createCollection(trainer.url, 'trained', 'azure');
      const op = (await gqlData(trainer.url, TRAIN, { c: ref('trained', 'azure') })).trainCollection.operation.id;
      // Beyond the lease (2 s): the live replica keeps saying its training runs.
      await new Promise((r) => setTimeout(r, 3000));
      const status = async () =>
        (await gqlData(other.url, `query($id: ID!) { operation(id: $id) { status message } }`, { id: op })).operation;
      expect(await status()).toEqual({ status: 'RUNNING', message: null });
      await trainer.kill();
      const events = await follow(other, op);
      expect(events.at(-1).snapshotProgress).toMatchObject({
        status: 'FAILED',
        message: expect.stringMatching(/replica running this training stopped reporting/),
      });
      expect((await status()).status).toBe('FAILED');
    } finally {
      await azure.stop();
    }
  }, 60_000);

  it('delivers the terminal event to a subscriber across a Redis restart', async () => {
    const live = replicas.filter((gw) => isRunning(gw.child));
    const [sub, run] = live.length > 1 ? live : [live[0], live[0]];
    const op = await applyOn(run, bigSnapshot, 'copy-redis');
    const following = follow(sub, op);
    await new Promise((r) => setTimeout(r, 100));
    execSync('redis-cli -p 6379 shutdown nosave || true', { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1500));
    execSync(REDIS_START, { stdio: 'ignore' });
    const events = await following;
    expect(['SUCCEEDED', 'FAILED']).toContain(events.at(-1).snapshotProgress.status);
    // Readiness comes back once the replica has reconnected (ioredis backs off up to 2 s).
    let ready = 0;
    for (let i = 0; i < 60 && ready !== 200; i++) {
      ready = (await fetch(sub.url.replace(/\/graphql$/, '/readyz'))).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ready).toBe(200);
  }, 120_000);
});
