/**
 * The query set of `npm run bench` (issue 22): what Relay and Apollo Client
 * apps send, not one shape tuned for. Each text is served by facegate and by
 * the mercurius reference (bench/mercurius-reference.ts), which selects the
 * same schema subset.
 */

/** The collection of the page and refetch queries: 100 users with one face each (bench/seed.ts). */
export const PAGE_COLLECTION = 'bench';
/** Unassociated faces the write cycles associate and disassociate, two per cycle slot. */
export const WRITES_COLLECTION = 'bench-writes';
/** Real faces (test/fixtures/faces) indexed and associated to users, for searchUsersByImage. */
export const SEARCH_COLLECTION = 'bench-search';

const ref = (collectionId: string) => `{ provider: "local", collectionId: "${collectionId}" }`;

/** 1. The Relay page, with variables, as a Relay or Apollo Client app sends it. */
export const RELAY_PAGE = `query UsersPage($after: String) {
  collection(ref: ${ref(PAGE_COLLECTION)}) {
    users(first: 100, after: $after) {
      edges { cursor node { id userId status faceCount faces(first: 5) { edges { node { id faceId } } } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

/** 2. A refetch of one user with its faces by global id (Relay's `node(id:)`). */
export const NODE_REFETCH = `query UserRefetch($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on User { userId status faceCount faces(first: 5) { edges { cursor node { id faceId } } pageInfo { hasNextPage } } }
  }
}`;

/** 3. The smallest query. */
export const PROVIDERS = '{ providers { name } }';

/**
 * 4. A write cycle on stored faces, one request: create a user, associate two
 * faces, disassociate them, delete the user (so the next cycle of the same
 * slot starts from the same state). Each connection has a slot of its own.
 */
export const WRITE_CYCLE = `mutation WriteCycle($c: CollectionRef!, $u: String!, $f: [String!]!) {
  createUser(input: { collection: $c, userId: $u }) { __typename ... on CreateUserSuccess { user { id userId status } } }
  associateFaces(input: { collection: $c, userId: $u, faceIds: $f }) {
    __typename ... on AssociateFacesSuccess { associatedFaces { id faceId } user { userId status } userStatus }
  }
  disassociateFaces(input: { collection: $c, userId: $u, faceIds: $f }) {
    __typename ... on DisassociateFacesSuccess { disassociatedFaces { id faceId } user { userId status } userStatus }
  }
  deleteUser(input: { collection: $c, userId: $u }) { __typename ... on DeleteUserSuccess { userId } }
}`;

/** The variables of slot `slot`'s cycle: its own user and two faces of `faceIds`. */
export function writeCycleVariables(slot: number, faceIds: readonly string[]): Record<string, unknown> {
  const f = faceIds.slice(2 * slot, 2 * slot + 2);
  if (f.length !== 2) throw new Error(`write cycle slot ${slot}: expected 2 stored faces, got ${f.length} of ${faceIds.length}`);
  return { c: { provider: 'local', collectionId: WRITES_COLLECTION }, u: `cycle-${slot}`, f };
}

/** 5. A search by an image whose faces were described already: the gateway's own work around the search. */
export const SEARCH_BY_IMAGE = `query Search($input: SearchUsersByImageInput!) {
  searchUsersByImage(input: $input) {
    __typename
    ... on SearchUsersByImageSuccess {
      searchedFace { boundingBox { left top width height } confidence }
      userMatches { similarity user { id userId status } }
    }
  }
}`;

export function searchVariables(base64: string): Record<string, unknown> {
  return { input: { collection: { provider: 'local', collectionId: SEARCH_COLLECTION }, image: { base64 } } };
}

/**
 * Twenty texts of the Relay page that differ as clients' texts do: field
 * order, aliases, named and inline fragments, with and without `faceCount`,
 * operation names. None is the text of {@link RELAY_PAGE}; all select the same
 * page, so a speed that holds for one text only shows here.
 */
export function relayPageVariants(): string[] {
  const out: string[] = [];
  const forms = ['plain', 'aliases', 'named fragment', 'inline fragment', 'connection fragment'] as const;
  for (const form of forms) {
    for (const reversed of [false, true]) {
      for (const withCount of [true, false]) {
        const n = out.length;
        const faces = reversed ? 'faces(first: 5) { edges { node { faceId id } } }' : 'faces(first: 5) { edges { node { id faceId } } }';
        const count = withCount ? ' faceCount' : '';
        const userFields = reversed ? `${faces}${count} status userId id` : `id userId status${count} ${faces}`;
        const pageInfo = reversed ? 'pageInfo { endCursor hasNextPage }' : 'pageInfo { hasNextPage endCursor }';
        const args = reversed ? 'after: $after, first: 100' : 'first: 100, after: $after';
        const op = `query Page${n}($after: String)`;
        const collection = `collection(ref: ${ref(PAGE_COLLECTION)})`;
        let text: string;
        switch (form) {
          case 'plain':
            text = `${op} { ${collection} { users(${args}) { edges { cursor node { ${userFields} } } ${pageInfo} } } }`;
            break;
          case 'aliases':
            text =
              `${op} { c: ${collection} { list: users(${args}) { rows: edges { cursor user: node { key: id userId ` +
              `state: status${withCount ? ' count: faceCount' : ''} faces(first: 5) { edges { node { id faceId } } } } } ${pageInfo} } } }`;
            break;
          case 'named fragment':
            text =
              `${op} { ${collection} { users(${args}) { edges { cursor node { ...UserRow${n} } } ${pageInfo} } } }\n` +
              `fragment UserRow${n} on User { ${userFields} }`;
            break;
          case 'inline fragment':
            text = `${op} { ${collection} { users(${args}) { edges { cursor node { ... on User { ${userFields} } } } ${pageInfo} } } }`;
            break;
          case 'connection fragment':
            text =
              `fragment Users${n} on UserConnection { edges { cursor node { ${userFields} } } ${pageInfo} }\n` +
              `${op} { ${collection} { users(${args}) { ...Users${n} } } }`;
            break;
        }
        out.push(text);
      }
    }
  }
  return out;
}
