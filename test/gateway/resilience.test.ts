/**
 * Provider resilience in the gateway (timeouts, retries, circuit breaker)
 * and cancellation, against both cloud fakes with the real SDK clients, on a
 * gateway of its own with fakes of its own (faults here must not reach the
 * shared ones).
 *
 * Each fake backs two instances: `aws` / `azure` with tight resilience
 * settings (adapter retries off, so one GraphQL call is one fake request),
 * and `aws-patient` / `azure-patient` with the default 60 s timeout, where
 * only a cancellation can end a slow request early.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { fakePng, startFakeAzureFace, type FakeAzureFace } from '../fakes/azure-face/server.js';

type AzureFault = Parameters<FakeAzureFace['inject']>[0];
import { startFakeRekognition, type FakeRekognition } from '../fakes/rekognition/server.js';
import { gql, metricSum, removeDataDir, startGateway, wsClient, type GatewayProcess } from '../support/gateway.js';
import { until } from '../support/wait.js';

const TIMEOUT_MS = 1000;
const THRESHOLD = 3;
const OPEN_MS = 1500;
const tight = { timeoutMs: TIMEOUT_MS, retry: { attempts: 2, baseDelayMs: 10 }, breaker: { failureThreshold: THRESHOLD, openMs: OPEN_MS } };

let rekognition: FakeRekognition;
let azure: FakeAzureFace;
let gw: GatewayProcess;

/** What differs between the fakes: how they are reached, and the operation a search makes. */
interface FakeUnderTest {
  provider: string;
  patient: string;
  searchOp: string;
  /** The operation a collection lookup (a DataLoader batch) makes for a collection the adapter has not cached. */
  lookupOp: string;
  fake: () => {
    reset(): void;
    clearCalls(): void;
    inject(f: { op?: string; kind: '500' | 'latency'; times: number; latencyMs?: number }): void;
    readonly calls: readonly { op: string; fault: string | null; status: number | null; clientAborted: boolean }[];
  };
}

const FAKES: FakeUnderTest[] = [
  { provider: 'aws', patient: 'aws-patient', searchOp: 'SearchUsersByImage', lookupOp: 'DescribeCollection', fake: () => rekognition },
  {
    provider: 'azure',
    patient: 'azure-patient',
    searchOp: 'Detect',
    lookupOp: 'GetLargePersonGroup',
    // The Azure fake types `op` as its operation names; searchOp is one of them.
    fake: () => Object.assign(Object.create(azure) as FakeAzureFace, { inject: (f: { op?: string }) => azure.inject(f as AzureFault) }),
  },
];

const COLLECTION = 'resilience';
const E = '__typename ... on Error { code message } ... on ProviderUnavailable { provider }';
const png = fakePng({ faces: [{ identity: 'zoe' }], label: 'resilience' });
const SEARCH = `query($c: CollectionRef!, $img: String!) { searchUsersByImage(input: { collection: $c, image: { base64: $img } }) {
  ${E} ... on SearchUsersByImageSuccess { userMatches { similarity } } } }`;

const search = (provider: string) =>
  gql(gw.url, SEARCH, { c: { provider, collectionId: COLLECTION }, img: Buffer.from(png).toString('base64') });
const createCollection = async (provider: string, collectionId: string) =>
  (
    await gql(gw.url, `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { ${E} } }`, {
      c: { provider, collectionId },
    })
  ).data?.createCollection;

/**
 * Repeats `call` while the circuit answers it fast ("circuit open"), and returns the first answer it let
 * through: the half-open probe's. Polling the circuit itself, not a clock, tells when openMs has passed.
 */
const untilAdmitted = (call: () => Promise<{ message?: string } | undefined>) =>
  until(async () => {
    const answer = await call();
    return answer && !/circuit open/.test(answer.message ?? '') ? answer : null;
  }, 'the circuit to let a probe through');

beforeAll(async () => {
  [rekognition, azure] = await Promise.all([startFakeRekognition(), startFakeAzureFace()]);
  const aws = {
    kind: 'rekognition',
    region: 'us-east-1',
    endpoint: rekognition.url,
    accessKeyId: 'AKIDRESILIENCE',
    secretAccessKey: 'x',
    maxAttempts: 1,
  };
  const az = {
    kind: 'azure-face',
    endpoint: azure.url,
    apiKey: azure.apiKey,
    maxAttempts: 1,
    trainDebounceMs: 0,
    trainingPollMs: 20,
    retryBaseDelayMs: 20,
  };
  gw = await startGateway({
    config: {
      providers: [
        { name: 'aws', ...aws, resilience: tight },
        { name: 'aws-patient', ...aws },
        { name: 'azure', ...az, resilience: tight },
        { name: 'azure-patient', ...az },
      ],
    },
  });
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all([rekognition?.stop(), azure?.stop()]);
  if (gw) removeDataDir(gw.dataDir);
});

/** A successful search on `provider`: its failure count starts from 0 (polling out an open circuit if a test left one). */
async function healthy(provider: string): Promise<void> {
  await until(
    async () => (await search(provider)).data?.searchUsersByImage.__typename === 'SearchUsersByImageSuccess',
    `${provider} to answer a search`,
    4 * OPEN_MS,
  );
}

describe.each(FAKES)('$provider', ({ provider, patient, searchOp, lookupOp, fake }) => {
  beforeEach(async () => {
    await healthy(provider);
    await healthy(patient);
  });

  beforeAll(async () => {
    fake().reset();
    // Both instances share the fake, so one collection serves both; a first search loads the adapter's caches.
    expect(await createCollection(provider, COLLECTION)).toMatchObject({ __typename: 'CreateCollectionSuccess' });
    expect((await search(provider)).data?.searchUsersByImage.__typename).toBe('SearchUsersByImageSuccess');
    expect((await search(patient)).data?.searchUsersByImage.__typename).toBe('SearchUsersByImageSuccess');
  });

  it('retries a read-only call once after a 5xx and answers its success', async () => {
    fake().clearCalls();
    fake().inject({ op: searchOp, kind: '500', times: 1 });
    expect((await search(provider)).data?.searchUsersByImage.__typename).toBe('SearchUsersByImageSuccess');
    expect(
      fake()
        .calls.filter((c) => c.op === searchOp)
        .map((c) => [c.fault, c.status]),
    ).toEqual([
      ['500', 500],
      [null, 200],
    ]);
  });

  it('does not retry a write', async () => {
    fake().clearCalls();
    fake().inject({ kind: '500', times: 1 });
    expect(await createCollection(provider, 'resilience-write')).toMatchObject({ __typename: 'ProviderUnavailable', provider });
    expect(fake().calls.map((c) => c.fault)).toEqual(['500']);
  });

  it('aborts a call that outlives timeoutMs and answers ProviderUnavailable', async () => {
    fake().clearCalls();
    fake().inject({ op: searchOp, kind: 'latency', latencyMs: 5 * TIMEOUT_MS, times: 2 });
    const res = (await search(provider)).data?.searchUsersByImage;
    expect(res).toMatchObject({ __typename: 'ProviderUnavailable', code: 'PROVIDER_UNAVAILABLE', provider });
    expect(res.message).toContain(`expected an answer within ${TIMEOUT_MS} ms`);
    // Both attempts (a read is retried) were aborted at the fake, not left to finish.
    await until(() => fake().calls.filter((c) => c.op === searchOp && c.clientAborted).length === 2, 'two aborted requests at the fake');
    // A success closes the count again.
    const again = await search(provider);
    expect(again.data?.searchUsersByImage, JSON.stringify(again)).toMatchObject({ __typename: 'SearchUsersByImageSuccess' });
  });

  it(`opens the circuit after ${THRESHOLD} failures, fails fast without calling the provider, and a half-open probe recovers`, async () => {
    fake().clearCalls();
    fake().inject({ kind: '500', times: 1000 });
    for (let i = 0; i < THRESHOLD; i++) {
      expect(await createCollection(provider, `open-${i}`)).toMatchObject({ __typename: 'ProviderUnavailable', provider });
    }
    const reached = fake().calls.length;
    expect(reached).toBe(THRESHOLD);
    // Open: fast failures, nothing reaches the fake; as a GraphQL error it carries providerCode CIRCUIT_OPEN.
    const fast = await createCollection(provider, 'open-fast');
    expect(fast).toMatchObject({ __typename: 'ProviderUnavailable', provider });
    expect(fast.message).toMatch(/circuit open/);
    const query = await gql(gw.url, `query($c: CollectionRef!) { collection(ref: $c) { collectionId } }`, {
      c: { provider, collectionId: COLLECTION },
    });
    expect(query.errors?.[0].extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', providerCode: 'CIRCUIT_OPEN' });
    expect(fake().calls.length).toBe(reached);
    expect(await metricSum(gw.url, 'facegate_provider_circuit_open', { provider })).toBe(1);
    // The other instance on the same fake has its own circuit.
    expect((await createCollection(patient, 'open-other')).__typename).toBe('ProviderUnavailable');
    expect(fake().calls.length).toBeGreaterThan(reached);

    // Half-open after openMs: calls fail fast until the circuit lets one through, the probe, which reaches
    // the fake; it fails, so the circuit opens again at once.
    fake().clearCalls();
    expect(await untilAdmitted(() => createCollection(provider, 'probe-1'))).toMatchObject({ __typename: 'ProviderUnavailable' });
    expect(fake().calls.length).toBe(1);
    expect((await createCollection(provider, 'probe-1b')).message).toMatch(/circuit open/);
    expect(fake().calls.length).toBe(1);

    // The provider recovers; the next probe succeeds and closes the circuit.
    fake().reset();
    expect(await untilAdmitted(() => createCollection(provider, COLLECTION))).toMatchObject({ __typename: 'CreateCollectionSuccess' });
    expect(await createCollection(provider, 'closed-again')).toMatchObject({ __typename: 'CreateCollectionSuccess' });
    expect(fake().calls.length).toBeGreaterThanOrEqual(2);
    expect(await metricSum(gw.url, 'facegate_provider_circuit_open', { provider })).toBe(0);
    // Log lines arrive through a pipe, a moment later.
    await until(() => gw.logs.some((l) => l.msg === 'provider circuit open' && l.provider === provider), 'a log line for the opening');
    await until(() => gw.logs.some((l) => l.msg === 'provider circuit closed' && l.provider === provider), 'a log line for the closing');
  });

  // The request's signal reaches the adapter as the context the resolver passes, and as the call
  // options the request's DataLoaders were made with.
  it.each([
    {
      via: 'a resolver',
      op: () => searchOp,
      query: SEARCH,
      variables: () => ({ c: { provider: patient, collectionId: COLLECTION }, img: Buffer.from(png).toString('base64') }),
    },
    {
      via: 'a DataLoader batch',
      op: () => lookupOp,
      query: `query($c: CollectionRef!) { collection(ref: $c) { collectionId } }`,
      // Not a collection the adapter holds in a cache: the lookup reaches the fake.
      variables: () => ({ c: { provider: patient, collectionId: 'resilience-lookup' } }),
    },
  ])(
    'aborts the provider request made through $via when the HTTP client disconnects (no gateway timeout involved)',
    async ({ op, query, variables }) => {
      fake().clearCalls();
      fake().inject({ op: op(), kind: 'latency', latencyMs: 20_000, times: 1 });
      const operationsBefore = await metricSum(gw.url, 'facegate_graphql_operations_total');
      const controller = new AbortController();
      const request = fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables: variables() }),
        signal: controller.signal,
      });
      await until(() => fake().calls.some((c) => c.op === op()), 'the call to reach the fake');
      controller.abort();
      await expect(request).rejects.toThrow();
      await until(() => fake().calls.find((c) => c.op === op())?.clientAborted === true, 'the gateway to abort its request to the fake');
      // The positive signal that the operation ended: it is counted once answered (to a closed connection).
      // An unexpected error would have been logged before that (pino writes synchronously), so its absence
      // is worth asserting only now.
      await until(
        async () => (await metricSum(gw.url, 'facegate_graphql_operations_total')) > operationsBefore,
        'the aborted operation to be counted',
      );
      expect(gw.logs.filter((l) => String(l.msg).startsWith('unexpected error'))).toEqual([]);
    },
  );
});

describe('over WebSocket', () => {
  it('aborts the provider request when the client completes the operation before its result', async () => {
    rekognition.clearCalls();
    rekognition.inject({ op: 'SearchUsersByImage', kind: 'latency', latencyMs: 20_000, times: 1 });
    const client = wsClient(gw.wsUrl);
    try {
      const unsubscribe = client.subscribe(
        {
          query: SEARCH,
          variables: { c: { provider: 'aws-patient', collectionId: COLLECTION }, img: Buffer.from(png).toString('base64') },
        },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
      await until(() => rekognition.callsTo('SearchUsersByImage').length === 1, 'the search to reach the fake');
      unsubscribe();
      await until(() => rekognition.callsTo('SearchUsersByImage')[0].clientAborted, 'the gateway to abort its request to the fake');
    } finally {
      await client.dispose();
    }
  });

  it('aborts the provider request when the socket closes before the result', async () => {
    azure.clearCalls();
    azure.inject({ op: 'Detect', kind: 'latency', latencyMs: 20_000, times: 1 });
    const socket = new WebSocket(gw.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise((resolve) => socket.once('message', resolve)); // connection_ack
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: {
          query: SEARCH,
          variables: { c: { provider: 'azure-patient', collectionId: COLLECTION }, img: Buffer.from(png).toString('base64') },
        },
      }),
    );
    await until(() => azure.calls.some((c) => c.op === 'Detect'), 'the search to reach the fake');
    socket.terminate();
    await until(() => azure.calls.find((c) => c.op === 'Detect')?.clientAborted === true, 'the gateway to abort its request to the fake');
  });
});
