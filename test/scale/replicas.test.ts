/**
 * Several replicas on one PostgreSQL and one Redis (as on this machine:
 * 127.0.0.1:5432 database `test`, 127.0.0.1:6379). Each run uses its own
 * schema and Redis prefix. Without the services these tests skip with a
 * message — unless CI=true, where they must run (support/environment.ts).
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
import { DATABASE_URL, holdTable, pgAvailable } from '../postgres/support.js';
import { environmentAllows } from '../support/environment.js';
import { until } from '../support/wait.js';

const REDIS = { host: '127.0.0.1', port: 6379 };
const REDIS_START = `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log`;

const reachable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
// PostgreSQL as the tests use it (role, database: pgAvailable), and Redis; under CI=true either missing fails.
const servicesUp =
  pgAvailable &&
  environmentAllows('the scale-out tests (Redis)', (await reachable(REDIS.port)) ? null : `nothing listens on 127.0.0.1:${REDIS.port}`);

const LEASE_MS = 2000;
const schema = `facegate_replicas_${randomUUID().slice(0, 8)}`;
const prefix = `facegate-test-${randomUUID().slice(0, 8)}`;
const env = {
  DATABASE_URL,
  FACEGATE_DB_SCHEMA: schema,
  REDIS_URL: `redis://${REDIS.host}:${REDIS.port}`,
  FACEGATE_REDIS_PREFIX: prefix,
  FACEGATE_JOB_LEASE_MS: String(LEASE_MS),
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
    // B drops its index when A's change message crosses Redis, and reloads it on its next search.
    await until(async () => (await search(b)).join() === 'franck', 'B to find the face A associated', 30_000);
    const dis = `mutation($f: [String!]!) { disassociateFaces(input: { collection: { provider: "local", collectionId: "faces" }, userId: "franck", faceIds: $f }) { __typename } }`;
    expect((await gqlData(b.url, dis, { f: [faceId] })).disassociateFaces.__typename).toBe('DisassociateFacesSuccess');
    await until(async () => (await search(a)).length === 0, 'A to stop finding the face B disassociated', 30_000);
  });

  it('finishes on the other replica an apply whose replica was killed mid-way, duplicating nothing', async () => {
    const c = await startReplica();
    // Held at its first chunk: the runner's chunk waits for this lock (a killed replica's transaction is
    // rolled back when its connection drops), so the kill comes before completion.
    const held = await holdTable(schema, 'users');
    const op = await applyOn(c, bigSnapshot, 'copy-kill');
    // Kill whichever replica picked the job up, once it waits at its first chunk.
    const operationId = String(JSON.parse(Buffer.from(op, 'base64url').toString())[1]);
    const startedOn = (gw: GatewayProcess) => gw.logs.some((l) => l.msg === 'operation started' && String(l.operationId) === operationId);
    let runner: GatewayProcess;
    try {
      await until(() => held.waiting(), "the runner's first chunk to wait for the users table");
      runner = await until(() => [a, b, c].find(startedOn), 'a replica to log the start of the apply');
      await runner.kill();
    } finally {
      await held.release();
    }
    const survivor = [a, b, c].find((gw) => gw !== runner && isRunning(gw.child))!;
    const events = await follow(survivor, op);
    expect(events.at(-1).snapshotProgress.status).toBe('SUCCEEDED');
    // Re-run from the start by another replica (the lease lapsed), not finished by the killed one.
    expect([a, b, c].filter((gw) => gw !== runner).some(startedOn)).toBe(true);
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
      const read = async () =>
        (await gqlData(other.url, `query($id: ID!) { operation(id: $id) { status message lastActionAt } }`, { id: op })).operation;
      const status = async () => {
        const { lastActionAt: _at, ...rest } = await read();
        return rest;
      };
      // Beyond the lease (2 s): the live replica keeps moving lastActionAt, so the sweeps on every replica
      // (each a third of the lease) leave its training RUNNING.
      const first = Date.parse((await read()).lastActionAt);
      await until(
        async () => Date.parse((await read()).lastActionAt) - first >= LEASE_MS,
        'the trainer to keep its training alive past a lease',
      );
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
    // The apply is held at its first chunk for the whole outage, so its terminal event can only come after it.
    const held = await holdTable(schema, 'users');
    const op = await applyOn(run, bigSnapshot, 'copy-redis');
    const events: any[] = [];
    const client = wsClient(sub.wsUrl);
    let released = false;
    let endedHeld = false;
    const following = collectSubscription<any>(client, PROGRESS, { id: op }, (e) => {
      events.push(e);
      if (!released && ['SUCCEEDED', 'FAILED'].includes(e.snapshotProgress.status)) endedHeld = true;
    });
    try {
      await until(() => held.waiting(), "the apply's first chunk to wait for the users table");
      await until(() => events.length > 0, 'the subscriber to get its first event');
      execSync('redis-cli -p 6379 shutdown nosave', { stdio: 'ignore' });
      try {
        await until(async () => (await readyz(sub)) === 503, "/readyz of the subscriber's replica to report Redis down");
      } finally {
        // Redis is shared with the rest of the run: it comes back even when this test fails.
        execSync(REDIS_START, { stdio: 'ignore' });
      }
      // Readiness comes back once the replica has reconnected (ioredis backs off up to 2 s).
      await until(async () => (await readyz(sub)) === 200, '/readyz to recover with Redis');
    } finally {
      released = true;
      await held.release();
    }
    const terminal = (e: any) => ['SUCCEEDED', 'FAILED'].includes(e.snapshotProgress.status);
    await until(() => events.some(terminal), 'the subscriber to get the terminal event', 30_000).finally(() => client.dispose());
    await following;
    expect(endedHeld).toBe(false);
    expect(events.at(-1).snapshotProgress.status).toBe('SUCCEEDED');
    expect(await collectionCounts(sub.url, 'copy-redis')).toEqual({ userCount: 3000, faceCount: 0 });
  }, 120_000);
});

const readyz = async (gw: GatewayProcess): Promise<number> => (await fetch(gw.url.replace(/\/graphql$/, '/readyz'))).status;
