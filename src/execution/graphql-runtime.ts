/**
 * Everything a GraphQL document runs on, built once per gateway and shared
 * by both transports: the schema (its field resolvers wrapped for operation
 * metrics and, when configured, trace spans), the plans the jit gateway
 * records, the error formatter, and Apollo Server, started.
 */
import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/metrics.js';
import { trackResultUnions } from '../observability/operation-metrics.js';
import type { GatewayContext } from '../resolvers/context.js';
import type { QueryLimits } from '../security/query-limits.js';
import type { RateLimiter } from '../security/rate-limit.js';
import { createApolloServer } from './apollo-server.js';
import type { FormatError } from './apollo-errors.js';
import { buildGatewaySchema } from './build-schema.js';
import { formatError } from './format-error.js';
import { QueryPlans } from './query-plans.js';

/** What {@link startGraphQLRuntime} builds on. */
export interface GraphQLRuntimeOptions {
  logger: Logger;
  limits: QueryLimits;
  metrics: GatewayMetrics;
  /** Each tenant's bucket, which Apollo's operations pay their cost from. @default undefined: no rate limit */
  rateLimiter?: RateLimiter;
  /** Trace spans of operations and resolvers. @default undefined: no tracing */
  tracing?: { traceSchema(schema: GraphQLSchema): void; plugin: ApolloServerPlugin<object> };
}

/** The parts both transports and the fast path run documents with. */
export interface GraphQLRuntime {
  schema: GraphQLSchema;
  /** Compiled plans of queries Apollo ran, for the fast path. */
  plans: QueryPlans;
  formatError: FormatError;
  /** Started; stop it with the gateway. */
  apollo: ApolloServer<GatewayContext>;
}

/** Builds the schema and starts Apollo on it. */
export async function startGraphQLRuntime(options: GraphQLRuntimeOptions): Promise<GraphQLRuntime> {
  const { logger, limits, metrics, tracing, rateLimiter } = options;
  const schema = await buildGatewaySchema();
  trackResultUnions(schema);
  tracing?.traceSchema(schema);
  const plans = new QueryPlans();
  const format = formatError(logger);
  const plugins = tracing ? [tracing.plugin] : [];
  const apollo = createApolloServer({ schema, plans, formatError: format, limits, metrics, plugins, rateLimiter });
  await apollo.start();
  return { schema, plans, formatError: format, apollo };
}
