/**
 * AzureFaceProvider failure handling against the fake: retries on 429
 * (both body shapes, Retry-After capped) and 5xx, what gives up as
 * THROTTLED / PROVIDER_UNAVAILABLE, lost answers of non-idempotent calls
 * (recovered by nonce, no duplicates), timeouts, authentication and Limited
 * Access, quotas, training gating (never a raw 409), and the code → domain
 * error table (the same code with different statuses).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as ErrorsModule from '../../src/datasources/azure-face/errors.js';
import { fakePng, startFakeAzureFace, type DeclaredFace, type FakeAzureFace } from '../fakes/azure-face/server.js';
import { until } from '../support/wait.js';
import { DomainError, expectDomainError, providerFor, rest, uniqueId, type Provider } from './support.js';

const { AzureServiceError, AzureTransportError, toDomainError } = (await import(
  new URL('../../dist/src/datasources/azure-face/errors.js', import.meta.url).href
)) as typeof ErrorsModule;

let fake: FakeAzureFace;

beforeAll(async () => {
  fake = await startFakeAzureFace({ trainingMs: 10 });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
});

let labels = 0;
const png = (faces?: DeclaredFace[]) => fakePng({ label: `e-${++labels}`, faces });
const face = (identity: string): DeclaredFace => ({ identity });

/** Runs `fn` with a provider (closed afterwards). */
async function using<T>(options: Parameters<typeof providerFor>[1], fn: (p: Provider) => Promise<T>): Promise<T> {
  const p = providerFor(fake, options);
  try {
    return await fn(p);
  } finally {
    await p.close();
  }
}

/**
 * A new collection whose user "ann" holds one face, and a search for her;
 * `beforeAssociate` runs once the face is indexed, before it is associated.
 */
async function annEnrolled(p: Provider, beforeAssociate?: (collectionId: string) => void) {
  const id = uniqueId();
  await p.createCollection(id);
  await p.createUser({ collectionId: id, userId: 'ann' });
  const faceId = (await p.indexFaces({ collectionId: id, image: png([face('ann')]) })).faces[0].faceId;
  beforeAssociate?.(id);
  await p.associateFaces({ collectionId: id, userId: 'ann', faceIds: [faceId], userMatchThreshold: 75 });
  return { id, search: () => p.searchUsersByImage({ collectionId: id, image: png([face('ann')]), userMatchThreshold: 80, maxUsers: 5 }) };
}

describe('throttling and retries', () => {
  it('429 then success: retried after Retry-After (capped), both body shapes', async () => {
    // The waits asked for are recorded (and not slept): the cap is checked as a figure, not timed.
    const waits: number[] = [];
    const retrySleep = (ms: number) => (waits.push(ms), Promise.resolve());
    await using({ maxAttempts: 3, maxRetryAfterMs: 30, retrySleep }, async (p) => {
      fake.inject({ op: 'GetLargePersonGroups', kind: 'throttle', times: 1, retryAfterSeconds: 20 });
      fake.inject({ op: 'GetLargePersonGroups', kind: 'throttle-legacy', times: 1, retryAfterSeconds: 20 });
      expect(await p.listCollections({ limit: 5 })).toEqual({ items: [] });
      expect(waits).toEqual([30, 30]); // two waits of the 30 ms cap, not 2 × 20 s
      expect(fake.callsTo('GetLargePersonGroups').map((c) => c.status)).toEqual([429, 429, 200]);
    });
  });

  it('429 on a non-idempotent call is retried too (Azure did not perform it)', async () => {
    await using({ maxAttempts: 2 }, async (p) => {
      const id = uniqueId();
      await p.createCollection(id);
      fake.inject({ op: 'CreateLargePersonGroupPerson', kind: 'throttle', times: 1 });
      await p.createUser({ collectionId: id, userId: 'u' });
      expect((await rest(fake, 'GET', `/largepersongroups/${id}/persons`)).json).toHaveLength(1);
    });
  });

  it('429 beyond the attempts → THROTTLED with retryAfterMs and providerCode "429"', async () => {
    await using({ maxAttempts: 2, maxRetryAfterMs: 40 }, async (p) => {
      fake.inject({ op: 'GetLargePersonGroups', kind: 'throttle', times: 5, retryAfterSeconds: 7 });
      const e = await expectDomainError(p.listCollections({ limit: 5 }), 'THROTTLED', {
        providerCode: '429',
        retryAfterMs: 40,
        operation: 'GetLargePersonGroups',
        provider: 'azure-test',
      });
      expect(e.message).toMatch(/retry after 40 ms/);
      expect(fake.callsTo('GetLargePersonGroups')).toHaveLength(2);
      fake.reset();
      fake.inject({ op: 'GetLargePersonGroups', kind: 'throttle-legacy', times: 5, retryAfterSeconds: null });
      await expectDomainError(p.listCollections({ limit: 5 }), 'THROTTLED', { providerCode: '429', retryAfterMs: 1000 });
    });
  });

  it('5xx then success on a safe call; 5xx beyond the attempts → PROVIDER_UNAVAILABLE', async () => {
    await using({ maxAttempts: 3 }, async (p) => {
      fake.inject({ op: 'GetLargePersonGroups', kind: '500', times: 1 });
      fake.inject({ op: 'GetLargePersonGroups', kind: '503', times: 1 });
      expect(await p.listCollections({ limit: 5 })).toEqual({ items: [] });
      fake.inject({ op: 'GetLargePersonGroups', kind: '500', times: 3 });
      await expectDomainError(p.listCollections({ limit: 5 }), 'PROVIDER_UNAVAILABLE', {
        providerCode: 'InternalServerError',
        operation: 'GetLargePersonGroups',
      });
    });
  });

  it('a 5xx on a safe call with one attempt is PROVIDER_UNAVAILABLE at once', async () => {
    await using({ maxAttempts: 1 }, async (p) => {
      const id = uniqueId();
      await p.createCollection(id);
      fake.inject({ op: 'Detect', kind: '503', times: 1 });
      await expectDomainError(p.indexFaces({ collectionId: id, image: png() }), 'PROVIDER_UNAVAILABLE', {
        providerCode: 'ServiceUnavailable',
        operation: 'Detect',
      });
    });
  });

  it('dropped connections: safe calls are retried; exhausted → PROVIDER_UNAVAILABLE with the socket error code', async () => {
    await using({ maxAttempts: 2 }, async (p) => {
      fake.inject({ op: 'GetLargePersonGroups', kind: 'drop', times: 1 });
      expect(await p.listCollections({ limit: 5 })).toEqual({ items: [] });
      fake.inject({ op: 'GetLargePersonGroups', kind: 'drop', times: 2 });
      await expectDomainError(p.listCollections({ limit: 5 }), 'PROVIDER_UNAVAILABLE', { providerCode: 'ECONNRESET' });
    });
  });

  it('a timed-out attempt is abandoned and retried; all timing out → PROVIDER_UNAVAILABLE (TIMEOUT)', async () => {
    await using({ maxAttempts: 2, requestTimeoutMs: 400 }, async (p) => {
      fake.inject({ op: 'GetLargePersonGroups', kind: 'latency', times: 1, latencyMs: 1500 });
      expect(await p.listCollections({ limit: 5 })).toEqual({ items: [] });
      fake.inject({ op: 'GetLargePersonGroups', kind: 'latency', times: 2, latencyMs: 1500 });
      await expectDomainError(p.listCollections({ limit: 5 }), 'PROVIDER_UNAVAILABLE', { providerCode: 'TIMEOUT' });
    });
  });
});

describe('lost answers of calls that create things (no duplicates)', () => {
  it('create person: the answer is lost after Azure made it → found by its nonce, not made twice', async () => {
    await using({ maxAttempts: 3 }, async (p) => {
      const id = uniqueId();
      await p.createCollection(id);
      fake.inject({ op: 'CreateLargePersonGroupPerson', kind: '500', times: 1, phase: 'after' });
      expect(await p.createUser({ collectionId: id, userId: 'u' })).toMatchObject({ userId: 'u' });
      expect((await rest(fake, 'GET', `/largepersongroups/${id}/persons`)).json).toHaveLength(1);
      fake.inject({ op: 'CreateLargePersonGroupPerson', kind: 'drop', times: 1, phase: 'after' });
      await p.createUser({ collectionId: id, userId: 'v' });
      expect((await rest(fake, 'GET', `/largepersongroups/${id}/persons`)).json).toHaveLength(2);
    });
  });

  it('create person: a 5xx before Azure made it → retried once the lookup finds nothing', async () => {
    await using({ maxAttempts: 2 }, async (p) => {
      const id = uniqueId();
      await p.createCollection(id);
      fake.inject({ op: 'CreateLargePersonGroupPerson', kind: '500', times: 1 });
      await p.createUser({ collectionId: id, userId: 'u' });
      expect(fake.callsTo('CreateLargePersonGroupPerson')).toHaveLength(2);
      expect(fake.callsTo('GetLargePersonGroupPersons').length).toBeGreaterThan(0);
      expect((await rest(fake, 'GET', `/largepersongroups/${id}/persons`)).json).toHaveLength(1);
    });
  });

  it('add face (list and person): lost answers are recovered; one face each', async () => {
    await using({ maxAttempts: 3 }, async (p) => {
      const id = uniqueId();
      await p.createCollection(id);
      await p.createUser({ collectionId: id, userId: 'u' });
      fake.inject({ op: 'AddLargeFaceListFace', kind: 'drop', times: 1, phase: 'after' });
      const faceId = (await p.indexFaces({ collectionId: id, image: png([face('u')]) })).faces[0].faceId;
      expect((await rest(fake, 'GET', `/largefacelists/${id}/persistedfaces`)).json).toHaveLength(1);
      fake.inject({ op: 'AddLargePersonGroupPersonFace', kind: '500', times: 1, phase: 'after' });
      expect(
        (await p.associateFaces({ collectionId: id, userId: 'u', faceIds: [faceId], userMatchThreshold: 75 })).associatedFaceIds,
      ).toEqual([faceId]);
      const [person] = (await rest(fake, 'GET', `/largepersongroups/${id}/persons`)).json as { persistedFaceIds: string[] }[];
      expect(person.persistedFaceIds).toHaveLength(1);
    });
  });

  it('without retries left, an unsafe call that may have happened is PROVIDER_UNAVAILABLE (and the index stays truthful)', async () => {
    await using({ maxAttempts: 1 }, async (p) => {
      const id = uniqueId();
      await p.createCollection(id);
      fake.inject({ op: 'CreateLargePersonGroupPerson', kind: '500', times: 1 });
      await expectDomainError(p.createUser({ collectionId: id, userId: 'u' }), 'PROVIDER_UNAVAILABLE', {
        providerCode: 'InternalServerError',
      });
      expect(fake.callsTo('CreateLargePersonGroupPerson')).toHaveLength(1);
      expect(await p.getUsers(id, ['u'])).toEqual([null]);
    });
  });

  it('create collection: a lost answer of the group PUT is recognised as our own by its nonce', async () => {
    await using({ maxAttempts: 2 }, async (p) => {
      const id = uniqueId();
      fake.inject({ op: 'CreateLargePersonGroup', kind: '500', times: 1, phase: 'after' });
      expect((await p.createCollection(id)).collectionId).toBe(id);
      await expectDomainError(p.createCollection(id), 'COLLECTION_ALREADY_EXISTS');
    });
  });
});

describe('authentication, approval and quotas', () => {
  it('a wrong key → FORBIDDEN (providerCode 401), without the key in the message', async () => {
    const p = providerFor(fake, { apiKey: 'wrong-secret-key-do-not-leak' });
    try {
      const e = await expectDomainError(
        p.listCollections({ limit: 1 }),
        'FORBIDDEN',
        { providerCode: '401' },
        'wrong-secret-key-do-not-leak',
      );
      expect(e.message).not.toContain(fake.apiKey);
    } finally {
      await p.close();
    }
  });

  it('no Limited Access approval → searchUsersByImage FORBIDDEN (UnsupportedFeature)', async () => {
    const closed = await startFakeAzureFace({ identification: false });
    const p = providerFor(closed);
    try {
      const id = uniqueId();
      await p.createCollection(id);
      expect((await p.indexFaces({ collectionId: id, image: png() })).faces).toHaveLength(1); // no faceIds needed
      await expectDomainError(p.searchUsersByImage({ collectionId: id, image: png(), userMatchThreshold: 80, maxUsers: 5 }), 'FORBIDDEN', {
        providerCode: 'UnsupportedFeature',
      });
    } finally {
      await p.close();
      await closed.stop();
    }
  });

  it('403 QuotaExceeded → QUOTA_EXCEEDED', async () => {
    const small = await startFakeAzureFace({ limits: { personsPerGroup: 1 } });
    const p = providerFor(small);
    try {
      const id = uniqueId();
      await p.createCollection(id);
      await p.createUser({ collectionId: id, userId: 'a' });
      await expectDomainError(p.createUser({ collectionId: id, userId: 'b' }), 'QUOTA_EXCEEDED', {
        providerCode: 'QuotaExceeded',
        collectionId: id,
      });
    } finally {
      await p.close();
      await small.stop();
    }
  });
});

describe('training gating (never a raw 409)', () => {
  it('a search waits for the pending training; too long → THROTTLED with retryAfterMs; later it works', async () => {
    fake.setTrainingMs(60_000); // on the fake's clock, which the test moves
    await using({ searchTrainingWaitMs: 150 }, async (p) => {
      const { id, search } = await annEnrolled(p);
      const e = await expectDomainError(search(), 'THROTTLED', { collectionId: id, providerCode: 'LargePersonGroupTrainingNotFinished' });
      expect(e.details.retryAfterMs).toBeGreaterThan(0);
      expect((await p.getUsers(id, ['ann']))[0]?.status).toBe('UPDATING');
      fake.advanceClock(60_000);
      const out = await search();
      expect(out.userMatches.map((m) => m.user)).toEqual([{ collectionId: id, userId: 'ann', status: 'ACTIVE' }]);
    });
  });

  it('a 409 from a training someone else started: the search waits for it to finish, then identifies', async () => {
    await using({ searchTrainingWaitMs: 3_000 }, async (p) => {
      const { id, search } = await annEnrolled(p);
      expect((await search()).userMatches).toHaveLength(1); // trained by the adapter
      fake.setTrainingMs(60_000);
      expect((await rest(fake, 'POST', `/largepersongroups/${id}/train`)).status).toBe(202); // another replica
      // The training finishes only once the search has met it (its Identify answered 409), so the search has to wait for it.
      const searching = search();
      await until(
        () => fake.callsTo('Identify').some((c) => c.errorCode === 'LargePersonGroupTrainingNotFinished'),
        'the search to meet the running training',
      );
      fake.advanceClock(60_000);
      const out = await searching;
      expect(out.userMatches).toHaveLength(1);
      expect(fake.callsTo('Identify').map((c) => c.errorCode)).toEqual([null, 'LargePersonGroupTrainingNotFinished', null]);
    });
  });

  it("a failed training → the search is PROVIDER_UNAVAILABLE (TrainingFailed), Azure's reason logged, not sent; the next search trains again", async () => {
    const warnings: string[] = [];
    await using({ logger: { warn: (_obj: unknown, msg?: string) => void warnings.push(msg ?? '') } as never }, async (p) => {
      const { id, search } = await annEnrolled(p, (id) => fake.failNextTraining(id, 'model exploded'));
      const e = await expectDomainError(search(), 'PROVIDER_UNAVAILABLE', { providerCode: 'TrainingFailed', collectionId: id });
      expect(e.message).not.toContain('model exploded');
      expect((e.cause as Error).message).toBe('model exploded');
      expect(warnings.some((w) => w.includes('training failed') && w.includes('model exploded'))).toBe(true);
      expect((await search()).userMatches).toHaveLength(1);
    });
  });

  it('a group that lost its training behind our back (400 NotTrained) is trained again before identify', async () => {
    await using({}, async (p) => {
      const { search } = await annEnrolled(p);
      expect((await search()).userMatches).toHaveLength(1);
      fake.inject({
        op: 'Identify',
        kind: 'error',
        times: 1,
        error: { status: 400, code: 'LargePersonGroupNotTrained', message: 'not trained' },
      });
      expect((await search()).userMatches).toHaveLength(1);
    });
  });

  it('the group deleted behind our back: identify’s 400 LargePersonGroupNotFound → COLLECTION_NOT_FOUND, index dropped', async () => {
    await using({}, async (p) => {
      const { id, search } = await annEnrolled(p);
      expect((await search()).userMatches).toHaveLength(1);
      await rest(fake, 'DELETE', `/largepersongroups/${id}`);
      await expectDomainError(search(), 'COLLECTION_NOT_FOUND', {
        collectionId: id,
        providerCode: 'LargePersonGroupNotFound',
        operation: 'IdentifyFromLargePersonGroup',
      });
      expect(fake.callsTo('Identify').at(-1)?.status).toBe(400);
      await expectDomainError(p.listUsers(id, { limit: 1 }), 'COLLECTION_NOT_FOUND'); // rebuilt → 404 on the group's own route
      expect(fake.callsTo('GetLargePersonGroup').at(-1)?.status).toBe(404);
    });
  });
});

describe('the code → domain error table', () => {
  const ctx = { provider: 'p', collectionId: 'c', userId: 'u' };
  const service = (status: number, code: string, retryAfterMs: number | null = null) =>
    new AzureServiceError('Op', status, code, 'msg', retryAfterMs, false);

  it.each([
    [401, '401', 'FORBIDDEN'],
    [403, 'UnsupportedFeature', 'FORBIDDEN'],
    [403, 'Forbidden', 'FORBIDDEN'],
    [403, 'QuotaExceeded', 'QUOTA_EXCEEDED'],
    [429, '429', 'THROTTLED'],
    [409, 'ConcurrentOperationConflict', 'THROTTLED'],
    [409, 'LargePersonGroupTrainingNotFinished', 'THROTTLED'],
    [400, 'LargePersonGroupNotTrained', 'THROTTLED'],
    [404, 'LargePersonGroupNotTrained', 'THROTTLED'],
    [400, 'LargePersonGroupNotFound', 'COLLECTION_NOT_FOUND'],
    [404, 'LargePersonGroupNotFound', 'COLLECTION_NOT_FOUND'],
    [404, 'LargeFaceListNotFound', 'COLLECTION_NOT_FOUND'],
    [409, 'LargePersonGroupExists', 'COLLECTION_ALREADY_EXISTS'],
    [400, 'PersonNotFound', 'USER_NOT_FOUND'],
    [404, 'PersonNotFound', 'USER_NOT_FOUND'],
    [400, 'InvalidImage', 'INVALID_IMAGE'],
    [400, 'InvalidImageSize', 'INVALID_IMAGE'],
    [400, 'InvalidURL', 'INVALID_IMAGE'],
    [400, 'BadArgument', 'INVALID_INPUT'],
    [404, 'PersistedFaceNotFound', 'PROVIDER_UNAVAILABLE'],
    [400, 'FaceNotFound', 'PROVIDER_UNAVAILABLE'],
    [500, 'InternalServerError', 'PROVIDER_UNAVAILABLE'],
    [503, '503', 'PROVIDER_UNAVAILABLE'],
    [418, 'Teapot', 'PROVIDER_UNAVAILABLE'],
  ])('HTTP %i %s → %s', (status, code, expected) => {
    const e = toDomainError(service(status, code), ctx);
    expect(e).toBeInstanceOf(DomainError);
    expect(e.code).toBe(expected);
    expect(e.details).toMatchObject({ provider: 'p', operation: 'Op', providerCode: code });
  });

  it('THROTTLED carries Retry-After (or a default); a lost answer maps to PROVIDER_UNAVAILABLE with its socket code', () => {
    expect(toDomainError(service(429, '429', 2500), ctx).details.retryAfterMs).toBe(2500);
    expect(toDomainError(service(429, '429'), ctx).details.retryAfterMs).toBe(1000);
    const lost = toDomainError(new AzureTransportError('Detect', 'ECONNRESET', 'socket hang up'), ctx);
    expect(lost).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { providerCode: 'ECONNRESET', operation: 'Detect' } });
    const passthrough = new DomainError('USER_NOT_FOUND', 'x');
    expect(toDomainError(passthrough, ctx)).toBe(passthrough);
  });
});
