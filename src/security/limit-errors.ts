/**
 * The errors of the query limits: stable `extensions.code`s with
 * `extensions.limit` / `extensions.value`, found again under Apollo's
 * re-labelling ({@link limitErrorCode}), and the raw document's size check.
 */
import { GraphQLError, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql';

/** The `extensions.code` of each limit's error. */
export const LIMIT_ERROR_CODES = [
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COSTLY',
  'TOO_MANY_ALIASES',
  'TOO_MANY_ROOT_FIELDS',
  'DOCUMENT_TOO_LARGE',
  'TOO_MANY_IMAGES',
  'TOO_MANY_COSTLY_ALIASES',
  'TOO_MANY_INTROSPECTION_FIELDS',
] as const;
export type LimitErrorCode = (typeof LIMIT_ERROR_CODES)[number];

const LIMIT_CODES = new Set<string>(LIMIT_ERROR_CODES);

/** One limit's refusal: `message`, with the limit and the value found as extensions. */
export function limitError(
  code: LimitErrorCode,
  message: string,
  limit: number,
  value: number,
  nodes?: OperationDefinitionNode,
): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code, limit, value } });
}

/** How an operation is named in messages: `query Name`, or `anonymous query`. */
export function operationLabel(op: OperationDefinitionNode): string {
  return op.name ? `${op.operation} ${op.name.value}` : `anonymous ${op.operation}`;
}

/** A count for a message: an integer, or an exponent for the absurdly large. */
export const formatNumber = (n: number): string => (Number.isFinite(n) && n < 1e15 ? String(Math.round(n)) : n.toExponential(2));

/**
 * The limit code of an error that Apollo has wrapped (its ValidationError
 * keeps ours as `originalError` but replaces `extensions.code`), or undefined.
 */
export function limitErrorCode(error: unknown): LimitErrorCode | undefined {
  for (let e = error, hops = 0; e && typeof e === 'object' && hops < 5; e = (e as { originalError?: unknown }).originalError, hops++) {
    const code = (e as { extensions?: { code?: unknown } }).extensions?.code;
    if (typeof code === 'string' && LIMIT_CODES.has(code)) return code as LimitErrorCode;
  }
  return undefined;
}

/** The DOCUMENT_TOO_LARGE error for a `query` longer than `max` characters; null otherwise (non-strings included: Apollo reports those). */
export function documentSizeError(query: unknown, max: number): GraphQLError | null {
  if (typeof query !== 'string' || query.length <= max) return null;
  return limitError('DOCUMENT_TOO_LARGE', `document size: expected at most ${max} characters, got ${query.length}`, max, query.length);
}

/**
 * Checks the raw `query` before anything parses it. Returns the response
 * body to send (with status 400) when it is longer than `max` characters,
 * null when it may go on.
 */
export function checkDocumentSize(query: unknown, max: number): { errors: GraphQLFormattedError[] } | null {
  const error = documentSizeError(query, max);
  return error ? { errors: [error.toJSON()] } : null;
}
