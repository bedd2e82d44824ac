/**
 * Approximate search through the running gateway: a local collection above
 * `annMinFaces` (set to 4 here, so 6 real faces make it approximate) answers
 * searchUsersByImage with the users and similarities the exact index
 * answers; its index is saved in the data directory, and a restart loads it
 * and catches up from the store's association log instead of rebuilding
 * (told apart by the "search index ready" log line: source "file" or "store").
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlData, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';
import { createCollection, createUsers } from '../support/fixtures.js';
import { MULTI_PHOTO_IDENTITIES as PEOPLE, PHOTOS, type Identity as Person } from '../support/photos.js';

const COLLECTION = 'ann';
// A long call timeout: the first image starts the engine, slow on a loaded machine.
const config = (annMinFaces: number) => ({
  providers: [{ name: 'local', kind: 'local', annMinFaces, resilience: { timeoutMs: 240_000 } }],
});
const env = { FACEGATE_ENGINE_WORKERS: '1' };
const b64 = (file: string) => readFileSync(file).toString('base64');
const c = `collection: { provider: "local", collectionId: "${COLLECTION}" }`;

type Match = { userId: string; similarity: number };
async function searchUsers(gw: GatewayProcess, person: Person): Promise<Match[]> {
  const data = await gqlData(
    gw.url,
    `query($img: String!) { searchUsersByImage(input: { ${c}, image: { base64: $img }, maxUsers: 3 }) {
      __typename ... on SearchUsersByImageSuccess { userMatches { similarity user { userId } } } } }`,
    { img: b64(PHOTOS[person][1]!) },
  );
  if (data.searchUsersByImage.__typename !== 'SearchUsersByImageSuccess') throw new Error(JSON.stringify(data));
  return data.searchUsersByImage.userMatches.map((m: { similarity: number; user: { userId: string } }) => ({
    userId: m.user.userId,
    similarity: m.similarity,
  }));
}

const searchAll = async (gw: GatewayProcess): Promise<Record<string, Match[]>> => {
  const out: Record<string, Match[]> = {};
  for (const person of PEOPLE) out[person] = await searchUsers(gw, person);
  return out;
};

/** The "search index ready" log lines of the gateway. */
const readyLines = (gw: GatewayProcess) =>
  gw.logs.filter((l) => l.msg === 'search index ready') as { source: string; approximate: boolean; faces: number; caughtUp: number }[];

let gateway: GatewayProcess;
let dataDir: string;
let faceIds: Record<string, string>;
let approximateAnswers: Record<string, Match[]>;

beforeAll(async () => {
  gateway = await startGateway({ config: config(4), env });
  dataDir = gateway.dataDir;
  await createCollection(gateway.url, COLLECTION);
  await createUsers(gateway.url, COLLECTION, [...PEOPLE]);
  faceIds = {};
  for (const person of PEOPLE) {
    const idx = await gqlData(
      gateway.url,
      `mutation($img: String!) { indexFaces(input: { ${c}, image: { base64: $img }, maxFaces: 1 }) {
        __typename ... on IndexFacesSuccess { faces { faceId } } ... on Error { code message } } }`,
      { img: b64(PHOTOS[person][0]) },
    );
    if (idx.indexFaces.__typename !== 'IndexFacesSuccess') throw new Error(`${person}: ${JSON.stringify(idx.indexFaces)}`);
    faceIds[person] = idx.indexFaces.faces[0].faceId;
    const assoc = await gqlData(
      gateway.url,
      `mutation($u: String!, $f: [String!]!) { associateFaces(input: { ${c}, userId: $u, faceIds: $f }) { __typename } }`,
      { u: person, f: [faceIds[person]] },
    );
    expect(assoc.associateFaces.__typename).toBe('AssociateFacesSuccess');
  }
}, 300_000);

afterAll(async () => {
  await gateway?.stop();
  if (dataDir) removeDataDir(dataDir);
});

describe('approximate search of a local collection', () => {
  it('answers from the approximate index, built from the store once', async () => {
    approximateAnswers = await searchAll(gateway);
    // Each person's other crop finds that person first.
    for (const person of PEOPLE) expect(approximateAnswers[person][0]?.userId, person).toBe(person);
    expect(readyLines(gateway)).toEqual([expect.objectContaining({ source: 'store', approximate: true, faces: 6 })]);
  }, 300_000);

  it('after a crash, loads the saved index and catches up on the change it missed', async () => {
    const dis = await gqlData(
      gateway.url,
      `mutation($f: [String!]!) { disassociateFaces(input: { ${c}, userId: "audrey", faceIds: $f }) { __typename } }`,
      { f: [faceIds.audrey] },
    );
    expect(dis.disassociateFaces.__typename).toBe('DisassociateFacesSuccess');
    expect((await searchUsers(gateway, 'audrey')).map((m) => m.userId)).not.toContain('audrey');
    // SIGKILL: the index on disk is the one saved when it was built, before the disassociation.
    await gateway.kill();
    gateway = await startGateway({ dataDir, config: config(4), env });

    const after = await searchAll(gateway);
    expect(after.audrey.map((m) => m.userId)).not.toContain('audrey');
    for (const person of PEOPLE.filter((p) => p !== 'audrey')) expect(after[person]).toEqual(approximateAnswers[person]);
    expect(readyLines(gateway)).toEqual([expect.objectContaining({ source: 'file', approximate: true, faces: 5, caughtUp: 1 })]);
    approximateAnswers = after;
  }, 300_000);

  it('answers exactly what the exact index answers, similarities included', async () => {
    await gateway.stop();
    gateway = await startGateway({ dataDir, config: config(1000), env });
    expect(await searchAll(gateway)).toEqual(approximateAnswers);
    expect(readyLines(gateway)).toEqual([expect.objectContaining({ source: 'store', approximate: false, faces: 5 })]);
  }, 300_000);
});
