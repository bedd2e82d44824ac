/**
 * The gateway's Apollo Server: graphql-jit as its executor (jit-gateway.ts),
 * the query limits as validation rules, errors shaped by `formatError`, and
 * the plugins every HTTP operation goes through.
 */
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { GatewayMetrics } from '../observability/metrics.js';
import { operationMetricsPlugin } from '../observability/operation-metrics.js';
import type { GatewayContext } from '../resolvers/context.js';
import { limitRules, rateCostOf, type QueryLimits } from '../security/query-limits.js';
import { throttledError, throttledResponse, type RateLimiter } from '../security/rate-limit.js';
import type { FormatError } from './apollo-errors.js';
import { documentRefusalsPlugin } from './document-refusals.js';
import { jitGateway } from './jit-gateway.js';
import type { QueryPlans } from './query-plans.js';

/** What {@link createApolloServer} builds the server from. */
export interface ApolloServerOptions {
  schema: GraphQLSchema;
  /** Where the executor keeps each compiled document, shared with the HTTP fast path. */
  plans: QueryPlans;
  /** Shapes every error Apollo answers with. */
  formatError: FormatError;
  /** The query limits, run as validation rules after graphql-js's own. */
  limits: QueryLimits;
  /** Where the operation metrics plugin counts and times each operation. */
  metrics: GatewayMetrics;
  /** Further plugins, run after the gateway's own (tracing's spans). @default [] */
  plugins?: ApolloServerPlugin<object>[];
  /** Each tenant's bucket, which pays for each operation's cost. @default undefined: no rate limit */
  rateLimiter?: RateLimiter;
}

/** graphql-js would run a subscription sent over HTTP as a query; it belongs on the WebSocket. */
export const subscriptionsOverWebSocketOnly: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation === 'subscription') {
          throw new GraphQLError('subscriptions: expected a graphql-transport-ws WebSocket on this path, got an HTTP request', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      },
    };
  },
};

/**
 * Spends each operation's cost from its tenant's bucket once validation
 * has computed it (security/query-limits.ts records it by operation node),
 * before anything runs. The HTTP handler took one token before parsing, so
 * this takes the rest; when the bucket cannot pay, the answer is the same
 * 429, Retry-After and THROTTLED error as a refusal before parsing.
 */
export function operationCostPlugin(rateLimiter: RateLimiter): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          // A subscription is refused here anyway (subscriptionsOverWebSocketOnly).
          if (!operation || operation.operation === 'subscription') return;
          const throttle = rateLimiter.take(contextValue.tenant, rateCostOf(operation), 1);
          if (!throttle) return;
          const refusal = throttledResponse(contextValue.tenant, throttle);
          const error = throttledError(contextValue.tenant, throttle);
          // Apollo answers with the status and headers an error's extensions.http asks for (headers as a Map: graphql-yoga's
          // typings, in the tree for GraphiQL, declare a record), and leaves them out of the body.
          const headers: unknown = new HeaderMap(Object.entries(refusal.headers));
          const http = { status: refusal.status, headers: headers as Record<string, string> };
          throw new GraphQLError(error.message, { extensions: { ...error.extensions, http } });
        },
      };
    },
  };
}

/** The gateway's Apollo Server, not yet started. */
export function createApolloServer(options: ApolloServerOptions): ApolloServer<GatewayContext> {
  const parsedOverHttp = options.metrics.documentsParsed.labels('http');
  return new ApolloServer<GatewayContext>({
    gateway: jitGateway(options.schema, { plans: options.plans }),
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    formatError: options.formatError,
    validationRules: limitRules(options.limits),
    // Automatic persisted queries are not offered: their errors carry no code.
    persistedQueries: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      subscriptionsOverWebSocketOnly,
      operationMetricsPlugin(options.metrics),
      documentRefusalsPlugin(() => parsedOverHttp.inc()),
      ...(options.rateLimiter ? [operationCostPlugin(options.rateLimiter)] : []),
      ...(options.plugins ?? []),
    ],
  });
}
