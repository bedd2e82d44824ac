/**
 * Apollo Server 5's error normalisation (errorNormalize.ts
 * `normalizeAndFormatErrors`, not exported by the package), for answers
 * written without Apollo that must carry the same bytes: each error becomes
 * a GraphQLError, its `extensions.code` defaults to INTERNAL_SERVER_ERROR,
 * an `extensions.http` head is merged into the response's and removed, then
 * the server's `formatError` runs (a throwing `formatError` masks the
 * error). Stack traces are never included (`includeStacktraceInErrorResponses`
 * is off in this gateway).
 */
import { GraphQLError, type GraphQLErrorExtensions, type GraphQLFormattedError } from 'graphql';

/** The server's `formatError` (format-error.ts). */
export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** Status and headers that errors asked for through `extensions.http` (header names lower-cased, as Apollo's HeaderMap does). */
export interface HttpFromErrors {
  status?: number;
  headers: Map<string, string>;
}

/** `errors` formatted as Apollo formats them, with the HTTP head they ask for. */
export function formatErrorsAsApollo(
  errors: readonly unknown[],
  formatError: FormatError,
): { formattedErrors: GraphQLFormattedError[]; httpFromErrors: HttpFromErrors } {
  const httpFromErrors: HttpFromErrors = { headers: new Map() };
  const formattedErrors = errors.map((error) => {
    try {
      return formatError(enrich(error, httpFromErrors), error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  });
  return { formattedErrors, httpFromErrors };
}

/** Apollo's `ensureGraphQLError`: anything thrown, as a GraphQLError. */
export function ensureGraphQLError(maybeError: unknown): GraphQLError {
  const error = maybeError instanceof Error ? maybeError : new GraphQLError('Unexpected error value: ' + String(maybeError));
  return error instanceof GraphQLError ? error : new GraphQLError(error.message, { originalError: error });
}

function enrich(maybeError: unknown, http: HttpFromErrors): GraphQLFormattedError {
  const error = ensureGraphQLError(maybeError);
  const extensions: GraphQLErrorExtensions = { ...error.extensions, code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR' };
  if (isPartialHead(extensions.http)) {
    if (extensions.http.status) http.status = extensions.http.status;
    for (const [name, value] of extensions.http.headers ?? []) http.headers.set(name.toLowerCase(), value);
    delete extensions.http;
  }
  return { ...error.toJSON(), extensions };
}

function isPartialHead(x: unknown): x is { status?: number; headers?: Map<string, string> } {
  return (
    !!x && typeof x === 'object' && (!('status' in x) || typeof x.status === 'number') && (!('headers' in x) || x.headers instanceof Map)
  );
}
