/**
 * graphql-ws (graphql-transport-ws) on the HTTP server's port and path.
 *
 * A socket authenticates once, with credentials in its connection_init
 * payload (`authorization` or `apiKey`), and its operations run as that
 * caller. A socket that brings none (GraphiQL's) is accepted, and each of
 * its operations must then authenticate itself with the headers in its
 * `extensions.headers`; one that has not done so within the auth timeout is
 * closed, so no anonymous socket stays idle. Wrong credentials close the
 * socket at once. Every operation then passes the tenant's rate limit and
 * the query limits before it runs.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError, specifiedRules, type GraphQLSchema } from 'graphql';
import { CloseCode, type Disposable, type SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/metrics.js';
import { countRefusedWebSocketOperation, countWebSocketOperation } from '../observability/operation-metrics.js';
import { createContext, type ContextDeps } from '../resolvers/context.js';
import type { Authenticator, Caller } from '../security/authenticator.js';
import { bringsNone, credentialsOfConnectionParams, credentialsOfHeaders, lowerCaseNames } from '../security/credentials.js';
import { documentSizeError, limitRules, type QueryLimits } from '../security/query-limits.js';
import { throttledError, type RateLimiter } from '../security/rate-limit.js';
import { OperationSignals } from './operation-signals.js';
import { operationArgs } from './operation-args.js';

/** What {@link startWebSocketServer} serves. */
export interface WebSocketServerOptions {
  schema: GraphQLSchema;
  authenticator: Authenticator;
  /** Each tenant's request rate, shared with HTTP. @default undefined: no limit */
  rateLimiter?: RateLimiter;
  /** What each operation's context is made of. */
  deps: ContextDeps;
  /** The query limits: validation rules after graphql-js's own, and the longest document. */
  limits: QueryLimits;
  /** Where connections and operations are counted. */
  metrics: GatewayMetrics;
  logger: Logger;
  /** How long a socket that brought no credentials may go without an operation that authenticates, in ms, before it is closed with 4401. */
  authTimeoutMs: number;
}

/** What the server keeps of one accepted socket. */
interface SocketState {
  /** Who connection_init authenticated; undefined when the socket brought no credentials, so each operation brings its own. */
  caller?: Caller;
  /** On a socket without a caller: closes it with 4401 when it fires, unless an operation authenticated first and cleared it. */
  authDeadline?: NodeJS.Timeout;
}

/** Closes a socket whose credentials failed, or that let its auth timeout pass. */
const closeUnauthorized = (socket: WebSocket): void => socket.close(CloseCode.Unauthorized, 'Unauthorized');

const unauthenticatedOperation = (): GraphQLError =>
  new GraphQLError(
    "expected a valid API key or bearer token, in connectionParams or in the operation's extensions.headers (x-api-key or authorization), got none or an invalid one",
    { extensions: { code: 'UNAUTHENTICATED' } },
  );

/** Serves graphql-ws on `server`'s /graphql; disposing closes every socket with 1001 Going Away. */
export function startWebSocketServer(server: Server, options: WebSocketServerOptions): Disposable {
  const { authenticator, rateLimiter, deps, limits, metrics, logger } = options;
  const sockets = new WeakMap<WebSocket, SocketState>();
  /** Callers of operations authenticated by their own `extensions.headers`, by subscribe payload (the same object reaches `context`). */
  const operationCallers = new WeakMap<SubscribePayload, Caller>();
  const signals = new OperationSignals();
  const rules = [...specifiedRules, ...limitRules(limits)];

  /**
   * The caller an operation's own `extensions.headers` authenticate, on a socket that brought no
   * credentials; undefined when they do not.
   */
  const authenticateOperation = async (state: SocketState | undefined, payload: SubscribePayload): Promise<Caller | undefined> => {
    const caller = await authenticator.authenticate(credentialsOfHeaders(lowerCaseNames(payload.extensions?.headers)));
    if (!caller) return undefined;
    operationCallers.set(payload, caller);
    clearTimeout(state?.authDeadline);
    return caller;
  };

  return useServer<Record<string, unknown>>(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        const credentials = credentialsOfConnectionParams(ctx.connectionParams ?? {});
        const caller = await authenticator.authenticate(credentials);
        if (!caller && !bringsNone(credentials)) {
          closeUnauthorized(socket);
          return false;
        }
        const state: SocketState = {};
        if (caller) state.caller = caller;
        else state.authDeadline = setTimeout(() => closeUnauthorized(socket), options.authTimeoutMs).unref();
        sockets.set(socket, state);
        metrics.wsConnections.inc();
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const state = sockets.get(ctx.extra.socket);
        const caller = state?.caller ?? (await authenticateOperation(state, payload));
        if (!caller) return [unauthenticatedOperation()];
        const throttle = rateLimiter?.take(caller.tenant);
        if (throttle) return [throttledError(caller.tenant, throttle)];
        const tooLarge = documentSizeError(payload.query, limits.maxDocumentChars);
        if (tooLarge) return [tooLarge];
        // Parsed and validated here, so the operation's cost is paid before it runs.
        return operationArgs(options.schema, rules, payload, caller.tenant, rateLimiter);
      },
      // onSubscribe let the operation run only with a caller: the socket's or its own.
      context: (ctx, id, payload) =>
        createContext(
          deps,
          sockets.get(ctx.extra.socket)?.caller ?? operationCallers.get(payload)!,
          randomUUID(),
          signals.open(ctx.extra.socket, id),
        ),
      onOperation: (ctx, id, _payload, args, result) => {
        // A subscription's signal stays open until the client completes it or the socket closes.
        if (!(Symbol.asyncIterator in result)) signals.finish(ctx.extra.socket, id);
        countWebSocketOperation(metrics, args, result);
      },
      onComplete: (ctx, id) => signals.cancel(ctx.extra.socket, id),
      onClose: (ctx) => {
        const socket = ctx.extra.socket;
        signals.cancelAll(socket);
        const state = sockets.get(socket);
        if (!state) return;
        clearTimeout(state.authDeadline);
        sockets.delete(socket);
        metrics.wsConnections.dec();
      },
      onError: (_ctx, _id, payload, errors) => {
        countRefusedWebSocketOperation(metrics, payload.operationName, errors);
        logger.warn({ errors: errors.map((e) => e.message) }, 'subscription error');
      },
    },
    // On the HTTP server's port and GraphQL path: an upgrade request there is a graphql-ws socket.
    new WebSocketServer({ server, path: '/graphql' }),
  );
}
