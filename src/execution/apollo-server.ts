/**
 * The gateway's Apollo Server: graphql-jit as its executor (jit-gateway.ts),
 * the query limits as validation rules, errors shaped by `formatError`, and
 * the plugins every HTTP operation goes through.
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { GatewayMetrics } from '../observability/metrics.js';
import { operationMetricsPlugin } from '../observability/operation-metrics.js';
import type { GatewayContext } from '../resolvers/context.js';
import { limitRules, type QueryLimits } from '../security/query-limits.js';
import type { FormatError } from './apollo-errors.js';
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

/** The gateway's Apollo Server, not yet started. */
export function createApolloServer(options: ApolloServerOptions): ApolloServer<GatewayContext> {
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
      ...(options.plugins ?? []),
    ],
  });
}
