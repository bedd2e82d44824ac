/**
 * Parses and validates a graphql-ws `subscribe` in onSubscribe, instead of
 * letting graphql-ws do it after, for two reasons: its errors get the codes
 * Apollo gives the same errors over HTTP (GRAPHQL_PARSE_FAILED,
 * GRAPHQL_VALIDATION_FAILED, OPERATION_RESOLUTION_FAILURE, BAD_USER_INPUT for
 * variables that do not coerce), so formatError
 * treats them alike on both transports (graphql-ws would throw a syntax
 * error out of its message handler and close the socket with 4500); and the
 * operation's type is known before it runs, so a subscription can be
 * refused by the per-tenant cap without starting it.
 */
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  validate,
  type ExecutionArgs,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';

/** A document ready to run, or the errors that refuse it. */
export type PreparedOperation =
  { args: ExecutionArgs; kind: 'query' | 'mutation' | 'subscription'; operation: OperationDefinitionNode } | { errors: GraphQLError[] };

/** Parses, validates with `rules` and picks the operation of `payload`. */
export function prepareOperation(schema: GraphQLSchema, rules: readonly ValidationRule[], payload: SubscribePayload): PreparedOperation {
  let document;
  try {
    document = parse(payload.query);
  } catch (e) {
    if (!(e instanceof GraphQLError)) throw e;
    return {
      errors: [
        new GraphQLError(e.message, {
          source: e.source,
          positions: e.positions,
          originalError: e,
          extensions: { code: 'GRAPHQL_PARSE_FAILED' },
        }),
      ],
    };
  }
  const invalid = validate(schema, document, rules);
  if (invalid.length > 0) {
    // As Apollo's ValidationError: the original stays reachable, so a query limit's own code is restored by formatError.
    return {
      errors: invalid.map(
        (e) =>
          new GraphQLError(e.message, {
            nodes: e.nodes,
            originalError: e.originalError ?? e,
            extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
      ),
    };
  }
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) {
    const message = payload.operationName
      ? `operationName: expected the name of an operation in the document, got ${JSON.stringify(payload.operationName.slice(0, 100))}`
      : 'operationName: expected one when the document has several operations, got none';
    return { errors: [new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })] };
  }
  // Apollo coerces variables before it executes and labels what fails BAD_USER_INPUT; graphql-js would return them code-less (masked).
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 50 });
  if (coerced.errors) {
    return {
      errors: coerced.errors.map(
        (e) =>
          new GraphQLError(e.message, {
            nodes: e.nodes,
            originalError: e.originalError ?? e,
            extensions: { ...e.extensions, code: 'BAD_USER_INPUT' },
          }),
      ),
    };
  }
  return {
    args: { schema, document, operationName: payload.operationName, variableValues: payload.variables },
    kind: operation.operation,
    operation,
  };
}
