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
 *
 * A document refused for itself (it did not parse or validate) is kept with
 * its errors (caches/refused-documents.ts), without its AST, and a repeat of
 * the same text gets the same errors without being parsed again.
 */
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { RefusedDocuments } from '../caches/refused-documents.js';

/** A document ready to run, or the errors that refuse it. */
export type PreparedOperation =
  { args: ExecutionArgs; kind: 'query' | 'mutation' | 'subscription'; operation: OperationDefinitionNode } | { errors: GraphQLError[] };

/** Where {@link prepareOperation} keeps refusals and counts its parses. */
export interface PrepareOptions {
  /** Errors of documents refused for themselves, by text. @default undefined: every document is parsed */
  refusals?: RefusedDocuments<readonly GraphQLError[]>;
  /** Called on each parse. @default undefined */
  onParse?: () => void;
}

/** The kept refusals' variant for WebSocket errors (GraphQLErrors, formatted when sent). */
const WS_VARIANT = 'ws errors';

/**
 * Parses, validates with `rules` and picks the operation of `payload`; a
 * text refused before is answered with its kept errors, unparsed.
 */
export function prepareOperation(
  schema: GraphQLSchema,
  rules: readonly ValidationRule[],
  payload: SubscribePayload,
  options: PrepareOptions = {},
): PreparedOperation {
  const { refusals } = options;
  const key = refusals?.keyOf(payload.query, WS_VARIANT);
  const kept = key === undefined ? undefined : refusals?.get(key);
  if (kept) return { errors: [...kept] };
  const parsed = parseAndValidate(schema, rules, payload.query, options.onParse);
  if ('document' in parsed) return operationOf(schema, parsed.document, payload);
  if (key !== undefined) keep(refusals!, key, parsed.errors);
  return parsed;
}

/** `errors` without their AST or source, each with the same message, locations and extensions (and its original's). */
function keep(refusals: RefusedDocuments<readonly GraphQLError[]>, key: string, errors: readonly GraphQLError[]): void {
  let size = 0;
  const detached = errors.map((e) => {
    const original = e.originalError instanceof GraphQLError ? e.originalError : undefined;
    const copy = new GraphQLError(e.message, {
      originalError: original && new GraphQLError(original.message, { extensions: original.extensions }),
      extensions: e.extensions,
    });
    // graphql-js computes locations from nodes or a source; kept as computed, they outlive both.
    (copy as { locations: GraphQLError['locations'] }).locations = e.locations;
    size += (e.message.length + (original?.message.length ?? 0)) * 2 + 256;
    return copy;
  });
  refusals.set(key, detached, size);
}

/** The parsed document, or the errors that refuse it (parse or validation). */
function parseAndValidate(
  schema: GraphQLSchema,
  rules: readonly ValidationRule[],
  query: string,
  onParse: (() => void) | undefined,
): { document: DocumentNode } | { errors: GraphQLError[] } {
  let document;
  onParse?.();
  try {
    document = parse(query);
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
  return { document };
}

/** The operation `payload` selects in `document` (which passed validation), with its variables coerced. */
function operationOf(schema: GraphQLSchema, document: DocumentNode, payload: SubscribePayload): PreparedOperation {
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
