/**
 * The last stop of every error a client sees, over HTTP (Apollo and the fast
 * path) and over graphql-ws alike.
 */
// toGraphQLError's module loads type-graphql's decorated error types, which need the polyfill first.
import 'reflect-metadata';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { ERROR_CODES, isDomainError } from '../domain/errors.js';
import { toGraphQLError } from '../resolvers/result.js';
import { LIMIT_ERROR_CODES, limitErrorCode } from '../security/query-limits.js';
import { WEBSOCKET_LIMIT_CODES } from '../security/websocket-limits.js';
import type { FormatError } from './apollo-errors.js';
import { ClientGone } from './client-gone.js';

/** GraphQL error codes that describe the caller's request and are shown as they are. */
export const CLIENT_CODES: ReadonlySet<string> = new Set<string>([
  ...ERROR_CODES,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  ...LIMIT_ERROR_CODES,
  // Refusals of graphql-ws operations, formatted here like any other error since WebSocket errors pass through formatError too.
  'UNAUTHENTICATED',
  ...WEBSOCKET_LIMIT_CODES,
]);

/**
 * Shapes every error a client sees: DomainErrors keep their code; request
 * errors pass; a client that went away is answered CANCELLED; anything else
 * is logged and masked, so no stack trace, SQL or path leaves the process.
 */
export function formatError(logger: Logger): FormatError {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (isDomainError(original)) {
      const e = toGraphQLError(original);
      return { message: e.message, locations: formatted.locations, path: formatted.path, extensions: e.extensions };
    }
    // Apollo re-labels validation errors GRAPHQL_VALIDATION_FAILED; a query limit keeps its own code.
    const limitCode = limitErrorCode(error);
    if (limitCode) {
      const { stacktrace: _omit, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions: { ...extensions, code: limitCode } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) {
      const { stacktrace: _omit, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (original instanceof ClientGone) {
      logger.debug({ reason: original.message, path: formatted.path }, 'operation cancelled: the client went away');
      return { message: 'Cancelled: the client went away', path: formatted.path, extensions: { code: 'CANCELLED' } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
