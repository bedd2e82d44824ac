/**
 * graphql-ws (graphql-transport-ws) on the HTTP server's port and path.
 *
 * A socket authenticates once, with credentials in its connection_init
 * payload (`authorization` or `apiKey`), and its operations run as that
 * caller. A socket that brings none (GraphiQL's) is accepted, and each of
 * its operations must then authenticate itself with the headers in its
 * `extensions.headers`; one that has not done so within the auth timeout is
 * closed, so no anonymous socket stays idle. Wrong credentials close the
 * socket at once. Every operation then passes the socket's operation cap,
 * the tenant's rate limit, the query limits and, for a subscription, the
 * tenant's subscription cap before it runs.
 *
 * Before any of that, the upgrade passes the Host and Origin checks and the
 * connection caps (connection-gate.ts), and no frame longer than
 * `maxPayloadBytes` is read. Every error a client sees, refusals included,
 * is shaped by the same formatError as over HTTP. A subscription's events
 * are executed once per group of subscribers with the same selection,
 * variables and tenant, and sent as pre-serialized frames
 * (subscription-fan-out.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError, specifiedRules, subscribe, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { CloseCode, type Disposable, type FormattedExecutionResult, type SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { RefusedDocuments } from '../caches/refused-documents.js';
import { formatErrorsAsApollo, type FormatError } from '../execution/apollo-errors.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { countRefusedWebSocketOperation, countWebSocketOperation } from '../observability/operation-metrics.js';
import { createContext, type ContextDeps } from '../resolvers/context.js';
import type { Authenticator, Caller } from '../security/authenticator.js';
import { bringsNone, credentialsOfConnectionParams, credentialsOfHeaders, lowerCaseNames } from '../security/credentials.js';
import { documentSizeError, limitRules, rateCostOf, type QueryLimits } from '../security/query-limits.js';
import type { OriginPolicy } from '../security/origin-policy.js';
import { throttledError, type RateLimiter } from '../security/rate-limit.js';
import { TenantSubscriptions, tooManyOperations, tooManySubscriptions, type WebSocketLimits } from '../security/websocket-limits.js';
import { connectionGate } from './connection-gate.js';
import { OperationSignals } from './operation-signals.js';
import { prepareOperation } from './prepare-operation.js';
import { SubscriptionFanOut, type FanOutTarget } from './subscription-fan-out.js';
import { handleSocketErrors } from './socket-errors.js';
import { TokenExpiry } from './token-expiry.js';

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
  /** Shapes every error a client sees, as over HTTP (execution/format-error.ts). */
  formatError: FormatError;
  /** Caps on frames, sockets, operations per socket and subscriptions per tenant. */
  wsLimits: WebSocketLimits;
  /** Which Hosts and Origins may open a socket. */
  originPolicy: OriginPolicy;
  /** Errors of documents refused for themselves (did not parse or validate), kept for repeats of the same text. @default undefined: every document is parsed */
  refusals?: RefusedDocuments<readonly GraphQLError[]>;
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
  const { authenticator, rateLimiter, deps, limits, metrics, logger, formatError, wsLimits } = options;
  const sockets = new WeakMap<WebSocket, SocketState>();
  /** Callers of operations authenticated by their own `extensions.headers`, by subscribe payload (the same object reaches `context`). */
  const operationCallers = new WeakMap<SubscribePayload, Caller>();
  const signals = new OperationSignals();
  const expiries = new TokenExpiry();
  const rules = [...specifiedRules, ...limitRules(limits)];
  const parsed = metrics.documentsParsed.labels('ws');
  const prepareOptions = { refusals: options.refusals, onParse: () => parsed.inc() };
  const subscriptions = new TenantSubscriptions(wsLimits.maxSubscriptionsPerTenant);
  /** Errors as formatError shapes them: the same masking and codes as over HTTP. */
  const format = (errors: readonly unknown[]) => formatErrorsAsApollo(errors, formatError).formattedErrors;
  const executions = metrics.subscriptionExecutions.labels();
  const frames = metrics.subscriptionFrames.labels();
  const fanOut = new SubscriptionFanOut({ formatErrors: format, onExecution: () => executions.inc(), onFrame: () => frames.inc() });
  /** Where each admitted subscription's frames go, by the execution args onSubscribe returned (graphql-ws hands the same object to `subscribe`). */
  const fanOutTargets = new WeakMap<ExecutionArgs, FanOutTarget>();

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

  // On the HTTP server's port and GraphQL path: an upgrade request there is a graphql-ws socket.
  const gate = connectionGate(() => wss, options.originPolicy, wsLimits);
  const wss: WebSocketServer = new WebSocketServer({
    server,
    path: '/graphql',
    // A longer frame is refused from its header (close 1009), before its payload is read.
    maxPayload: wsLimits.maxPayloadBytes,
    verifyClient: gate.verifyClient,
  });
  wss.on('connection', gate.track);

  const graphqlWs = useServer<Record<string, unknown>>(
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
        if (caller && !expiries.watch(socket, caller)) return false;
        if (caller) state.caller = caller;
        else state.authDeadline = setTimeout(() => closeUnauthorized(socket), options.authTimeoutMs).unref();
        sockets.set(socket, state);
        metrics.wsConnections.inc();
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        // graphql-ws records the operation (this one included) before calling onSubscribe: the cap needs no work to check.
        if (Object.keys(ctx.subscriptions).length > wsLimits.maxOperationsPerSocket)
          return [tooManyOperations(wsLimits.maxOperationsPerSocket)];
        const state = sockets.get(ctx.extra.socket);
        const caller = state?.caller ?? (await authenticateOperation(state, payload));
        if (!caller) return [unauthenticatedOperation()];
        if (!expiries.watch(ctx.extra.socket, caller)) return [unauthenticatedOperation()];
        const throttle = rateLimiter?.take(caller.tenant);
        if (throttle) return [throttledError(caller.tenant, throttle)];
        const tooLarge = documentSizeError(payload.query, limits.maxDocumentChars);
        if (tooLarge) return [tooLarge];
        // Parsed and validated here, so its errors get HTTP's codes and its cost is paid before it runs.
        const prepared = prepareOperation(options.schema, rules, payload, prepareOptions);
        if ('errors' in prepared) return prepared.errors;
        // The rest of the operation's cost: one token was taken before parsing.
        const overBudget = rateLimiter?.take(caller.tenant, rateCostOf(prepared.operation), 1);
        if (overBudget) return [throttledError(caller.tenant, overBudget)];
        if (prepared.kind === 'subscription' && !subscriptions.open(ctx.extra.socket, id, caller.tenant)) {
          return [tooManySubscriptions(wsLimits.maxSubscriptionsPerTenant)];
        }
        if (prepared.kind === 'subscription') fanOutTargets.set(prepared.args, { socket: ctx.extra.socket, id, tenant: caller.tenant });
        return prepared.args;
      },
      // onSubscribe let the operation run only with a caller: the socket's or its own.
      context: (ctx, id, payload) =>
        createContext(
          deps,
          sockets.get(ctx.extra.socket)?.caller ?? operationCallers.get(payload)!,
          randomUUID(),
          signals.open(ctx.extra.socket, id),
        ),
      subscribe: (args) => {
        const target = fanOutTargets.get(args);
        return target ? fanOut.subscribe(args, target) : subscribe(args);
      },
      onOperation: (ctx, id, _payload, args, result) => {
        // A subscription's signal stays open until the client completes it or the socket closes.
        if (!(Symbol.asyncIterator in result)) signals.finish(ctx.extra.socket, id);
        countWebSocketOperation(metrics, args, result);
      },
      onComplete: (ctx, id) => {
        signals.cancel(ctx.extra.socket, id);
        subscriptions.close(ctx.extra.socket, id);
      },
      onClose: (ctx) => {
        const socket = ctx.extra.socket;
        signals.cancelAll(socket);
        subscriptions.closeAll(socket);
        const state = sockets.get(socket);
        if (!state) return;
        clearTimeout(state.authDeadline);
        sockets.delete(socket);
        metrics.wsConnections.dec();
      },
      // Results and errors leave through formatError, as over HTTP: nothing unexpected reaches the client unmasked.
      // (A subscription's events do not pass here: SubscriptionFanOut formats them with the same `format`.)
      onNext: (_ctx, _id, _payload, _args, result): FormattedExecutionResult | undefined => {
        if (!result.errors?.length) return undefined;
        return { ...result, errors: format(result.errors) };
      },
      onError: (_ctx, _id, _payload, errors) => {
        countRefusedWebSocketOperation(metrics, errors);
        logger.warn({ errors: errors.map((e) => e.message) }, 'subscription error');
        return format(errors);
      },
    },
    wss,
  );
  // After graphql-ws's own connection listener, so this handler replaces the one it adds.
  wss.on('connection', (socket) => handleSocketErrors(socket, logger));
  return graphqlWs;
}
