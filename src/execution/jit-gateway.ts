/**
 * Query execution through graphql-jit, plugged into Apollo Server via its
 * `gateway` hook (the only place Apollo 5 lets another executor in).
 *
 * A query document is compiled once into JavaScript that walks the
 * selection directly (no per-field resolver lookup, argument coercion or
 * type test at run time) and cached by Apollo's query hash. What stays
 * exactly as graphql-js does it:
 * - mutations run on graphql-js (serial execution of root fields, rare and
 *   dominated by provider calls, not by execution);
 * - a document jit cannot compile runs on graphql-js;
 * - a request whose variables do not coerce is answered by graphql-js, so
 *   the messages (and Apollo's 400 for them) are graphql-js's own;
 * - union and interface members resolve through the schema's own
 *   `resolveType` (type-graphql's, by class instance);
 * - errors are re-created as graphql-js GraphQLErrors with their path,
 *   locations, `originalError` and `extensions`, so `formatError` sees what
 *   it sees under graphql-js.
 *
 * Field-level hooks still run: type-graphql middlewares wrap field
 * resolvers, and jit calls every resolver the schema has when it compiles
 * (fields declared with `simpleResolvers` have none, so no middleware
 * either). An Apollo plugin's `willResolveField` is seen for documents
 * compiled after the first request that had such a listener (Apollo wraps
 * the schema's resolvers in place then); a plugin that listens on every
 * request is therefore always seen.
 *
 * Each query document that compiled is also recorded in the
 * {@link QueryPlans} given, under the query text and operationName as sent,
 * for the fast path (execution/fast-path.ts) to answer its repeats.
 */
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { execute, GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { BoundedCache } from '../lib/bounded-cache.js';
import { compiledJsonMatchesStringify } from './compiled-json.js';
import { rateCostOf } from '../security/query-limits.js';
import type { QueryPlans } from './query-plans.js';

type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;
type GatewayRequest = Parameters<GatewayExecutor>[0];

/** Options of {@link jitGateway}. */
export interface JitGatewayOptions {
  /**
   * Compiled documents kept (least recently used dropped first).
   * @default 1000
   */
  maxCompiledQueries?: number;
  /** Where each query that compiled is recorded for the fast path; none by default. */
  plans?: QueryPlans;
}

/** Marks a document that graphql-jit could not compile: it runs on graphql-js. */
const NOT_COMPILED = Symbol('not compiled');

/** An Apollo `gateway` serving `schema`, executing queries with graphql-jit. */
export function jitGateway(schema: GraphQLSchema, options: JitGatewayOptions = {}): GatewayInterface {
  const compiled = new BoundedCache<string, CompiledQuery | typeof NOT_COMPILED>(options.maxCompiledQueries ?? 1000);

  const withGraphQLJs = async (request: GatewayRequest): Promise<ExecutionResult> =>
    execute({
      schema,
      document: request.document,
      contextValue: request.context,
      variableValues: request.request.variables,
      operationName: request.request.operationName,
    });

  const compile = (request: GatewayRequest): CompiledQuery | typeof NOT_COMPILED => {
    const key = `${request.queryHash}\n${request.operationName ?? ''}`;
    let entry = compiled.get(key);
    if (entry === undefined) {
      const compileWith = (customJSONSerializer: boolean): CompiledQuery | typeof NOT_COMPILED => {
        try {
          const result = compileQuery(schema, request.document, request.operationName ?? undefined, {
            disablingCapturingStackErrors: true,
            customJSONSerializer,
          });
          return isCompiledQuery(result) ? result : NOT_COMPILED;
        } catch {
          return NOT_COMPILED;
        }
      };
      // The compiled serializer only where it writes JSON.stringify's bytes; the fast path uses it, Apollo does not.
      entry = compiledJsonMatchesStringify(schema, request.document) ? compileWith(true) : NOT_COMPILED;
      if (entry === NOT_COMPILED) entry = compileWith(false);
      compiled.set(key, entry);
    }
    return entry;
  };

  const executor: GatewayExecutor = async (request) => {
    if (request.operation?.operation !== 'query') return withGraphQLJs(request);
    const query = compile(request);
    if (query === NOT_COMPILED) return withGraphQLJs(request);
    const { plans } = options;
    const text = request.request.query;
    if (plans && text !== undefined && plans.get(text, request.request.operationName)?.compiled !== query) {
      plans.record(text, request.request.operationName, {
        compiled: query,
        operationName: request.operationName,
        cost: rateCostOf(request.operation),
      });
    }
    const result = await query.query(undefined, request.context, request.request.variables ?? {});
    // No data at all: the variables did not coerce, nothing ran. graphql-js answers with its own messages.
    if (result.errors?.length && result.data === undefined) return withGraphQLJs(request);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLJsError) } : result;
  };

  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {
      compiled.clear();
      options.plans?.clear();
    },
  };
}

/** graphql-jit's own error objects as graphql-js GraphQLErrors (same path, locations, cause and extensions). */
export function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const out = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions,
  });
  if (error.locations) (out as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return out;
}
