/**
 * Tracing for one gateway, loaded only when configured (server.ts imports
 * this module dynamically), so tracing off loads and registers nothing.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { FaceProvider } from '../../datasources/provider.js';
import { operationSpansPlugin, traceResolvers } from './graphql-spans.js';
import { startTracing, type TracingConfig } from './tracing.js';

export interface GatewayTracing {
  instrument(provider: FaceProvider): FaceProvider;
  traceSchema(schema: GraphQLSchema): void;
  plugin: ApolloServerPlugin<object>;
  shutdown(): Promise<void>;
}

export function startGatewayTracing(config: TracingConfig): GatewayTracing {
  const tracing = startTracing(config);
  return {
    instrument: tracing.instrument,
    traceSchema: (schema) => traceResolvers(schema, tracing.tracer),
    plugin: operationSpansPlugin(tracing.tracer),
    shutdown: tracing.shutdown,
  };
}
