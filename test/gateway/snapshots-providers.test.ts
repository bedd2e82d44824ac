/**
 * Gateway snapshots in every direction between the three providers of the
 * shared gateway (local, aws with `retainImages: true`, azure), on the
 * fakes: a round trip local → aws → azure → local (and local → azure → aws
 * → local, so every direction between two providers is run) keeps users, the number
 * of faces per user, associations and unassociated faces, and
 * searchUsersByImage answers the same users on every copy. Face ids change
 * between providers. The fakes see the real photos through the
 * declarations of test/support/global-setup.ts (one face, centred, whose
 * identity is the photo's person), which is what lets a face indexed on the
 * fake Rekognition from one photo of franck match another photo of him.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createCollection, createUsers, ERROR_FIELDS, ref, uniqueCollectionId } from '../support/fixtures.js';
import { gqlData } from '../support/gateway.js';
import { PHOTOS } from '../support/photos.js';
import { associate, follow, indexFace, search } from '../azure-face-provider/gateway-support.js';

const url = inject('gatewayUrl');
const wsUrl = inject('gatewayWsUrl');
const photo = (file: string) => new Uint8Array(readFileSync(file));
type Ref = ReturnType<typeof ref>;

const TAKE = `mutation($c: CollectionRef!) { takeSnapshot(input: { collection: $c }) {
  __typename ... on TakeSnapshotAccepted { operation { id snapshot { id } } } ${ERROR_FIELDS} } }`;
const APPLY = `mutation($s: ID!, $t: CollectionRef!) { applySnapshot(input: { snapshotId: $s, target: $t }) {
  __typename ... on ApplySnapshotAccepted { operation { id } } ${ERROR_FIELDS} } }`;
const SHAPE = `query($c: CollectionRef!) { collection(ref: $c) { userCount faceCount
  users(first: 100) { edges { node { userId faceCount } } }
  faces(first: 100) { edges { node { faceId externalImageId user { userId } } } } } }`;

/** Takes a snapshot of `c` and applies it to `target`, following both operations to SUCCEEDED. */
async function copy(c: Ref, target: Ref): Promise<void> {
  const taken = await gqlData(url, TAKE, { c });
  expect(taken.takeSnapshot.__typename, JSON.stringify(taken)).toBe('TakeSnapshotAccepted');
  const takeEvents = await follow(wsUrl, taken.takeSnapshot.operation.id);
  expect(takeEvents.at(-1), JSON.stringify(takeEvents.at(-1))).toMatchObject({ status: 'SUCCEEDED', percent: 100 });
  expect(takeEvents.at(-1)!.snapshot).toMatchObject({ userCount: 3, faceCount: 4 });
  const applied = await gqlData(url, APPLY, { s: taken.takeSnapshot.operation.snapshot.id, t: target });
  expect(applied.applySnapshot.__typename, JSON.stringify(applied)).toBe('ApplySnapshotAccepted');
  const events = await follow(wsUrl, applied.applySnapshot.operation.id);
  expect(events.at(-1), JSON.stringify(events.at(-1))).toMatchObject({
    kind: 'APPLY_SNAPSHOT',
    status: 'SUCCEEDED',
    percent: 100,
    processedItems: 7,
  });
}

/** Users with their face counts, and each face's external image id with its user's id (face ids left out: they change). */
async function shape(c: Ref) {
  const d = await gqlData(url, SHAPE, { c });
  const faces = (
    d.collection.faces.edges as { node: { faceId: string; externalImageId: string | null; user: { userId: string } | null } }[]
  ).map((e) => e.node);
  return {
    shape: {
      userCount: d.collection.userCount,
      faceCount: d.collection.faceCount,
      users: (d.collection.users.edges as { node: { userId: string; faceCount: number } }[])
        .map((e) => e.node)
        .sort((a, b) => a.userId.localeCompare(b.userId)),
      faces: faces.map((f) => [f.externalImageId, f.user?.userId ?? null]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    },
    faceIds: faces.map((f) => f.faceId),
  };
}

describe.each([
  { order: ['aws', 'azure'], name: 'local → aws → azure → local' },
  { order: ['azure', 'aws'], name: 'local → azure → aws → local' },
])('gateway snapshots in every direction: $name', ({ order }) => {
  const id = uniqueCollectionId('snaprt');
  const local = ref(id, 'local');
  const [first, second] = order.map((provider) => ref(`${id}-${provider}`, provider));
  const back = ref(`${id}-back`, 'local');

  beforeAll(async () => {
    await createCollection(url, id, 'local');
    await createUsers(url, id, ['franck', 'audrey', 'nobody'], 'local');
    const franck = [
      await indexFace(url, local, photo(PHOTOS.franck[0]), 'franck-0'),
      await indexFace(url, local, photo(PHOTOS.franck[1]), 'franck-1'),
    ];
    expect(await associate(url, local, 'franck', franck)).toHaveLength(2);
    await associate(url, local, 'audrey', [await indexFace(url, local, photo(PHOTOS.audrey[0]), 'audrey-0')]);
    await indexFace(url, local, photo(PHOTOS.cage[0]), 'cage-0');
  });

  it('keeps users, faces per user, associations and search answers; face ids change', async () => {
    const expected = {
      userCount: 3,
      faceCount: 4,
      users: [
        { userId: 'audrey', faceCount: 1 },
        { userId: 'franck', faceCount: 2 },
        { userId: 'nobody', faceCount: 0 },
      ],
      faces: [
        ['audrey-0', 'audrey'],
        ['cage-0', null],
        ['franck-0', 'franck'],
        ['franck-1', 'franck'],
      ],
    };
    const copies: Ref[] = [local, first, second, back];
    const seen = [await shape(local)];
    expect(seen[0].shape).toEqual(expected);
    for (let i = 1; i < copies.length; i++) {
      await copy(copies[i - 1], copies[i]);
      const now = await shape(copies[i]);
      expect(now.shape, `${copies[i].provider} copy`).toEqual(expected);
      for (const earlier of seen) for (const faceId of now.faceIds) expect(earlier.faceIds).not.toContain(faceId);
      seen.push(now);
    }

    for (const [identity, file] of [
      ['franck', PHOTOS.franck[3]],
      ['audrey', PHOTOS.audrey[1]],
      ['cage', PHOTOS.cage[1]],
    ] as const) {
      const answers = [];
      for (const c of copies) answers.push((await search(url, c, photo(file))).slice(0, 1));
      expect(answers, identity).toEqual(copies.map(() => (identity === 'cage' ? [] : [identity])));
    }
  });
});

describe('azureApplyScope on providers that keep no snapshot copy of their own', () => {
  it.each(['local', 'aws'])(
    '%s: a take sharing with a Face subscription is UnsupportedOperation and leaves no snapshot',
    async (provider) => {
      const id = uniqueCollectionId('share');
      await createCollection(url, id, provider);
      const SNAPSHOTS = `{ snapshots(first: 100) { edges { node { id } } } }`;
      const before = (await gqlData(url, SNAPSHOTS)).snapshots.edges.length as number;
      const shared = await gqlData(
        url,
        `mutation($c: CollectionRef!, $s: [String!]) { takeSnapshot(input: { collection: $c, azureApplyScope: $s }) { __typename ${ERROR_FIELDS} } }`,
        { c: ref(id, provider), s: ['6f0c1c52-9d2b-4a36-9f4e-0d2a3b4c5d6e'] },
      );
      expect(shared.takeSnapshot, JSON.stringify(shared)).toMatchObject({
        __typename: 'UnsupportedOperation',
        code: 'UNSUPPORTED_OPERATION',
      });
      expect((await gqlData(url, SNAPSHOTS)).snapshots.edges).toHaveLength(before);
    },
  );
});
