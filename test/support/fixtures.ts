/** GraphQL documents and small helpers shared by the gateway tests. */
import { randomUUID } from 'node:crypto';
import { gqlData } from './gateway.js';

export const ERROR_FIELDS = '... on Error { __typename code message } ... on InvalidInput { field }';

/** A fresh collection id per test, so tests never see each other's data. */
export const uniqueCollectionId = (prefix = 'c'): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export const ref = (collectionId: string, provider = 'local') => ({ provider, collectionId });

export async function createCollection(url: string, collectionId: string, provider = 'local'): Promise<void> {
  const data = await gqlData(
    url,
    `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { __typename ${ERROR_FIELDS} } }`,
    {
      c: ref(collectionId, provider),
    },
  );
  if (data.createCollection.__typename !== 'CreateCollectionSuccess') throw new Error(JSON.stringify(data));
}

export async function createUsers(url: string, collectionId: string, userIds: string[], provider = 'local'): Promise<void> {
  const fields = userIds.map(
    (u, i) => `u${i}: createUser(input: { collection: $c, userId: ${JSON.stringify(u)} }) { __typename ${ERROR_FIELDS} }`,
  );
  const data = await gqlData(url, `mutation($c: CollectionRef!) { ${fields.join('\n')} }`, { c: ref(collectionId, provider) });
  for (const v of Object.values(data))
    if ((v as { __typename: string }).__typename !== 'CreateUserSuccess') throw new Error(JSON.stringify(v));
}

/** A count query whose answer shows whether anything was written. */
export async function collectionCounts(url: string, collectionId: string): Promise<{ userCount: number; faceCount: number } | null> {
  const data = await gqlData(url, `query($c: CollectionRef!) { collection(ref: $c) { userCount faceCount } }`, { c: ref(collectionId) });
  return data.collection;
}
