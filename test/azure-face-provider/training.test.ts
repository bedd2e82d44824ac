/**
 * Trainings as TRAIN_COLLECTION operations, through the shared gateway
 * (its `azure` instance points at the fake): the automatic (debounced)
 * training after a change and the trainCollection mutation are both
 * followed with snapshotProgress over graphql-ws; providers without
 * training answer with an operation that already SUCCEEDED.
 */
import { describe, expect, inject, it } from 'vitest';
import { fakePng } from '../fakes/azure-face/server.js';
import { createCollection, createUsers, ref, uniqueCollectionId } from '../support/fixtures.js';
import { gqlData } from '../support/gateway.js';
import { until } from '../support/wait.js';
import { associate, follow, indexFace, search, TRAIN } from './gateway-support.js';

const url = inject('gatewayUrl');
const wsUrl = inject('gatewayWsUrl');

describe('trainCollection and TRAIN_COLLECTION operations', () => {
  it('an association starts a training whose operation ends SUCCEEDED; the user turns ACTIVE and is found', async () => {
    const id = uniqueCollectionId('train');
    const c = ref(id, 'azure');
    await createCollection(url, id, 'azure');
    await createUsers(url, id, ['alice'], 'azure');
    const faceId = await indexFace(url, c, fakePng({ label: `${id}-a1`, faces: [{ identity: `${id}-alice` }] }));
    await associate(url, c, 'alice', [faceId]);

    // The debounced round starts after the mutation has answered: wait for its operation to appear.
    const training = await until(
      async () =>
        (
          await gqlData(
            url,
            `query($c: CollectionRef!) { collection(ref: $c) { training { id kind targetCollection { collectionId } } } }`,
            { c },
          )
        ).collection.training,
      'the training operation to appear',
    );
    expect(training).toMatchObject({ kind: 'TRAIN_COLLECTION', targetCollection: { collectionId: id } });
    const events = await follow(wsUrl, training.id);
    expect(events.at(-1)).toMatchObject({ kind: 'TRAIN_COLLECTION', status: 'SUCCEEDED', percent: 100 });
    expect(events.every((e) => e.snapshot === null)).toBe(true);

    const user = await gqlData(url, `query($c: CollectionRef!) { collection(ref: $c) { user(userId: "alice") { status } } }`, { c });
    expect(user.collection.user.status).toBe('ACTIVE');
    expect(await search(url, c, fakePng({ label: `${id}-a2`, faces: [{ identity: `${id}-alice` }] }))).toEqual(['alice']);
  });

  it('trainCollection returns a RUNNING operation followed to SUCCEEDED; a new round even when nothing changed', async () => {
    const id = uniqueCollectionId('train');
    const c = ref(id, 'azure');
    await createCollection(url, id, 'azure');
    const first = await gqlData(url, TRAIN, { c });
    expect(first.trainCollection).toMatchObject({
      __typename: 'TrainCollectionAccepted',
      operation: { kind: 'TRAIN_COLLECTION', targetCollection: { collectionId: id } },
    });
    expect(['RUNNING', 'SUCCEEDED']).toContain(first.trainCollection.operation.status);
    const events = await follow(wsUrl, first.trainCollection.operation.id);
    expect(events[0].status).not.toBe('NOT_STARTED');
    expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', percent: 100 });

    const second = await gqlData(url, TRAIN, { c });
    expect(second.trainCollection.operation.id).not.toBe(first.trainCollection.operation.id);
    expect((await follow(wsUrl, second.trainCollection.operation.id)).at(-1)!.status).toBe('SUCCEEDED');
    const op = await gqlData(url, `query($id: ID!) { operation(id: $id) { kind status percent } }`, {
      id: second.trainCollection.operation.id,
    });
    expect(op.operation).toEqual({ kind: 'TRAIN_COLLECTION', status: 'SUCCEEDED', percent: 100 });
  });

  it('on a provider without training (local) the operation has already SUCCEEDED, saying why', async () => {
    const id = uniqueCollectionId('train');
    await createCollection(url, id, 'local');
    const d = await gqlData(url, TRAIN, { c: ref(id, 'local') });
    expect(d.trainCollection.operation).toMatchObject({ kind: 'TRAIN_COLLECTION', status: 'SUCCEEDED', percent: 100 });
    expect(d.trainCollection.operation.message).toMatch(/needs no training/);
    const events = await follow(wsUrl, d.trainCollection.operation.id);
    expect(events).toHaveLength(1);
    expect(events[0].status).toBe('SUCCEEDED');
  });

  it('an unknown collection is CollectionNotFound and records nothing; bad input is InvalidInput', async () => {
    const missing = await gqlData(url, TRAIN, { c: ref('no-such-collection-x', 'azure') });
    expect(missing.trainCollection).toMatchObject({
      __typename: 'CollectionNotFound',
      code: 'COLLECTION_NOT_FOUND',
      collectionId: 'no-such-collection-x',
    });
    const bad = await gqlData(url, TRAIN, { c: ref('Upper', 'azure') });
    expect(bad.trainCollection).toMatchObject({ __typename: 'InvalidInput', code: 'INVALID_INPUT' });
    const unknown = await gqlData(url, TRAIN, { c: ref('x', 'nope') });
    expect(unknown.trainCollection).toMatchObject({ __typename: 'InvalidInput', field: 'input.collection.provider' });
  });
});
