/**
 * Where a caller's credentials are read from: an HTTP request's headers, an
 * operation's `extensions.headers` (GraphiQL's) and a WebSocket's
 * connection_init payload. Both transports read them the same way.
 */
import type { Credentials } from './authenticator.js';

/**
 * Credentials from headers with lower-case names: an HTTP request's, or an operation's
 * `extensions.headers` ({@link lowerCaseNames}). Empty values count as absent.
 */
export function credentialsOfHeaders(headers: Record<string, unknown>): Credentials {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return { authorization: text(headers.authorization), apiKey: text(headers['x-api-key']) };
}

/**
 * An operation's `extensions.headers` with lower-case names: where GraphiQL
 * (yoga's executor) puts its Headers editor's headers, as typed, on
 * graphql-ws, whose connection_init it sends empty.
 */
export function lowerCaseNames(headers: unknown): Record<string, unknown> {
  if (typeof headers !== 'object' || headers === null) return {};
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/**
 * Credentials from a graphql-ws connection_init payload (`authorization`,
 * `apiKey`). Any string counts, the empty one too: a connection that names a
 * credential is judged by it.
 */
export function credentialsOfConnectionParams(params: Record<string, unknown>): Credentials {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { authorization: text(params.authorization), apiKey: text(params.apiKey) };
}

/** Whether `credentials` name neither a bearer token nor an API key. */
export function bringsNone(credentials: Credentials): boolean {
  return credentials.authorization === undefined && credentials.apiKey === undefined;
}
