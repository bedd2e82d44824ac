/**
 * The self-hosted GraphiQL page: rendered once from our own bundle
 * (@graphql-yoga/render-graphiql inlines every script, ~9 MB), gzipped once,
 * and using graphql-ws for subscriptions. Nothing is loaded from a CDN.
 */
import { gzipSync } from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

const EXAMPLE = `# Welcome to facegate. Run "Providers", then try the mutations below.
query Providers {
  providers { name kind capabilities }
}

mutation CreateCollection {
  createCollection(input: { collection: { provider: "local", collectionId: "demo" } }) {
    __typename
    ... on CreateCollectionSuccess { collection { id collectionId faceCount userCount } }
    ... on Error { code message }
  }
}

mutation CreateUser {
  createUser(input: { collection: { provider: "local", collectionId: "demo" }, userId: "alice" }) {
    __typename
    ... on CreateUserSuccess { user { userId status } }
    ... on Error { code message }
  }
}

query Users {
  collection(ref: { provider: "local", collectionId: "demo" }) {
    users(first: 10) { edges { node { userId status faceCount } } }
  }
}
`;

export interface GraphiQLPage {
  html: Buffer;
  gzipped: Buffer;
}

let page: GraphiQLPage | undefined;

/** The page, rendered on first use so start-up does not pay for it. */
export function graphiqlPage(): GraphiQLPage {
  if (!page) {
    const html = Buffer.from(
      renderGraphiQL({ endpoint: '/graphql', subscriptionsProtocol: 'WS', title: 'facegate', defaultQuery: EXAMPLE }),
    );
    page = { html, gzipped: gzipSync(html) };
  }
  return page;
}
