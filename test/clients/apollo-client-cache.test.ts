/**
 * The README's error fragment (`... on Error { code message }`) through
 * Apollo Client 4's InMemoryCache against the real gateway: with the
 * published possible-types.json the cache knows CollectionAlreadyExists
 * implements Error and keeps code and message; without it the fragment
 * silently matches nothing, and the fields are missing (what issue 24 saw).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloClient, HttpLink, InMemoryCache, gql, type PossibleTypesMap } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';
import { uniqueCollectionId } from '../support/fixtures.js';

const { possibleTypes } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'possible-types.json'), 'utf8')) as {
  possibleTypes: PossibleTypesMap;
};

/** The README's first curl's mutation, on a collection of its own. */
const createCollection = (collectionId: string) =>
  gql(
    `mutation { createCollection(input: { collection: { provider: "local", collectionId: "${collectionId}" } }) { __typename ... on Error { code message } } }`,
  );

let gateway: GatewayProcess;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.stop();
  if (gateway) removeDataDir(gateway.dataDir);
});

/** createCollection twice through a client with `cache`: both answers as the client hands them over. */
async function twice(cache: InMemoryCache): Promise<unknown[]> {
  const client = new ApolloClient({ link: new HttpLink({ uri: gateway.url }), cache });
  const mutation = createCollection(uniqueCollectionId('apollo'));
  const answers = [];
  for (let i = 0; i < 2; i++) answers.push((await client.mutate({ mutation })).data);
  client.stop();
  return answers;
}

describe('Apollo Client InMemoryCache', () => {
  it('keeps code and message of an Error member with the published possibleTypes', async () => {
    expect(await twice(new InMemoryCache({ possibleTypes }))).toEqual([
      { createCollection: { __typename: 'CreateCollectionSuccess' } },
      {
        createCollection: {
          __typename: 'CollectionAlreadyExists',
          code: 'COLLECTION_ALREADY_EXISTS',
          message: expect.stringContaining('already exists'),
        },
      },
    ]);
  });

  it('without possibleTypes, answers the Error member with empty fields (why possible-types.json is published)', async () => {
    const [, second] = await twice(new InMemoryCache());
    expect(second).toEqual({ createCollection: { __typename: 'CollectionAlreadyExists' } });
  });
});
