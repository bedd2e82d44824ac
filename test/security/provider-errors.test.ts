/**
 * Provider error text never reaches a client. AWS puts account ids and ARNs
 * in its messages, Azure its resource paths, and a socket error names the
 * internal address it could not reach; the gateway answers with its own
 * words, the domain code and `providerCode`, and logs the provider's text.
 * After each refusal the same gateway still serves a legitimate request on
 * that provider.
 */
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeRekognition, type FakeRekognition } from '../fakes/rekognition/server.js';
import { startFakeAzureFace, type FakeAzureFace } from '../fakes/azure-face/server.js';
import { gql, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';
import { ERROR_FIELDS, uniqueCollectionId } from '../support/fixtures.js';

const ACCOUNT = '123456789012';
const AWS_SECRET_TEXT = `User: arn:aws:iam::${ACCOUNT}:user/facegate-prod is not authorized to perform: rekognition:CreateCollection on resource: arn:aws:rekognition:eu-west-1:${ACCOUNT}:collection/x`;
const AZURE_SECRET_TEXT =
  'Access denied: /subscriptions/0f9e4c1a-1111-2222-3333-444455556666/resourceGroups/prod-faces/providers/Microsoft.CognitiveServices/accounts/internal-face';

let rekognition: FakeRekognition;
let azure: FakeAzureFace;
let gw: GatewayProcess;
/** A port with nothing listening: the "internal address" a socket error names. */
let deadPort: number;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const CREATE = `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { __typename ${ERROR_FIELDS} } }`;
const create = (provider: string, collectionId = uniqueCollectionId('pe')) => gql(gw.url, CREATE, { c: { provider, collectionId } });

/** The response carries our code and nothing of `secrets`. */
function expectClean(response: unknown, secrets: string[]): string {
  const text = JSON.stringify(response);
  for (const secret of secrets) expect(text).not.toContain(secret);
  return text;
}

beforeAll(async () => {
  [rekognition, azure, deadPort] = await Promise.all([startFakeRekognition(), startFakeAzureFace(), freePort()]);
  const aws = { kind: 'rekognition', region: 'us-east-1', accessKeyId: 'AKIDPROVIDERERRORS', secretAccessKey: 'x', maxAttempts: 1 };
  gw = await startGateway({
    config: {
      providers: [
        { name: 'local', kind: 'local' },
        { name: 'aws', ...aws, endpoint: rekognition.url },
        { name: 'aws-down', ...aws, endpoint: `http://127.0.0.1:${deadPort}` },
        { name: 'azure', kind: 'azure-face', endpoint: azure.url, apiKey: azure.apiKey, maxAttempts: 1, retryBaseDelayMs: 20 },
      ],
    },
  });
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all([rekognition?.stop(), azure?.stop()]);
  if (gw) removeDataDir(gw.dataDir);
});

describe('provider errors reach clients as code and providerCode only', () => {
  it('an AWS message with account id and ARNs: FORBIDDEN in our words, the ARN only in the log; the next call is served', async () => {
    rekognition.inject({
      op: 'CreateCollection',
      kind: 'error',
      times: 1,
      error: { type: 'AccessDeniedException', message: AWS_SECRET_TEXT },
    });
    const refused = await create('aws');
    const text = expectClean(refused, [ACCOUNT, 'arn:aws', 'facegate-prod']);
    expect(text).toContain('FORBIDDEN');
    // Log lines arrive on the child's stdout, maybe after the response: wait for it.
    await expect
      .poll(() => gw.logs.find((l) => l.providerMessage === AWS_SECRET_TEXT))
      .toMatchObject({ provider: 'aws', providerCode: 'AccessDeniedException', code: 'FORBIDDEN' });

    expect((await create('aws')).data?.createCollection.__typename).toBe('CreateCollectionSuccess');
  });

  it("an AWS 5xx with an ARN: PROVIDER_UNAVAILABLE with providerCode, the service's text not sent", async () => {
    rekognition.inject({
      op: 'CreateCollection',
      kind: 'error',
      times: 1,
      error: { type: 'ServiceUnavailableException', status: 503, message: AWS_SECRET_TEXT },
    });
    const refused = await create('aws');
    expectClean(refused, [ACCOUNT, 'arn:aws']);
    const error = refused.data?.createCollection ?? refused.errors?.[0];
    expect(JSON.stringify(error)).toContain('PROVIDER_UNAVAILABLE');
    if (refused.errors?.length) expect(refused.errors[0].extensions).toMatchObject({ providerCode: 'ServiceUnavailableException' });

    expect((await create('aws')).data?.createCollection.__typename).toBe('CreateCollectionSuccess');
  });

  it('an Azure message with its subscription and resource path: not sent, logged', async () => {
    azure.inject({
      op: 'CreateLargePersonGroup',
      kind: 'error',
      times: 1,
      error: { status: 403, code: 'Forbidden', message: AZURE_SECRET_TEXT },
    });
    const refused = await create('azure');
    const text = expectClean(refused, ['0f9e4c1a', 'resourceGroups', 'internal-face']);
    expect(text).toContain('FORBIDDEN');
    await expect.poll(() => gw.logs.some((l) => l.providerMessage === AZURE_SECRET_TEXT)).toBe(true);

    expect((await create('azure')).data?.createCollection.__typename).toBe('CreateCollectionSuccess');
  });

  it('a socket error naming an internal address: PROVIDER_UNAVAILABLE, the address only in the log', async () => {
    const refused = await create('aws-down');
    const text = expectClean(refused, [`127.0.0.1:${deadPort}`, `:${deadPort}`]);
    expect(text).toContain('PROVIDER_UNAVAILABLE');
    await expect
      .poll(() => gw.logs.some((l) => l.provider === 'aws-down' && String(l.providerMessage ?? '').includes(String(deadPort))))
      .toBe(true);

    // The gateway keeps serving: the local provider and the healthy AWS instance answer.
    expect((await create('local')).data?.createCollection.__typename).toBe('CreateCollectionSuccess');
    expect((await create('aws')).data?.createCollection.__typename).toBe('CreateCollectionSuccess');
  });
});
