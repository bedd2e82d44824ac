/**
 * A graphql-ws operation parsed and validated here, in onSubscribe, rather
 * than by graphql-ws after it: the cost rule records the operation's cost
 * while validating (security/query-limits.ts), and onSubscribe, which knows
 * the caller, spends it from the tenant's bucket before anything runs. The
 * refusals are `error` messages for the operation id; the socket stays open.
 */
import { getOperationAST, GraphQLError, parse, validate, type ExecutionArgs, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { rateCostOf } from '../security/query-limits.js';
import { throttledError, type RateLimiter } from '../security/rate-limit.js';

/**
 * The execution arguments of `payload`, or the errors that refuse it: its
 * syntax, graphql-js's rules and the limit rules (`rules`), then the rest of
 * its cost from `tenant`'s bucket (one token was taken before parsing).
 * Without a context: graphql-ws makes one with the `context` option.
 */
export function operationArgs(
  schema: GraphQLSchema,
  rules: readonly ValidationRule[],
  payload: SubscribePayload,
  tenant: string,
  rateLimiter: RateLimiter | undefined,
): ExecutionArgs | readonly GraphQLError[] {
  let document;
  try {
    document = parse(payload.query);
  } catch (e) {
    // A syntax error is the client's: an error for the operation, not a socket closed as an internal error.
    if (e instanceof GraphQLError) return [e];
    throw e;
  }
  const errors = validate(schema, document, rules);
  if (errors.length > 0) return errors;
  const operationName = payload.operationName ?? undefined;
  const operation = getOperationAST(document, operationName);
  // No such operation: graphql-ws answers "Unable to identify operation".
  if (operation && rateLimiter) {
    const throttle = rateLimiter.take(tenant, rateCostOf(operation), 1);
    if (throttle) return [throttledError(tenant, throttle)];
  }
  return { schema, document, operationName, variableValues: payload.variables ?? undefined };
}
