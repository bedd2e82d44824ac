/**
 * Provider faults through GraphQL: a gateway of its own with the Rekognition
 * and Azure Face adapters, pointed at in-process fakes that inject
 * throttling, 5xx, dropped connections and refusals (AccessDenied). This
 * reaches the Throttled, ProviderUnavailable and Forbidden members of the
 * unions (which the local provider cannot produce on demand) and checks that a failed call leaves
 * the state, as seen through GraphQL, unchanged. (Latency past the timeout:
 * test/gateway/resilience.test.ts, on both fakes.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakePng, startFakeRekognition, type FakeRekognition, type FaultKind } from '../fakes/rekognition/server.js';
import {
  fakePng as azurePng,
  startFakeAzureFace,
  type FakeAzureFace,
  type FaultKind as AzureFaultKind,
} from '../fakes/azure-face/server.js';
import { gql, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';
import { createUsers, uniqueCollectionId } from '../support/fixtures.js';
import { client } from './operations.js';

const PROVIDER = 'aws';
const AZURE = 'azure';
/** The adapter is configured with maxAttempts 2: two faults exhaust the SDK's retries. */
const MAX_ATTEMPTS = 2;

let fake: FakeRekognition;
let azure: FakeAzureFace;
let gateway: GatewayProcess;
let api: ReturnType<typeof client>;
const col = uniqueCollectionId('faults');
/** alice has faceA1; faceA2 is unassociated. */
let faceA1: string;
let faceA2: string;
let pngCount = 0;
const alicePng = () => Buffer.from(fakePng({ faces: [{ identity: 'alice' }], label: `alice-${pngCount++}` }));

beforeAll(async () => {
  fake = await startFakeRekognition();
  azure = await startFakeAzureFace();
  gateway = await startGateway({
    config: {
      providers: [
        {
          name: PROVIDER,
          kind: 'rekognition',
          region: 'us-east-1',
          endpoint: fake.url,
          accessKeyId: 'AKIDFAKE',
          secretAccessKey: 'x',
          maxAttempts: MAX_ATTEMPTS,
        },
        {
          name: AZURE,
          kind: 'azure-face',
          endpoint: azure.url,
          apiKey: azure.apiKey,
          maxAttempts: MAX_ATTEMPTS,
          retryBaseDelayMs: 10,
          maxRetryAfterMs: 50,
          trainDebounceMs: 0,
          trainingPollMs: 20,
          // Every call of the matrix fails: the circuit must not open in the middle of it.
          resilience: { breaker: { failureThreshold: 1000 } },
        },
      ],
    },
  });
  api = client(gateway.url, PROVIDER);
  expect((await api.createCollection(col)).__typename).toBe('CreateCollectionSuccess');
  await createUsers(gateway.url, col, ['alice', 'bob'], PROVIDER);
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await api.indexFaces(col, alicePng(), { externalImageId: `alice-${i}` });
    if (res.__typename !== 'IndexFacesSuccess') throw new Error(JSON.stringify(res));
    ids.push(res.faces[0].faceId);
  }
  [faceA1, faceA2] = ids;
  expect(await api.associate(col, 'alice', [faceA1])).toMatchObject({ __typename: 'AssociateFacesSuccess', userStatus: 'ACTIVE' });
});

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
  await azure?.stop();
  if (gateway) removeDataDir(gateway.dataDir);
});

/** Fields whose result unions carry Throttled and ProviderUnavailable, each with the Rekognition operation it calls. */
const CALLS = [
  { op: 'CreateUser', run: () => api.createUser(col, 'carol') },
  { op: 'AssociateFaces', run: () => api.associate(col, 'alice', [faceA2]) },
  { op: 'DisassociateFaces', run: () => api.disassociate(col, 'alice', [faceA1]) },
  { op: 'IndexFaces', run: () => api.indexFaces(col, alicePng()) },
  { op: 'DeleteUser', run: () => api.deleteUser(col, 'bob') },
  { op: 'DeleteFaces', run: () => api.deleteFaces(col, [faceA2]) },
  { op: 'SearchUsersByImage', run: () => api.search(col, alicePng()) },
] as const;

describe('SDK retries', () => {
  it('retries a throttled call and answers its success', async () => {
    fake.clearCalls();
    fake.inject({ op: 'CreateUser', kind: 'throttle', times: 1 });
    expect(await api.createUser(col, 'dora')).toMatchObject({
      __typename: 'CreateUserSuccess',
      user: { userId: 'dora', status: 'CREATED' },
    });
    expect(fake.callsTo('CreateUser').map((c) => [c.attempt, c.fault, c.status])).toEqual([
      [1, 'throttle', 400],
      [2, null, 200],
    ]);

    fake.inject({ op: 'IndexFaces', kind: 'provisioned', times: 1 });
    const before = (await api.collection(col)).faceCount;
    expect(await api.indexFaces(col, alicePng())).toMatchObject({ __typename: 'IndexFacesSuccess', faces: [{ user: null }] });
    expect((await api.collection(col)).faceCount).toBe(before + 1);
    expect(fake.callsTo('IndexFaces').map((c) => c.fault)).toEqual(['provisioned', null]);
  });
});

describe.each([
  { kind: 'throttle' as FaultKind, member: { __typename: 'Throttled', code: 'THROTTLED' } },
  { kind: '500' as FaultKind, member: { __typename: 'ProviderUnavailable', code: 'PROVIDER_UNAVAILABLE', provider: PROVIDER } },
  { kind: 'drop' as FaultKind, member: { __typename: 'ProviderUnavailable', code: 'PROVIDER_UNAVAILABLE', provider: PROVIDER } },
])('fault $kind on every attempt', ({ kind, member }) => {
  it.each(CALLS)(`$op answers ${member.__typename} and writes nothing`, async ({ op, run }) => {
    const before = await api.state(col);
    fake.clearCalls();
    fake.inject({ op, kind, times: MAX_ATTEMPTS });
    const res = await run();
    expect(res).toMatchObject(member);
    if (kind === 'throttle') expect(res.retryAfterMs).toBeGreaterThan(0);
    expect(res.message).not.toMatch(/AKIDFAKE|Signature=|\n\s+at /);
    // Every attempt was made and met the fault (none is left over for later calls).
    expect(fake.callsTo(op).map((c) => c.fault)).toEqual(Array(MAX_ATTEMPTS).fill(kind));
    expect(await api.state(col)).toEqual(before);
  });
});

describe('a provider that refuses the call (AccessDeniedException, its 403)', () => {
  const REFUSABLE = [
    ...CALLS,
    { op: 'CreateCollection', run: () => api.createCollection(uniqueCollectionId('denied')) },
    { op: 'DeleteCollection', run: () => api.deleteCollection(col) },
  ];
  it.each(REFUSABLE)('$op answers Forbidden, not a top-level error, and writes nothing', async ({ op, run }) => {
    const before = await api.state(col);
    fake.clearCalls();
    fake.inject({
      op,
      kind: 'error',
      error: { type: 'AccessDeniedException', message: 'User: arn:aws:iam::1:user/x is not authorized' },
      times: 1,
    });
    const res = await run();
    expect(res).toMatchObject({ __typename: 'Forbidden', code: 'FORBIDDEN' });
    expect(res.message).not.toMatch(/arn:aws|AKIDFAKE/);
    // Not retried: a refusal is an answer.
    expect(fake.callsTo(op).map((c) => c.fault)).toEqual(['error']);
    expect(await api.state(col)).toEqual(before);
  });
});

describe('query fields', () => {
  it('turns a 500 under collection(ref:) into a GraphQL error with PROVIDER_UNAVAILABLE and providerCode, without a stack trace', async () => {
    fake.inject({ op: 'DescribeCollection', kind: '500', times: MAX_ATTEMPTS });
    const res = await api.raw(`query($c: CollectionRef!) { collection(ref: $c) { collectionId userCount } }`, { c: api.ref(col) });
    expect(res.data).toEqual({ collection: null });
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0].path).toEqual(['collection']);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', providerCode: 'InternalServerError' });
    expect(res.errors?.[0].extensions).not.toHaveProperty('stacktrace');
    expect(JSON.stringify(res)).not.toMatch(/\bat \S+\.(js|ts):\d+|node_modules|AKIDFAKE/);
    // Afterwards the same query works again.
    expect(await api.collection(col)).toMatchObject({ collectionId: col });
  });

  it('turns throttling under a list into a GraphQL error with THROTTLED', async () => {
    fake.inject({ op: 'ListUsers', kind: 'throttle', times: MAX_ATTEMPTS });
    const res = await api.raw(`query($c: CollectionRef!) { collection(ref: $c) { users(first: 10) { edges { node { userId } } } } }`, {
      c: api.ref(col),
    });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'THROTTLED', providerCode: 'ThrottlingException' });
    expect(res.errors?.[0].extensions).not.toHaveProperty('stacktrace');
  });
});

/**
 * Injects `times` faults into `op`, runs `call`, then makes sure every fault
 * was consumed (issuing `drain` until it is) so none leaks into later calls.
 */
async function withFaults<T>(
  op: string,
  kind: FaultKind,
  times: number,
  call: () => Promise<T>,
  drain: () => Promise<unknown>,
): Promise<T> {
  fake.clearCalls();
  fake.inject({ op, kind, times });
  const result = await call();
  for (let i = 0; i < times && fake.callsTo(op).filter((c) => c.fault === kind).length < times; i++) await drain();
  return result;
}

const drainListUsers = () =>
  api.raw(`query($c: CollectionRef!) { collection(ref: $c) { users(first: 1) { edges { cursor } } } }`, { c: api.ref(col) });
const drainListFaces = () =>
  api.raw(`query($c: CollectionRef!) { collection(ref: $c) { faces(first: 1) { edges { cursor } } } }`, { c: api.ref(col) });

describe('a write is never reported as failed once it happened', () => {
  async function freshFace(): Promise<string> {
    const res = await api.indexFaces(col, alicePng());
    if (res.__typename !== 'IndexFacesSuccess') throw new Error(JSON.stringify(res));
    return res.faces[0].faceId as string;
  }

  // The gateway re-reads the user and faces after AssociateFaces /
  // DisassociateFaces for the success payload. If that read fails, either
  // the write must not have happened (nothing half-written) or the answer
  // must be the success.
  it('associateFaces: a failing re-read of the user after the write', async () => {
    const face = await freshFace();
    const before = await api.state(col);
    const res = await withFaults('ListUsers', '500', MAX_ATTEMPTS, () => api.associate(col, 'bob', [face]), drainListUsers);
    const after = await api.state(col);
    if (res.__typename === 'AssociateFacesSuccess') {
      expect(res.associatedFaces.map((f: any) => f.faceId)).toEqual([face]);
    } else {
      expect(res).toMatchObject({ __typename: 'ProviderUnavailable' });
      expect(after).toEqual(before);
    }
  });

  it('disassociateFaces: a failing re-read of the faces after the write', async () => {
    const face = await freshFace();
    expect(await api.associate(col, 'bob', [face])).toMatchObject({ __typename: 'AssociateFacesSuccess' });
    const before = await api.state(col);
    const res = await withFaults('ListFaces', '500', MAX_ATTEMPTS, () => api.disassociate(col, 'bob', [face]), drainListFaces);
    const after = await api.state(col);
    if (res.__typename === 'DisassociateFacesSuccess') {
      expect(res.disassociatedFaces.map((f: any) => f.faceId)).toEqual([face]);
    } else {
      expect(res).toMatchObject({ __typename: 'ProviderUnavailable' });
      expect(after).toEqual(before);
    }
  });
});

describe('lost responses', () => {
  it('retries a write whose response was lost with the same token: one effect, a success', async () => {
    fake.clearCalls();
    fake.inject({ op: 'CreateUser', kind: 'drop', times: 1, phase: 'after' });
    expect(await api.createUser(col, 'erin')).toMatchObject({ __typename: 'CreateUserSuccess', user: { userId: 'erin' } });
    const calls = fake.callsTo('CreateUser');
    expect(calls).toHaveLength(2);
    expect(calls[0].params.ClientRequestToken).toBeTruthy();
    expect(calls[1].params.ClientRequestToken).toBe(calls[0].params.ClientRequestToken);

    const res = await api.indexFaces(col, alicePng());
    const face = res.faces[0].faceId as string;
    fake.inject({ op: 'AssociateFaces', kind: 'drop', times: 1, phase: 'after' });
    expect(await api.associate(col, 'alice', [face])).toMatchObject({
      __typename: 'AssociateFacesSuccess',
      associatedFaces: [{ faceId: face }],
      unsuccessfulFaceAssociations: [],
      user: { faceCount: 2 },
    });
    expect(fake.callsTo('AssociateFaces').map((c) => c.fault)).toEqual(['drop', null]);
    const state = await api.state(col);
    expect(state?.users.filter((u: any) => u.userId === 'erin')).toHaveLength(1);
    expect(state?.users.find((u: any) => u.userId === 'alice')).toEqual({ userId: 'alice', status: 'ACTIVE', faceCount: 2 });
  });
});

describe("a failure reason Rekognition adds later (the fake's test-only setExtraFailureReasons)", () => {
  it('is answered in providerReasons, the known ones in reasons, and the whole response still serializes', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    fake.setExtraFailureReasons(['FACE_IN_ANOTHER_REGION']);
    try {
      const c = { provider: PROVIDER, collectionId: col };
      const res = await gql(
        gateway.url,
        `mutation($c: CollectionRef!, $f: [String!]!) {
          deleteFaces(input: { collection: $c, faceIds: $f }) { __typename ... on DeleteFacesSuccess { unsuccessfulFaceDeletions { faceId reasons providerReasons } } }
          associateFaces(input: { collection: $c, userId: "bob", faceIds: $f }) { __typename ... on AssociateFacesSuccess { unsuccessfulFaceAssociations { faceId reasons providerReasons } } }
          disassociateFaces(input: { collection: $c, userId: "bob", faceIds: $f }) { __typename ... on DisassociateFacesSuccess { unsuccessfulFaceDisassociations { faceId reasons providerReasons } } } }`,
        { c, f: [missing] },
      );
      expect(res.errors).toBeUndefined();
      const entry = { faceId: missing, reasons: ['FACE_NOT_FOUND'], providerReasons: ['FACE_IN_ANOTHER_REGION'] };
      expect(res.data).toEqual({
        deleteFaces: { __typename: 'DeleteFacesSuccess', unsuccessfulFaceDeletions: [entry] },
        associateFaces: { __typename: 'AssociateFacesSuccess', unsuccessfulFaceAssociations: [entry] },
        disassociateFaces: { __typename: 'DisassociateFacesSuccess', unsuccessfulFaceDisassociations: [entry] },
      });
    } finally {
      fake.setExtraFailureReasons([]);
    }
  });
});

describe('Azure Face: each fault kind on every request of a call', () => {
  const az = () => client(gateway.url, AZURE);
  const azCol = uniqueCollectionId('azfaults');
  let azFaceA1: string;
  let azFaceA2: string;
  let n = 0;
  const png = () => Buffer.from(azurePng({ faces: [{ identity: 'alice' }], label: `az-alice-${n++}` }));

  beforeAll(async () => {
    expect((await az().createCollection(azCol)).__typename).toBe('CreateCollectionSuccess');
    await createUsers(gateway.url, azCol, ['alice', 'bob'], AZURE);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await az().indexFaces(azCol, png());
      if (res.__typename !== 'IndexFacesSuccess') throw new Error(JSON.stringify(res));
      ids.push(res.faces[0].faceId);
    }
    [azFaceA1, azFaceA2] = ids;
    expect(await az().associate(azCol, 'alice', [azFaceA1])).toMatchObject({ __typename: 'AssociateFacesSuccess' });
  });

  const AZURE_CALLS = [
    { op: 'createUser', run: () => az().createUser(azCol, 'carol') },
    { op: 'associateFaces', run: () => az().associate(azCol, 'alice', [azFaceA2]) },
    { op: 'disassociateFaces', run: () => az().disassociate(azCol, 'alice', [azFaceA1]) },
    { op: 'indexFaces', run: () => az().indexFaces(azCol, png()) },
    { op: 'deleteUser', run: () => az().deleteUser(azCol, 'bob') },
    { op: 'deleteFaces', run: () => az().deleteFaces(azCol, [azFaceA2]) },
    { op: 'searchUsersByImage', run: () => az().search(azCol, png()) },
  ] as const;

  describe.each([
    { kind: 'throttle' as AzureFaultKind, member: { __typename: 'Throttled', code: 'THROTTLED' } },
    { kind: 'throttle-legacy' as AzureFaultKind, member: { __typename: 'Throttled', code: 'THROTTLED' } },
    { kind: '500' as AzureFaultKind, member: { __typename: 'ProviderUnavailable', code: 'PROVIDER_UNAVAILABLE', provider: AZURE } },
    { kind: '503' as AzureFaultKind, member: { __typename: 'ProviderUnavailable', code: 'PROVIDER_UNAVAILABLE', provider: AZURE } },
    { kind: 'drop' as AzureFaultKind, member: { __typename: 'ProviderUnavailable', code: 'PROVIDER_UNAVAILABLE', provider: AZURE } },
  ])('fault $kind', ({ kind, member }) => {
    it.each(AZURE_CALLS)(`$op answers ${member.__typename} and writes nothing`, async ({ run }) => {
      const before = await az().state(azCol);
      azure.clearCalls();
      azure.inject({ kind, times: 10_000 });
      let res;
      try {
        res = await run();
      } finally {
        azure.clearFaults();
      }
      expect(res).toMatchObject(member);
      if (member.code === 'THROTTLED') expect(res.retryAfterMs).toBeGreaterThan(0);
      expect(res.message).not.toMatch(new RegExp(`${azure.apiKey}|\\n\\s+at `));
      // Every request the call made met the fault.
      expect(azure.calls.length).toBeGreaterThan(0);
      expect(azure.calls.every((c) => c.fault === kind)).toBe(true);
      expect(await az().state(azCol)).toEqual(before);
    });
  });
});
