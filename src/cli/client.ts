/**
 * The CLI's connection to a running gateway: GraphQL over HTTP (fetch) and
 * graphql-ws subscriptions, with the caller's API key when one is given.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A failure to report as one line and exit 1 (no stack trace). */
export class CliError extends Error {}

export interface GatewayClient {
  /** Runs one operation; GraphQL errors become a CliError. */
  call<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** A graphql-ws client on the same gateway (dispose it when done). */
  ws(): Client;
}

/** @param url the gateway's /graphql URL; @param apiKey sent as x-api-key and as connectionParams.apiKey */
export function gatewayClient(url: string, apiKey?: string): GatewayClient {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) };
  return {
    async call<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
      if (body.errors?.length) throw new CliError(body.errors.map((e) => e.message).join('; '));
      return body.data as T;
    },
    ws: () =>
      createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 3,
        connectionParams: apiKey ? { apiKey } : undefined,
      }),
  };
}

/** Fails with the error value's message when a mutation returned an Error member. */
export function accepted<T extends { __typename: string; message?: string; code?: string }>(result: T, success: string): T {
  if (result.__typename !== success)
    throw new CliError(`${result.__typename}${result.code ? ` (${result.code})` : ''}: ${result.message ?? ''}`);
  return result;
}
