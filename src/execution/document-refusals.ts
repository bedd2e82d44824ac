/**
 * Which HTTP requests Apollo refused for their document alone (it did not
 * parse, or did not pass validation: graphql-js's rules and the query
 * limits), so the HTTP handler may keep the answer for a repeat of the same
 * text (caches/refused-documents.ts), and how many documents Apollo parsed.
 * A refusal is noted by the request's header map, the one object Apollo
 * hands as it was given to the plugins (as observability/operation-metrics.ts
 * does).
 */
import type { ApolloServerPlugin } from '@apollo/server';

const refusedRequests = new WeakSet<object>();

/** Whether Apollo refused the HTTP request whose header map it was given because its document did not parse or validate. */
export function refusedForDocument(headers: object): boolean {
  return refusedRequests.has(headers);
}

/** Notes parse and validation refusals of HTTP requests, and calls `onParse` each time Apollo parses a document. */
export function documentRefusalsPlugin(onParse: () => void): ApolloServerPlugin<object> {
  return {
    async requestDidStart({ request }) {
      const headers = request.http?.headers;
      return {
        async parsingDidStart() {
          onParse();
          return async (error) => {
            if (error && headers) refusedRequests.add(headers);
          };
        },
        async validationDidStart() {
          return async (errors) => {
            if (errors?.length && headers) refusedRequests.add(headers);
          };
        },
      };
    },
  };
}
