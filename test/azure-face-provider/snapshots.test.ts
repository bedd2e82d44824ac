/**
 * Gateway snapshots on Azure, through the shared gateway: a snapshot taken
 * on the local engine applies to Azure (faces re-added from the retained
 * images) and one taken there applies back to local (descriptors computed
 * again from the images); searchUsersByImage finds the same users for the
 * same photos on all three collections. Real photos: inference is the cost.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createCollection, createUsers, ERROR_FIELDS, ref, uniqueCollectionId } from '../support/fixtures.js';
import { gqlData } from '../support/gateway.js';
import { PHOTOS } from '../support/photos.js';
import { associate, follow, indexFace, search } from './gateway-support.js';

const url = inject('gatewayUrl');
const wsUrl = inject('gatewayWsUrl');
const photo = (file: string) => new Uint8Array(readFileSync(file));

const TAKE = `mutation($c: CollectionRef!) { takeSnapshot(input: { collection: $c }) {
  __typename ... on TakeSnapshotAccepted { operation { id snapshot { id } } } ${ERROR_FIELDS} } }`;
const APPLY = `mutation($s: ID!, $t: CollectionRef!) { applySnapshot(input: { snapshotId: $s, target: $t }) {
  __typename ... on ApplySnapshotAccepted { operation { id } } ${ERROR_FIELDS} } }`;
const COUNTS = `query($c: CollectionRef!) { collection(ref: $c) { userCount faceCount
  users { edges { node { userId faceCount } } } unassociated: faces(unassociated: true) { edges { node { externalImageId } } } } }`;

/** Takes a snapshot of `c` and applies it to `target`, following both operations; returns the apply's events. */
async function copy(c: ReturnType<typeof ref>, target: ReturnType<typeof ref>) {
  const taken = await gqlData(url, TAKE, { c });
  expect(taken.takeSnapshot.__typename, JSON.stringify(taken)).toBe('TakeSnapshotAccepted');
  const takeEvents = await follow(wsUrl, taken.takeSnapshot.operation.id);
  expect(takeEvents.at(-1), JSON.stringify(takeEvents.at(-1))).toMatchObject({ status: 'SUCCEEDED', percent: 100 });
  const applied = await gqlData(url, APPLY, { s: taken.takeSnapshot.operation.snapshot.id, t: target });
  expect(applied.applySnapshot.__typename, JSON.stringify(applied)).toBe('ApplySnapshotAccepted');
  const events = await follow(wsUrl, applied.applySnapshot.operation.id);
  expect(events.at(-1), JSON.stringify(events.at(-1))).toMatchObject({ kind: 'APPLY_SNAPSHOT', status: 'SUCCEEDED', percent: 100 });
  return { takeEvents, events };
}

async function shape(c: ReturnType<typeof ref>) {
  const d = await gqlData(url, COUNTS, { c });
  return {
    userCount: d.collection.userCount,
    faceCount: d.collection.faceCount,
    users: (d.collection.users.edges as { node: { userId: string; faceCount: number } }[])
      .map((e) => e.node)
      .sort((a, b) => a.userId.localeCompare(b.userId)),
    unassociated: (d.collection.unassociated.edges as { node: { externalImageId: string | null } }[]).map((e) => e.node.externalImageId),
  };
}

describe('gateway snapshots between local and Azure', () => {
  const id = uniqueCollectionId('snapx');
  const local = ref(id, 'local');
  const azure = ref(`${id}-az`, 'azure');
  const back = ref(`${id}-back`, 'local');

  beforeAll(async () => {
    await createCollection(url, id, 'local');
    await createUsers(url, id, ['franck', 'audrey', 'nobody'], 'local');
    await associate(url, local, 'franck', [await indexFace(url, local, photo(PHOTOS.franck[0]), 'franck-0')]);
    await associate(url, local, 'audrey', [await indexFace(url, local, photo(PHOTOS.audrey[0]), 'audrey-0')]);
    await indexFace(url, local, photo(PHOTOS.cage[0]), 'cage-0');
  });

  it('local → Azure → local keeps users, faces and associations, and search answers the same', async () => {
    const expected = {
      userCount: 3,
      faceCount: 3,
      users: [
        { userId: 'audrey', faceCount: 1 },
        { userId: 'franck', faceCount: 1 },
        { userId: 'nobody', faceCount: 0 },
      ],
      unassociated: ['cage-0'],
    };
    expect(await shape(local)).toEqual(expected);

    const toAzure = await copy(local, azure);
    expect(toAzure.takeEvents.at(-1)!.snapshot).toMatchObject({ userCount: 3, faceCount: 3 });
    expect(toAzure.events.at(-1)).toMatchObject({ processedItems: 6, totalItems: 6 });
    expect(await shape(azure)).toEqual(expected);

    const toLocal = await copy(azure, back);
    expect(toLocal.takeEvents.at(-1)!.snapshot).toMatchObject({ userCount: 3, faceCount: 3 });
    expect(await shape(back)).toEqual(expected);

    for (const [identity, file] of [
      ['franck', PHOTOS.franck[1]],
      ['audrey', PHOTOS.audrey[1]],
      ['cage', PHOTOS.cage[1]],
    ] as const) {
      const answers = [];
      for (const c of [local, azure, back]) answers.push((await search(url, c, photo(file))).slice(0, 1));
      expect(answers, identity).toEqual([0, 1, 2].map(() => (identity === 'cage' ? [] : [identity])));
    }
  });
});
