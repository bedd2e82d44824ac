/**
 * SSRF through `ImageInput.url`, end to end, on every provider instance
 * (local, and the Rekognition and Azure adapters on fakes of their own): a
 * gateway whose allowlist deliberately names internal targets, so each URL
 * passes the allowlist and is refused by the address check (the stronger
 * test). Every attempt answers the same InvalidInput on `input.image.url`,
 * whichever the provider, and nothing reaches the provider or the internal
 * target: the image is fetched by the gateway before any provider call.
 *
 * Redirects to private addresses and DNS rebinding need a public server and
 * a controllable resolver; they are tested on the same fetcher
 * (src/images/safe-fetch.ts) in test/images/safe-fetch.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAzureFace, type FakeAzureFace } from '../fakes/azure-face/server.js';
import { startFakeRekognition, type FakeRekognition } from '../fakes/rekognition/server.js';
import { gql, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';

let rekognition: FakeRekognition;
let azure: FakeAzureFace;
let gw: GatewayProcess;
/** The "internal service" an attacker aims at: it must never see a request. */
let internal: Server;
let internalHits = 0;
let port: number;

const PROVIDERS = ['local', 'aws', 'azure'] as const;
const COLLECTION = 'ssrf';

beforeAll(async () => {
  internal = createServer((_req, res) => {
    internalHits++;
    res.writeHead(200, { 'content-type': 'image/png' }).end('x');
  });
  await new Promise<void>((r) => internal.listen(0, '127.0.0.1', r));
  port = (internal.address() as AddressInfo).port;
  [rekognition, azure] = await Promise.all([startFakeRekognition(), startFakeAzureFace()]);
  gw = await startGateway({
    config: {
      providers: [
        { name: 'local', kind: 'local' },
        { name: 'aws', kind: 'rekognition', region: 'us-east-1', endpoint: rekognition.url, accessKeyId: 'AKIDSSRF', secretAccessKey: 'x' },
        { name: 'azure', kind: 'azure-face', endpoint: azure.url, apiKey: azure.apiKey },
      ],
      imageFetch: {
        allowHttp: true,
        allowedPorts: [80, 443, port],
        allowedHosts: [
          'localhost',
          '127.0.0.1',
          '169.254.169.254',
          '10.0.0.7',
          '172.16.5.5',
          '192.168.1.10',
          '100.64.0.1',
          '0.0.0.0',
          '::1',
          '::ffff:127.0.0.1',
          'fd00::1',
          'fe80::1',
          'metadata.google.internal',
        ],
      },
    },
  });
  for (const provider of PROVIDERS) {
    const res = await gql(gw.url, `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { __typename } }`, {
      c: { provider, collectionId: COLLECTION },
    });
    expect(res.data?.createCollection.__typename).toBe('CreateCollectionSuccess');
  }
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all([rekognition?.stop(), azure?.stop(), new Promise((r) => internal?.close(r))]);
  if (gw) removeDataDir(gw.dataDir);
});

/** `PORT` in a URL is the internal server's port (known once it listens). */
const ATTEMPTS = [
  { what: 'loopback by name', url: `http://localhost:PORT/a.png`, reason: /"localhost" resolving to a loopback address/ },
  { what: 'loopback literal', url: `http://127.0.0.1:PORT/a.png`, reason: /"127\.0\.0\.1", a loopback address/ },
  { what: 'IPv6 loopback', url: `http://[::1]:PORT/a.png`, reason: /loopback/ },
  { what: 'IPv4-mapped IPv6 loopback', url: `http://[::ffff:127.0.0.1]:PORT/a.png`, reason: /loopback/ },
  { what: 'cloud metadata service', url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/', reason: /link-local/ },
  { what: 'private 10/8', url: 'https://10.0.0.7/a.png', reason: /private/ },
  { what: 'private 172.16/12', url: 'https://172.16.5.5/a.png', reason: /private/ },
  { what: 'private 192.168/16', url: 'https://192.168.1.10/a.png', reason: /private/ },
  { what: 'carrier-grade NAT 100.64/10', url: 'https://100.64.0.1/a.png', reason: /expected a host with public addresses only/ },
  { what: 'unspecified 0.0.0.0', url: `http://0.0.0.0:PORT/a.png`, reason: /expected a host with public addresses only/ },
  { what: 'IPv6 unique local', url: 'https://[fd00::1]/a.png', reason: /expected a host with public addresses only/ },
  { what: 'IPv6 link-local', url: 'https://[fe80::1]/a.png', reason: /link-local/ },
  { what: 'decimal-encoded loopback', url: `http://2130706433:PORT/a.png`, reason: /loopback|expected a host/ },
  {
    what: 'a host off the allowlist',
    url: 'https://attacker.example/a.png',
    reason: /expected a host this gateway is allowed to fetch images from/,
  },
  { what: 'a non-http scheme', url: 'file:///etc/passwd', reason: /expected an https or http URL/ },
  { what: 'credentials in the URL', url: `http://user:secret@127.0.0.1:PORT/a.png`, reason: /expected a URL without credentials/ },
  { what: 'a port not allowed', url: 'http://127.0.0.1:6379/', reason: /expected port/ },
];

const OPERATIONS = [
  {
    field: 'indexFaces',
    doc: `mutation($c: CollectionRef!, $u: String!) { indexFaces(input: { collection: $c, image: { url: $u } }) { __typename ... on Error { code message } ... on InvalidInput { field } } }`,
  },
  {
    field: 'searchUsersByImage',
    doc: `query($c: CollectionRef!, $u: String!) { searchUsersByImage(input: { collection: $c, image: { url: $u } }) { __typename ... on Error { code message } ... on InvalidInput { field } } }`,
  },
];

describe('ImageInput.url', () => {
  it.each(ATTEMPTS)('refuses $what on every provider with the same InvalidInput, reaching nobody', async ({ url: template, reason }) => {
    const url = template.replace('PORT', String(port));
    const before = { aws: rekognition.calls.length, azure: azure.calls.length, internal: internalHits };
    const answers: unknown[] = [];
    for (const provider of PROVIDERS) {
      for (const { field, doc } of OPERATIONS) {
        const res = await gql(gw.url, doc, { c: { provider, collectionId: COLLECTION }, u: url });
        expect(res.errors).toBeUndefined();
        const answer = res.data?.[field];
        expect(answer).toMatchObject({ __typename: 'InvalidInput', code: 'INVALID_INPUT', field: 'input.image.url' });
        expect(answer.message).toMatch(reason);
        expect(answer.message).not.toContain('secret');
        answers.push(answer);
      }
    }
    // The same refusal whichever the provider and operation.
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect({ aws: rekognition.calls.length, azure: azure.calls.length, internal: internalHits }).toEqual(before);
  });

  it('logs no address or credential of a refused URL', () => {
    const text = JSON.stringify(gw.logs);
    expect(text).not.toContain('secret');
    expect(text).not.toContain('169.254.169.254/latest');
  });
});
