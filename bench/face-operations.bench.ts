/**
 * The gateway's own cost around each face operation on the cloud providers,
 * measured against the protocol-faithful fakes in one run:
 * `npm run bench:face-operations` (also the last part of `npm run bench`).
 *
 * For each operation and provider: the median latency of the GraphQL call
 * through the gateway (HTTP, parsing, validation, cost, grants, resolver,
 * the resilience wrapper, serialising), against the median latency of the
 * same adapter method called in this process with the same images on the
 * same fake (its own collection, enrolled the same way). The difference is
 * the gateway's overhead per call; the provider calls each makes are
 * counted by the fake. Every process shares the two cores: compare rows
 * within a run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { azureFaceDefinition } from '../src/datasources/azure-face/definition.js';
import type { FaceProvider } from '../src/datasources/provider.js';
import { rekognitionDefinition } from '../src/datasources/rekognition/definition.js';
import type { FaceEngineApi } from '../src/engine/types.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startFakeAzureFace } from '../test/fakes/azure-face/server.js';
import { fakePng } from '../test/fakes/azure-face/images.js';
import { startFakeRekognition } from '../test/fakes/rekognition/server.js';
import { sharedProviders } from '../test/support/shared-providers.js';

const ROUNDS = Number(process.env.BENCH_FACE_ROUNDS ?? 60);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeMs(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

/** Starts the compiled gateway with `config` in a fresh data dir; resolves once it logs where it listens. */
function startGateway(config: unknown): Promise<{ url: string; stop(): void }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'facegate-bench-face-ops-'));
  writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify(config));
  const main = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/main.js');
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: '0', FACEGATE_DATA_DIR: dataDir, FACEGATE_CONFIG: path.join(dataDir, 'config.json'), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'facegate listening' && entry.url) return resolve({ url: entry.url, stop });
        } catch {
          // not a whole JSON line yet
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`gateway exited ${code} before listening`)));
  });
}

async function gqlData<T = Record<string, any>>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors) throw new Error(`${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.data;
}

let calls = 0;
const rekognition = await startFakeRekognition({ onCall: () => void calls++ });
const azure = await startFakeAzureFace({ onCall: () => void calls++ });
const gateway = await startGateway({ providers: sharedProviders(rekognition.url, azure) });

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const alice = fakePng({ label: 'alice-1', faces: [{ identity: 'alice', box: { left: 0.3, top: 0.2, width: 0.4, height: 0.5 } }] });
const aliceAgain = fakePng({ label: 'alice-2', faces: [{ identity: 'alice', box: { left: 0.25, top: 0.25, width: 0.4, height: 0.5 } }] });
const group = fakePng({
  label: 'group',
  faces: [
    { identity: 'alice', box: { left: 0.05, top: 0.1, width: 0.25, height: 0.3 } },
    { identity: 'bob', box: { left: 0.4, top: 0.1, width: 0.22, height: 0.28 } },
    { identity: 'carol', box: { left: 0.7, top: 0.1, width: 0.2, height: 0.25 } },
  ],
});

const ERR = '... on Error { code message }';
const FACE = 'boundingBox { left top width height } confidence landmarks { type x y } pose { roll yaw pitch } quality { forRecognition }';

/** Enrols alice (one face, associated) in a new collection of `provider`; returns the collection ref and the face id. */
async function enrol(provider: string): Promise<{ c: { provider: string; collectionId: string }; faceId: string }> {
  const c = { provider, collectionId: `bench-face-ops-${Date.now()}` };
  await gqlData(gateway.url, `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { __typename } }`, { c });
  await gqlData(gateway.url, `mutation($c: CollectionRef!) { createUser(input: { collection: $c, userId: "alice" }) { __typename } }`, {
    c,
  });
  const { indexFaces } = await gqlData(
    gateway.url,
    `mutation($c: CollectionRef!, $b: String!) { indexFaces(input: { collection: $c, image: { base64: $b } }) { ... on IndexFacesSuccess { faces { faceId } } ${ERR} } }`,
    { c, b: b64(alice) },
  );
  const faceId = indexFaces.faces[0].faceId as string;
  await gqlData(
    gateway.url,
    `mutation($c: CollectionRef!, $f: [String!]!) { associateFaces(input: { collection: $c, userId: "alice", faceIds: $f }) { __typename } }`,
    { c, f: [faceId] },
  );
  return { c, faceId };
}

interface Operation {
  name: string;
  query: string;
  variables(p: { provider: string; c: unknown; faceId: string }): Record<string, unknown>;
  field: string;
  success: string;
  /** The same operation on the adapter itself (collection `collectionId`, enrolled face `faceId`). */
  direct(p: FaceProvider, collectionId: string, faceId: string): Promise<unknown>;
}

const OPERATIONS: Operation[] = [
  {
    name: 'detectFaces (3 faces)',
    direct: (p) => p.detectFaces({ image: group, attributes: new Set() }),
    field: 'detectFaces',
    success: 'DetectFacesSuccess',
    query: `query($p: String!, $b: String!) { detectFaces(input: { provider: $p, image: { base64: $b } }) { __typename ... on DetectFacesSuccess { faces { ${FACE} } } ${ERR} } }`,
    variables: ({ provider }) => ({ p: provider, b: b64(group) }),
  },
  {
    name: 'compareFaces (1 vs 3)',
    direct: (p) => p.compareFaces({ sourceImage: aliceAgain, targetImage: group, similarityThreshold: 80, qualityFilter: 'NONE' }),
    field: 'compareFaces',
    success: 'CompareFacesSuccess',
    query: `query($p: String!, $s: String!, $t: String!) { compareFaces(input: { provider: $p, sourceImage: { base64: $s }, targetImage: { base64: $t } }) {
      __typename ... on CompareFacesSuccess { sourceFace { ${FACE} } faceMatches { similarity face { ${FACE} } } unmatchedFaces { ${FACE} } } ${ERR} } }`,
    variables: ({ provider }) => ({ p: provider, s: b64(aliceAgain), t: b64(group) }),
  },
  {
    name: 'verifyUser',
    direct: (p, collectionId) => p.verifyUser({ collectionId, userId: 'alice', image: aliceAgain, userMatchThreshold: 80 }),
    field: 'verifyUser',
    success: 'VerifyUserSuccess',
    query: `query($c: CollectionRef!, $b: String!) { verifyUser(input: { collection: $c, userId: "alice", image: { base64: $b } }) {
      __typename ... on VerifyUserSuccess { isMatch similarity user { id userId } } ${ERR} } }`,
    variables: ({ c }) => ({ c, b: b64(aliceAgain) }),
  },
  {
    name: 'searchFaces (by face id)',
    direct: (p, collectionId, faceId) => p.searchFaces({ collectionId, faceId, maxFaces: 100, faceMatchThreshold: 80 }),
    field: 'searchFaces',
    success: 'SearchFacesSuccess',
    query: `query($c: CollectionRef!, $f: String!) { searchFaces(input: { collection: $c, faceId: $f }) {
      __typename ... on SearchFacesSuccess { faceMatches { similarity face { id faceId } } } ${ERR} } }`,
    variables: ({ c, faceId }) => ({ c, f: faceId }),
  },
  {
    name: 'searchFacesByImage',
    direct: (p, collectionId) =>
      p.searchFacesByImage({ collectionId, image: aliceAgain, maxFaces: 100, faceMatchThreshold: 80, qualityFilter: 'NONE' }),
    field: 'searchFacesByImage',
    success: 'SearchFacesByImageSuccess',
    query: `query($c: CollectionRef!, $b: String!) { searchFacesByImage(input: { collection: $c, image: { base64: $b } }) {
      __typename ... on SearchFacesByImageSuccess { faceMatches { similarity face { id faceId } } } ${ERR} } }`,
    variables: ({ c }) => ({ c, b: b64(aliceAgain) }),
  },
  {
    name: 'identifyFaces (3 faces)',
    direct: (p, collectionId) =>
      p.identifyFaces({ collectionId, image: group, maxFaces: 10, maxUsersPerFace: 1, userMatchThreshold: 80, qualityFilter: 'NONE' }),
    field: 'identifyFaces',
    success: 'IdentifyFacesSuccess',
    query: `query($c: CollectionRef!, $b: String!) { identifyFaces(input: { collection: $c, image: { base64: $b } }) {
      __typename ... on IdentifyFacesSuccess { faces { face { ${FACE} } userMatches { similarity user { id userId } } } } ${ERR} } }`,
    variables: ({ c }) => ({ c, b: b64(group) }),
  },
];

/** The adapters themselves, in this process, on the same fakes (azure-face keeps its state in a store of its own). */
const benchDir = mkdtempSync(path.join(tmpdir(), 'facegate-bench-adapters-'));
const store = await openSqliteStore(benchDir);
const [awsConfig, azureConfig] = sharedProviders(rekognition.url, azure).slice(1) as { name: string; kind: string }[];
const deps = { store, logger: pino({ level: 'silent' }), engine: undefined as unknown as FaceEngineApi };
const strip = ({ name: _name, kind: _kind, ...options }: Record<string, unknown>) => options;
const adapters: Record<string, FaceProvider> = {
  aws: rekognitionDefinition.create('aws', rekognitionDefinition.options.parse(strip(awsConfig)), deps),
  azure: azureFaceDefinition.create('azure', azureFaceDefinition.options.parse(strip(azureConfig)), deps),
};

/** Enrols alice on the adapter itself, as {@link enrol} does through the gateway. */
async function enrolDirect(p: FaceProvider): Promise<{ collectionId: string; faceId: string }> {
  const collectionId = `bench-direct-${Date.now()}`;
  await p.createCollection(collectionId);
  await p.createUser({ collectionId, userId: 'alice' });
  const { faces } = await p.indexFaces({ collectionId, image: alice });
  await p.associateFaces({ collectionId, userId: 'alice', faceIds: [faces[0].faceId], userMatchThreshold: 75 });
  return { collectionId, faceId: faces[0].faceId };
}

const rows: string[][] = [];
try {
  for (const provider of ['aws', 'azure']) {
    const { c, faceId } = await enrol(provider);
    const direct = await enrolDirect(adapters[provider]);
    const { providers } = await gqlData<{ providers: { name: string; capabilities: string[] }[] }>(
      gateway.url,
      '{ providers { name capabilities } }',
    );
    const caps = new Set(providers.find((p) => p.name === provider)?.capabilities);
    for (const op of OPERATIONS) {
      const capability = op.field.replace(/[A-Z]/g, (ch) => `_${ch}`).toUpperCase();
      if (!caps.has(capability)) {
        rows.push([provider, op.name, '—', '—', '—', '—', `not listed (${capability})`]);
        continue;
      }
      const variables = op.variables({ provider, c, faceId });
      const viaGateway = async () => {
        const data = await gqlData<Record<string, { __typename: string; code?: string }>>(gateway.url, op.query, variables);
        if (data[op.field].__typename !== op.success) throw new Error(`${provider} ${op.name}: ${JSON.stringify(data[op.field])}`);
      };
      const onAdapter = () => op.direct(adapters[provider], direct.collectionId, direct.faceId);
      for (let i = 0; i < 3; i++) await Promise.all([viaGateway(), onAdapter()]);
      const gatewayTimes: number[] = [];
      const adapterTimes: number[] = [];
      let gatewayCalls = 0;
      // Interleaved, so a busy moment of the machine falls on both alike.
      for (let i = 0; i < ROUNDS; i++) {
        const before = calls;
        gatewayTimes.push(await timeMs(viaGateway));
        gatewayCalls += calls - before;
        adapterTimes.push(await timeMs(onAdapter));
      }
      const g = median(gatewayTimes);
      const a = median(adapterTimes);
      rows.push([provider, op.name, g.toFixed(2), a.toFixed(2), (g - a).toFixed(2), (gatewayCalls / ROUNDS).toFixed(1), '']);
    }
  }
} finally {
  gateway.stop();
  await Promise.all(Object.values(adapters).map((a) => a.close()));
  await store.close();
  rmSync(benchDir, { recursive: true, force: true });
  await rekognition.stop();
  await azure.stop();
}

const header = ['provider', 'operation', 'gateway p50 ms', 'adapter p50 ms', 'overhead ms', 'provider calls', 'note'];
console.log(`face operations on the fakes, ${ROUNDS} sequential calls each (median):`);
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
