/**
 * GraphQL operations counted by name and result: `success`, the result
 * union's error member a root field returned (e.g. `UserNotFound`), or the
 * GraphQL error code (e.g. `GRAPHQL_VALIDATION_FAILED`). Root fields that
 * return a union are wrapped in the schema itself, so the count holds for
 * HTTP and WebSocket and for any executor (no per-field plugin hooks).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  getOperationAST,
  isUnionType,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { GatewayMetrics } from './metrics.js';
import { INVALID_OPERATION, REFUSED_OPERATION } from './operation-names.js';

/** The first error member a root field returned, per context (one context per operation). */
const firstErrorMember = new WeakMap<object, string>();

/**
 * Wraps every Query and Mutation field whose type is a result union so the
 * member it resolves to is noted when it implements `Error`. Call once,
 * right after the schema is built.
 */
export function trackResultUnions(schema: GraphQLSchema): void {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const union = getNamedType(field.type);
      if (!isUnionType(union) || !union.resolveType) continue;
      const errorTypes = new Set(
        union
          .getTypes()
          .filter((t) => t.getInterfaces().some((i) => i.name === 'Error'))
          .map((t) => t.name),
      );
      const resolve = field.resolve as GraphQLFieldResolver<unknown, object>;
      const resolveType = union.resolveType;
      field.resolve = async (source, args, context, info) => {
        const value: unknown = await resolve(source, args, context, info);
        if (value && typeof value === 'object' && context) {
          const name = await resolveType(value, context, info, union);
          if (name && errorTypes.has(name) && !firstErrorMember.has(context)) firstErrorMember.set(context, name);
        }
        return value;
      };
    }
  }
}

/**
 * The `operation` label of each HTTP request Apollo answered, noted by
 * {@link operationMetricsPlugin} once Apollo resolved the operation; absent
 * when it never did (the document did not parse or validate). Keyed by the
 * request's header map: the one object Apollo hands, as it was given, to
 * every operation of the request (it copies the context, and the request
 * itself for each operation of a batch).
 */
const requestOperations = new WeakMap<object, string>();

/** The `operation` label of the HTTP request whose header map Apollo was given: the operation it ran, or `invalid`. */
export function requestOperationLabel(headers: object): string {
  return requestOperations.get(headers) ?? INVALID_OPERATION;
}

type AnyError = GraphQLError | GraphQLFormattedError;

/** `success`, the first GraphQL error's code, or the first error member a root field returned. */
export function resultLabel(errors: readonly AnyError[] | undefined, context: object | undefined): string {
  const code = errors?.[0]?.extensions?.code;
  if (errors?.length) return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
  return (context && firstErrorMember.get(context)) ?? 'success';
}

/** Counts and times every operation Apollo answers over HTTP. */
export function operationMetricsPlugin(metrics: GatewayMetrics): ApolloServerPlugin<object> {
  return {
    async requestDidStart({ request }) {
      const started = performance.now();
      return {
        async willSendResponse({ response, contextValue, operation }) {
          // `operation` is set once the document parsed and validated: only then does its name become a label.
          const operationName = operation ? metrics.operationNames.label(operation.name?.value) : INVALID_OPERATION;
          if (request.http) requestOperations.set(request.http.headers, operationName);
          const type = operation?.operation ?? 'unknown';
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          metrics.graphqlOperations.inc({ operation: operationName, type, result: resultLabel(errors, contextValue) });
          metrics.graphqlOperationSeconds.labels(operationName, type).observe((performance.now() - started) / 1000);
        },
      };
    },
  };
}

/** Counts an operation run over graphql-ws: a subscription when it starts, a query or mutation when it answers. */
export function countWebSocketOperation(metrics: GatewayMetrics, args: ExecutionArgs, result: unknown): void {
  const operation = getOperationAST(args.document, args.operationName);
  const errors = result && typeof result === 'object' && !(Symbol.asyncIterator in result) ? (result as ExecutionResult).errors : undefined;
  metrics.graphqlOperations.inc({
    operation: operation ? metrics.operationNames.label(operation.name?.value) : INVALID_OPERATION,
    type: operation?.operation ?? 'unknown',
    result: resultLabel(errors, args.contextValue as object),
  });
}

/** Counts an operation graphql-ws refused before running it (e.g. validation errors): under `refused`, whatever name it claimed. */
export function countRefusedWebSocketOperation(metrics: GatewayMetrics, errors: readonly GraphQLError[]): void {
  metrics.graphqlOperations.inc({ operation: REFUSED_OPERATION, type: 'unknown', result: resultLabel(errors, undefined) });
}
