/**
 * RekognitionProvider error mapping against the fake: each Rekognition
 * exception → its DomainError (providers.md §D) with `providerCode`, the
 * SDK's retries (throttle then success, throttle exhausted, 5xx), dropped
 * connections, timeouts and an unreachable endpoint → PROVIDER_UNAVAILABLE.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakePng, startFakeRekognition, type FakeRekognition } from '../fakes/rekognition/server.js';
import { CREDENTIALS, expectDomainError, providerFor, uniqueId, wireCall, type Provider } from './support.js';

let fake: FakeRekognition;
let provider: Provider;

beforeAll(async () => {
  fake = await startFakeRekognition();
  provider = providerFor(fake);
});
afterAll(async () => {
  await provider.close();
  await fake.stop();
});
beforeEach(() => fake.reset({ images: true }));

let labels = 0;
const png = () => fakePng({ label: `e-${++labels}` });
const base = { provider: 'aws-test' };

async function collectionWithUser(): Promise<{ id: string; face: string }> {
  const id = uniqueId();
  await provider.createCollection(id);
  await provider.createUser({ collectionId: id, userId: 'u' });
  const face = (await provider.indexFaces({ collectionId: id, image: png() })).faces[0].faceId;
  return { id, face };
}

describe('ResourceNotFoundException', () => {
  it('→ COLLECTION_NOT_FOUND from every method that names a missing collection', async () => {
    const c = 'no-such-collection';
    const image = png();
    const faceIds = [randomUUID()];
    const calls: [string, () => Promise<unknown>][] = [
      ['deleteCollection', () => provider.deleteCollection(c)],
      ['listUsers', () => provider.listUsers(c, { limit: 10 })],
      ['getUsers', () => provider.getUsers(c, ['u'])],
      ['createUser', () => provider.createUser({ collectionId: c, userId: 'u' })],
      ['deleteUser', () => provider.deleteUser({ collectionId: c, userId: 'u' })],
      ['listFaces', () => provider.listFaces(c, {}, { limit: 10 })],
      ['listFaces userId', () => provider.listFaces(c, { userId: 'u' }, { limit: 10 })],
      ['listFaces unassociated', () => provider.listFaces(c, { unassociated: true }, { limit: 10 })],
      ['getFaces', () => provider.getFaces(c, faceIds)],
      ['countUserFaces', () => provider.countUserFaces(c, ['u'])],
      ['listUserFaces', () => provider.listUserFaces(c, ['u'])],
      ['indexFaces', () => provider.indexFaces({ collectionId: c, image })],
      ['deleteFaces', () => provider.deleteFaces(c, faceIds)],
      ['associateFaces', () => provider.associateFaces({ collectionId: c, userId: 'u', faceIds, userMatchThreshold: 75 })],
      ['disassociateFaces', () => provider.disassociateFaces({ collectionId: c, userId: 'u', faceIds })],
      ['searchUsersByImage', () => provider.searchUsersByImage({ collectionId: c, image, userMatchThreshold: 80, maxUsers: 10 })],
    ];
    for (const [name, call] of calls) {
      const e = await expectDomainError(call(), 'COLLECTION_NOT_FOUND', {
        ...base,
        collectionId: c,
        providerCode: 'ResourceNotFoundException',
      }).catch((err: Error) => {
        throw new Error(`${name}: ${err.message}`);
      });
      expect(e.message, name).toContain(`Collection "${c}" not found`);
      // The operation named is the one that failed, not the existence check.
      expect(e.details.operation, name).not.toBe('DescribeCollection');
    }
    expect(await provider.getCollections([c])).toEqual([null]);
  });

  it('→ USER_NOT_FOUND for a missing user of an existing collection (one DescribeCollection settles it)', async () => {
    const { id, face } = await collectionWithUser();
    fake.clearCalls();
    const details = { ...base, collectionId: id, userId: 'ghost', providerCode: 'ResourceNotFoundException' };
    await expectDomainError(provider.deleteUser({ collectionId: id, userId: 'ghost' }), 'USER_NOT_FOUND', details);
    await expectDomainError(
      provider.associateFaces({ collectionId: id, userId: 'ghost', faceIds: [face], userMatchThreshold: 75 }),
      'USER_NOT_FOUND',
      details,
    );
    await expectDomainError(provider.disassociateFaces({ collectionId: id, userId: 'ghost', faceIds: [face] }), 'USER_NOT_FOUND', details);
    expect(fake.calls.map((c) => c.op)).toEqual([
      'DeleteUser',
      'DescribeCollection',
      'AssociateFaces',
      'DescribeCollection',
      'DisassociateFaces',
      'DescribeCollection',
    ]);
  });
});

describe('service exceptions → domain errors', () => {
  it('ResourceAlreadyExistsException → COLLECTION_ALREADY_EXISTS', async () => {
    const id = uniqueId();
    await provider.createCollection(id);
    await expectDomainError(provider.createCollection(id), 'COLLECTION_ALREADY_EXISTS', {
      ...base,
      collectionId: id,
      providerCode: 'ResourceAlreadyExistsException',
    });
  });

  it('ConflictException → USER_ALREADY_EXISTS on CreateUser, THROTTLED (retry later) elsewhere', async () => {
    const { id, face } = await collectionWithUser();
    await expectDomainError(provider.createUser({ collectionId: id, userId: 'u' }), 'USER_ALREADY_EXISTS', {
      ...base,
      collectionId: id,
      userId: 'u',
      providerCode: 'ConflictException',
    });
    fake.inject({ op: 'AssociateFaces', kind: 'error', times: 1, error: { type: 'ConflictException', message: 'inconsistent state' } });
    const e = await expectDomainError(
      provider.associateFaces({ collectionId: id, userId: 'u', faceIds: [face], userMatchThreshold: 75 }),
      'THROTTLED',
      {
        providerCode: 'ConflictException',
        userId: 'u',
      },
    );
    expect(e.details.retryAfterMs).toBeGreaterThan(0);
  });

  it('IdempotentParameterMismatchException → IDEMPOTENCY_CONFLICT with the token', async () => {
    const { id, face } = await collectionWithUser();
    await provider.createUser({ collectionId: id, userId: 'v', clientRequestToken: 'tok-1' });
    await expectDomainError(provider.createUser({ collectionId: id, userId: 'w', clientRequestToken: 'tok-1' }), 'IDEMPOTENCY_CONFLICT', {
      ...base,
      clientRequestToken: 'tok-1',
      collectionId: id,
      providerCode: 'IdempotentParameterMismatchException',
    });
    await provider.associateFaces({ collectionId: id, userId: 'u', faceIds: [face], userMatchThreshold: 75, clientRequestToken: 'tok-2' });
    await expectDomainError(
      provider.associateFaces({ collectionId: id, userId: 'u', faceIds: [face], userMatchThreshold: 50, clientRequestToken: 'tok-2' }),
      'IDEMPOTENCY_CONFLICT',
      { clientRequestToken: 'tok-2' },
    );
  });

  it('ServiceQuotaExceededException → QUOTA_EXCEEDED (101st face of a user)', async () => {
    const { id } = await collectionWithUser();
    const faces = Array.from({ length: 100 }, (_, i) => ({
      identity: 'q',
      box: { left: (i % 10) / 10, top: Math.floor(i / 10) / 10, width: 0.05, height: 0.05 },
    }));
    const indexed = await provider.indexFaces({ collectionId: id, image: fakePng({ label: 'crowd', faces }), maxFaces: 100 });
    const extra = (await provider.indexFaces({ collectionId: id, image: fakePng({ label: 'one', faces: [{ identity: 'q' }] }) })).faces[0]
      .faceId;
    await provider.createUser({ collectionId: id, userId: 'q' });
    await provider.associateFaces({ collectionId: id, userId: 'q', faceIds: indexed.faces.map((f) => f.faceId), userMatchThreshold: 75 });
    await expectDomainError(
      provider.associateFaces({ collectionId: id, userId: 'q', faceIds: [extra], userMatchThreshold: 75 }),
      'QUOTA_EXCEEDED',
      {
        ...base,
        collectionId: id,
        userId: 'q',
        providerCode: 'ServiceQuotaExceededException',
      },
    );
    expect(await provider.countUserFaces(id, ['q'])).toEqual([100]);
  });

  it('InvalidParameterException → INVALID_INPUT naming the GraphQL input path of the AWS member', async () => {
    await expectDomainError(provider.createCollection('bad id!'), 'INVALID_INPUT', {
      ...base,
      field: 'input.collection.collectionId',
      providerCode: 'InvalidParameterException',
    });
    const id = uniqueId();
    await provider.createCollection(id);
    await expectDomainError(provider.createUser({ collectionId: id, userId: 'u', clientRequestToken: 'not.valid' }), 'INVALID_INPUT', {
      field: 'input.clientRequestToken',
    });
    await expectDomainError(
      provider.searchUsersByImage({ collectionId: id, image: png(), userMatchThreshold: 80, maxUsers: 501 }),
      'INVALID_INPUT',
      { field: 'input.maxUsers' },
    );
    // Members whose input field has another name, or none: identify's MaxUsers is maxUsersPerFace; verify's is the adapter's own.
    await expectDomainError(
      provider.identifyFaces({
        collectionId: id,
        image: fakePng({ label: 'id-1', faces: [{ identity: 'x' }] }),
        userMatchThreshold: 80,
        maxFaces: 1,
        maxUsersPerFace: 501,
        qualityFilter: 'NONE',
      }),
      'INVALID_INPUT',
      { field: 'input.maxUsersPerFace' },
    );
    await expectDomainError(
      provider.associateFaces({ collectionId: id, userId: 'u', faceIds: ['not-a-face-id'], userMatchThreshold: 75 }),
      'INVALID_INPUT',
      { field: 'input.faceIds' },
    );
    await expectDomainError(provider.indexFaces({ collectionId: id, image: png(), externalImageId: 'bad id!' }), 'INVALID_INPUT', {
      field: 'input.externalImageId',
    });
  });

  it('page tokens: foreign or garbage → INVALID_INPUT on `after` (ours or InvalidPaginationTokenException)', async () => {
    const id = uniqueId();
    await provider.createCollection(id);
    await expectDomainError(provider.listUsers(id, { limit: 1, after: 'not-a-token!' }), 'INVALID_INPUT', { field: 'after' });
    const forged = Buffer.from(JSON.stringify({ l: 'users', t: 'garbage' })).toString('base64url');
    await expectDomainError(provider.listUsers(id, { limit: 1, after: forged }), 'INVALID_INPUT', {
      field: 'after',
      providerCode: 'InvalidPaginationTokenException',
    });
    await expectDomainError(provider.listCollections({ limit: 1, after: forged }), 'INVALID_INPUT', { field: 'after' });
  });

  it('InvalidImageFormatException / ImageTooLargeException / over-5-MiB bytes → INVALID_IMAGE', async () => {
    const id = uniqueId();
    await provider.createCollection(id);
    // A JPEG by its magic number whose header is unreadable: only AWS can refuse it.
    const notImage = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('definitely not a picture')]);
    await expectDomainError(provider.indexFaces({ collectionId: id, image: notImage }), 'INVALID_IMAGE', {
      ...base,
      field: 'image',
      providerCode: 'InvalidImageFormatException',
    });
    await expectDomainError(
      provider.searchUsersByImage({ collectionId: id, image: notImage, userMatchThreshold: 80, maxUsers: 1 }),
      'INVALID_IMAGE',
      {
        providerCode: 'InvalidImageFormatException',
      },
    );
    const huge = fakePng({ label: 'huge', width: 11_000, height: 50 });
    await expectDomainError(provider.indexFaces({ collectionId: id, image: huge }), 'INVALID_IMAGE', {
      providerCode: 'ImageTooLargeException',
    });
    const over5MiB = new Uint8Array(5 * 1024 * 1024 + 10);
    over5MiB.set([0xff, 0xd8, 0xff]);
    await expectDomainError(provider.indexFaces({ collectionId: id, image: over5MiB }), 'INVALID_IMAGE', {
      field: 'image',
      providerCode: 'InvalidParameterException',
    });
  });

  it('refuses what AWS refuses by format (WebP, GIF, TIFF, BMP, text) before any call', async () => {
    const id = uniqueId();
    await provider.createCollection(id);
    const before = fake.calls.length;
    const webp = Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8 '), Buffer.alloc(64)]);
    for (const image of [
      webp,
      Buffer.from('GIF89a'),
      Buffer.from('II*\0'),
      Buffer.from('BM\0\0'),
      new TextEncoder().encode('not a picture'),
    ]) {
      await expectDomainError(provider.indexFaces({ collectionId: id, image }), 'INVALID_IMAGE', { field: 'image' });
      await expectDomainError(
        provider.searchUsersByImage({ collectionId: id, image, userMatchThreshold: 80, maxUsers: 1 }),
        'INVALID_IMAGE',
        { field: 'image' },
      );
    }
    expect(fake.calls.length).toBe(before);
  });

  it('AccessDeniedException and credential rejections → FORBIDDEN', async () => {
    fake.inject({
      kind: 'error',
      times: 1,
      error: { type: 'AccessDeniedException', message: 'not authorized to perform rekognition:ListCollections' },
    });
    await expectDomainError(provider.listCollections({ limit: 1 }), 'FORBIDDEN', {
      ...base,
      providerCode: 'AccessDeniedException',
      operation: 'ListCollections',
    });
    fake.inject({
      kind: 'error',
      times: 1,
      error: { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
    });
    await expectDomainError(provider.listCollections({ limit: 1 }), 'FORBIDDEN', { providerCode: 'UnrecognizedClientException' });
  });

  it('ThrottlingException / ProvisionedThroughputExceededException / LimitExceededException → THROTTLED with a retry hint', async () => {
    fake.inject({ kind: 'throttle', times: 1 });
    fake.inject({ kind: 'provisioned', times: 1 });
    fake.inject({ kind: 'error', times: 1, error: { type: 'LimitExceededException', message: 'limit' } });
    for (const code of ['ThrottlingException', 'ProvisionedThroughputExceededException', 'LimitExceededException']) {
      const e = await expectDomainError(provider.listCollections({ limit: 1 }), 'THROTTLED', { ...base, providerCode: code });
      expect(e.details.retryAfterMs).toBeGreaterThan(0);
    }
  });

  it('InternalServerError, other 5xx and unknown exceptions → PROVIDER_UNAVAILABLE', async () => {
    fake.inject({ kind: '500', times: 1 });
    await expectDomainError(provider.listCollections({ limit: 1 }), 'PROVIDER_UNAVAILABLE', {
      ...base,
      providerCode: 'InternalServerError',
    });
    fake.inject({ kind: 'error', times: 1, error: { type: 'ServiceUnavailableException', status: 503, message: 'down' } });
    await expectDomainError(provider.listCollections({ limit: 1 }), 'PROVIDER_UNAVAILABLE', {
      providerCode: 'ServiceUnavailableException',
    });
    fake.inject({ kind: 'error', times: 1, error: { type: 'SomethingNewException', status: 400 } });
    await expectDomainError(provider.listCollections({ limit: 1 }), 'PROVIDER_UNAVAILABLE', { providerCode: 'SomethingNewException' });
  });

  it('a non-404 failure of getCollections is not mistaken for "no such collection"', async () => {
    fake.inject({ op: 'DescribeCollection', kind: '500', times: 1 });
    await expectDomainError(provider.getCollections(['x']), 'PROVIDER_UNAVAILABLE', { providerCode: 'InternalServerError' });
  });
});

describe('SDK retries, network failures and timeouts', () => {
  it('throttle then success: the SDK retries and the caller sees success, with one effect', async () => {
    const retrying = providerFor(fake, { maxAttempts: 2 });
    const id = uniqueId();
    await wireCall(fake, 'CreateCollection', { CollectionId: id });
    fake.inject({ op: 'CreateUser', kind: 'throttle', times: 1 });
    expect(await retrying.createUser({ collectionId: id, userId: 'once' })).toMatchObject({ userId: 'once', status: 'CREATED' });
    const attempts = fake.callsTo('CreateUser');
    expect(attempts.map((c) => [c.attempt, c.status])).toEqual([
      [1, 400],
      [2, 200],
    ]);
    expect(attempts[0].params.ClientRequestToken).toBe(attempts[1].params.ClientRequestToken);
    await retrying.close();
  });

  it('throttling beyond maxAttempts → THROTTLED after exactly maxAttempts calls', async () => {
    const retrying = providerFor(fake, { maxAttempts: 2 });
    fake.inject({ op: 'ListCollections', kind: 'throttle', times: 5 });
    await expectDomainError(retrying.listCollections({ limit: 1 }), 'THROTTLED', { providerCode: 'ThrottlingException' });
    expect(fake.callsTo('ListCollections')).toHaveLength(2);
    await retrying.close();
  });

  it('500s are retried (default 3 attempts) and then PROVIDER_UNAVAILABLE; a 500 then success is invisible', async () => {
    const retrying = providerFor(fake, { maxAttempts: undefined });
    fake.inject({ op: 'ListCollections', kind: '500', times: 3 });
    await expectDomainError(retrying.listCollections({ limit: 1 }), 'PROVIDER_UNAVAILABLE', { providerCode: 'InternalServerError' });
    expect(fake.callsTo('ListCollections')).toHaveLength(3);
    fake.inject({ op: 'ListCollections', kind: '500', times: 1 });
    expect((await retrying.listCollections({ limit: 1 })).items).toEqual([]);
    await retrying.close();
  });

  it('dropped connections → PROVIDER_UNAVAILABLE once the retries are spent', async () => {
    const retrying = providerFor(fake, { maxAttempts: 2 });
    fake.inject({ kind: 'drop', times: 2 });
    const e = await expectDomainError(retrying.listCollections({ limit: 1 }), 'PROVIDER_UNAVAILABLE', {
      ...base,
      operation: 'ListCollections',
    });
    expect(e.details.providerCode).toMatch(/ECONNRESET|socket hang up/i);
    expect(fake.calls.map((c) => c.status)).toEqual([null, null]);
    // A single drop is retried away.
    fake.inject({ kind: 'drop', times: 1 });
    expect((await retrying.listCollections({ limit: 1 })).items).toEqual([]);
    await retrying.close();
  });

  it('a response slower than requestTimeoutMs → PROVIDER_UNAVAILABLE (timed out)', async () => {
    const impatient = providerFor(fake, { requestTimeoutMs: 100 });
    fake.inject({ kind: 'latency', times: 1, latencyMs: 400 });
    const e = await expectDomainError(impatient.listCollections({ limit: 1 }), 'PROVIDER_UNAVAILABLE', { providerCode: 'ETIMEDOUT' });
    expect(e.message).toContain('timed out');
    await impatient.close();
  });

  it('an endpoint nobody listens on → PROVIDER_UNAVAILABLE (ECONNREFUSED)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const nowhere = providerFor(fake, { endpoint: `http://127.0.0.1:${port}` });
    await expectDomainError(nowhere.getCollections(['x']), 'PROVIDER_UNAVAILABLE', { providerCode: 'ECONNREFUSED' });
    await nowhere.close();
  });

  it('messages never carry the credentials', async () => {
    fake.inject({ kind: 'error', times: 1, error: { type: 'AccessDeniedException' } });
    const e = await expectDomainError(provider.listCollections({ limit: 1 }), 'FORBIDDEN');
    expect(JSON.stringify({ message: e.message, details: e.details })).not.toContain(CREDENTIALS.secretAccessKey);
  });
});
