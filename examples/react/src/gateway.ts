/**
 * The Apollo Client of the example, talking to one facegate gateway:
 * queries and mutations over HTTP (files by the multipart link), the
 * subscription over graphql-ws, an API key on both, and a cache that knows
 * the schema's abstract types and Relay connections.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type PossibleTypesMap } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import { OperationTypeNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
// Published next to schema.graphql by `npm run schema` (GraphQL Code
// Generator's fragment-matcher): without it the cache cannot tell that
// CollectionAlreadyExists implements Error, and `... on Error { code message }`
// comes back empty.
import published from '../../../possible-types.json';
import { createUploadLink, hasFiles } from './upload-link';

const { possibleTypes } = published as { possibleTypes: PossibleTypesMap };

/** `?gateway=` or VITE_FACEGATE_URL, else /graphql on this origin (the dev server and `vite preview` proxy it). */
export function gatewayUrl(): URL {
  const configured = new URLSearchParams(location.search).get('gateway') ?? import.meta.env.VITE_FACEGATE_URL ?? '/graphql';
  return new URL(configured, location.href);
}

/** The cache: ids are the schema's global Node ids (the default `__typename:id` key works as is). */
export function createCache(): InMemoryCache {
  return new InMemoryCache({
    possibleTypes,
    typePolicies: {
      Collection: {
        fields: {
          // `fetchMore({ variables: { after } })` appends the next page to the same list.
          users: relayStylePagination(),
          // The unassociated faces and each user's faces are separate lists.
          faces: relayStylePagination(['unassociated', 'userId']),
        },
      },
      User: { fields: { faces: relayStylePagination() } },
    },
  });
}

export interface Gateway {
  client: ApolloClient;
  /** Sends `key` from now on (x-api-key over HTTP, connectionParams.apiKey over WebSocket); '' sends none. */
  useApiKey(key: string): Promise<void>;
}

export function createGateway(url: URL = gatewayUrl()): Gateway {
  let apiKey = '';
  let ws: Client | undefined;

  function link(): ApolloLink {
    const wsUrl = new URL(url);
    wsUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    // connectionParams are read on each connect; a new key gets a new client (below).
    ws = createClient({ url: wsUrl.href, connectionParams: () => (apiKey ? { apiKey } : {}) });
    const withKey = new SetContextLink((prev) => ({ headers: { ...prev.headers, ...(apiKey ? { 'x-api-key': apiKey } : {}) } }));
    const http = ApolloLink.split((op) => hasFiles(op.variables), createUploadLink(url.href), new HttpLink({ uri: url.href }));
    return ApolloLink.split(
      (op) => op.operationType === OperationTypeNode.SUBSCRIPTION,
      new GraphQLWsLink(ws),
      ApolloLink.from([withKey, http]),
    );
  }

  const client = new ApolloClient({ link: link(), cache: createCache() });
  return {
    client,
    async useApiKey(key) {
      apiKey = key;
      const old = ws;
      client.setLink(link());
      await old?.dispose();
      // Another key may be another tenant: drop what the last one saw and refetch what is on screen.
      await client.resetStore();
    },
  };
}
