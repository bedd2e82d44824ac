/**
 * One http.Server: Apollo Server on POST (and GET) /graphql, graphql-ws on
 * the same path and port, GraphiQL for browsers, /healthz, /readyz and
 * /metrics. Apollo runs on plain node:http (executeHTTPGraphQLRequest), not
 * Express: about 2.5× the throughput on this machine kind.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, specifiedRules, validate, type GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import { Authenticator, type Caller, type Credentials } from './security/authenticator.js';
import { TenantGrants } from './security/grants.js';
import type { GatewayConfig } from './config/config.js';
import { createContext, type GatewayContext } from './resolvers/context.js';
import { ReusedPages } from './caches/reused-pages.js';
import { UserFaces } from './caches/user-faces.js';
import { ProviderRegistry } from './datasources/registry.js';
import { CachedEngine } from './engine/detection-cache.js';
import { FaceEngine } from './engine/index.js';
import { ERROR_CODES, isDomainError } from './domain/errors.js';
import { QueryFastPath } from './http/fast-path.js';
import { jitGateway } from './execution/jit-gateway.js';
import { QueryPlans } from './execution/query-plans.js';
import { graphiqlPage } from './http/graphiql.js';
import { checkDocumentSize, documentSizeError, LIMIT_ERROR_CODES, limitErrorCode, limitRules } from './security/query-limits.js';
import { GatewayMetrics } from './observability/metrics.js';
import { RateLimiter, throttledError, throttledResponse } from './security/rate-limit.js';
import { ResponseBatch } from './http/response-batch.js';
import { ClientGone, OperationSignals, requestSignal } from './http/cancellation.js';
import { countRefusedWebSocketOperation, countWebSocketOperation, operationLabel, operationMetricsPlugin, trackResultUnions } from './observability/operation-metrics.js';
import { InProcessJobQueue } from './operations/job-queue.js';
import { ProgressBus } from './operations/progress-bus.js';
import { RedisJobQueue } from './operations/redis-job-queue.js';
import { RedisBroadcast } from './cluster/redis-broadcast.js';
import { SnapshotService } from './operations/snapshot-service.js';
import { toGraphQLError } from './resolvers/result.js';
import { buildGatewaySchema } from './execution/build-schema.js';
import { openPostgresStore } from './store/postgres/postgres-store.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';

/** A running gateway. */
export interface Gateway {
  url: string;
  httpServer: http.Server;
  metrics: GatewayMetrics;
  /** Graceful stop: refuse new work, finish in-flight requests, close sockets with 1001, release resources. */
  stop(): Promise<void>;
}

/** GraphQL error codes that describe the caller's request and are shown as they are. */
const CLIENT_CODES = new Set<string>([
  ...ERROR_CODES,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  ...LIMIT_ERROR_CODES,
]);

/**
 * Shapes every error a client sees: DomainErrors keep their code; request
 * errors pass; anything else is logged and masked, so no stack trace, SQL or
 * path leaves the process.
 */
export function formatError(logger: Logger) {
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
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** graphql-js would run a subscription sent over HTTP as a query; it belongs on the WebSocket. */
const subscriptionsOverWebSocketOnly: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation === 'subscription') {
          throw new GraphQLError('subscriptions: expected a graphql-transport-ws WebSocket on this path, got an HTTP request', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      },
    };
  },
};

class BodyTooLarge extends Error {}

/** Beyond this a refused body is not drained but cut off (the client may then see a reset instead of the 413). */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads the body up to `limit` bytes. An oversized body is drained (up to
 * MAX_DRAIN_BYTES) before the rejection, so the client reads the 413 instead
 * of a broken pipe.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => new BodyTooLarge(`request body: expected at most ${limit} bytes, got ${Number(req.headers['content-length'] ?? size)}`);
    if (Number(req.headers['content-length'] ?? 0) > MAX_DRAIN_BYTES) {
      reject(tooLarge());
      req.destroy();
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) req.destroy();
      else if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => (size > limit ? reject(tooLarge()) : resolve((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8'))));
    req.on('error', reject);
    req.on('close', () => size > limit && reject(tooLarge()));
  });
}

/** Credentials from headers with lower-case names: an HTTP request's, or an operation's `extensions.headers` ({@link lowerCaseNames}). */
function credentialsOfHeaders(headers: Record<string, unknown>): Credentials {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return { authorization: text(headers.authorization), apiKey: text(headers['x-api-key']) };
}

/**
 * An operation's `extensions.headers` with lower-case names: where GraphiQL
 * (yoga's executor) puts its Headers editor's headers, as typed, on
 * graphql-ws, whose connection_init it sends empty.
 */
function lowerCaseNames(headers: unknown): Record<string, unknown> {
  if (typeof headers !== 'object' || headers === null) return {};
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

const unauthenticatedOperation = (): GraphQLError =>
  new GraphQLError(
    'expected a valid API key or bearer token, in connectionParams or in the operation\'s extensions.headers (x-api-key or authorization), got none or an invalid one',
    { extensions: { code: 'UNAUTHENTICATED' } },
  );

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

/** A request that failed outside GraphQL: a 500 when nothing was sent yet, a cut connection otherwise. */
function sendInternalError(res: ServerResponse): void {
  if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  else res.destroy();
}

function wantsGraphiQL(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html') && !searchOf(req);
}

/** The request's path; `/graphql` itself without parsing a URL (~1 µs a request). */
function pathnameOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  return url === '/graphql' || url.startsWith('/graphql?') ? '/graphql' : new URL(url, 'http://x').pathname;
}

/** The request's query string, as Apollo expects it (`?` included). */
function searchOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://x').search;
}

/** Starts the gateway on config.host:config.port (port 0 picks a free one). */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<Gateway> {
  const metrics = new GatewayMetrics();
  const store = config.databaseUrl ? await openPostgresStore(config.databaseUrl, { schema: config.databaseSchema }) : await openSqliteStore(config.dataDir);
  const engine = new CachedEngine(metrics.instrumentEngine(new FaceEngine({ workers: config.engine.workers, maxQueue: config.engine.maxQueue })));
  const redis = config.redisUrl ? new RedisBroadcast(config.redisUrl, config.redisPrefix, 'operation-progress', logger) : undefined;
  const changes = config.redisUrl ? new RedisBroadcast(config.redisUrl, config.redisPrefix, 'collection-changes', logger) : undefined;
  await Promise.all([redis?.start(), changes?.start()]);
  const tracing = config.tracing ? (await import('./observability/tracing/gateway-tracing.js')).startGatewayTracing(config.tracing) : undefined;
  const registry = new ProviderRegistry(
    config.providers,
    { store, engine, logger, changes },
    (p) => (tracing ? tracing.instrument(metrics.instrument(p)) : metrics.instrument(p)),
    (provider, state) => metrics.providerCircuit.set({ provider }, state === 'open' ? 1 : state === 'half-open' ? 0.5 : 0),
  );
  const grants = new TenantGrants(config.tenants);
  const snapshots = new SnapshotService({
    store,
    registry,
    canSee: (tenant, ref) => grants.canUseCollection(tenant, ref.provider, ref.collectionId),
    bus: metrics.instrumentProgress(new ProgressBus(redis)),
    logger,
    snapshotTtlMs: config.snapshotTtlMs,
    // Replicas share trainings through the store: one whose replica died is failed after a lease without word.
    staleTrainingMs: config.redisUrl ? config.jobLeaseMs : undefined,
    queue: (run) => (config.redisUrl ? new RedisJobQueue(run, { redisUrl: config.redisUrl, prefix: config.redisPrefix, logger, leaseMs: config.jobLeaseMs }) : new InProcessJobQueue(run)),
  });
  await snapshots.resume();
  snapshots.startPurging();
  snapshots.startSweepingTrainings();
  const deps = { registry, snapshots, logger, grants, imagePolicy: config.imageFetch, maxPageSize: config.limits.maxPageSize, reusedPages: new ReusedPages(), userFaces: new UserFaces() };
  const authenticator = new Authenticator(config.auth);
  if (config.auth.anonymousTenant) {
    logger.warn(
      { tenant: config.auth.anonymousTenant, host: config.host },
      'ANONYMOUS ACCESS IS ON: anyone who can reach this loopback address acts as tenant ' +
        `"${config.auth.anonymousTenant}". Configure auth.apiKeys or auth.jwt before exposing facegate.`,
    );
  }
  const rateLimiter = config.rateLimit ? new RateLimiter(config.rateLimit) : null;
  const schema = await buildGatewaySchema();
  trackResultUnions(schema);
  tracing?.traceSchema(schema);

  const plans = new QueryPlans();
  const formatErrors = formatError(logger);
  const responses = new ResponseBatch((err, res) => {
    logger.error({ err }, 'a GraphQL response could not be written');
    sendInternalError(res);
  });
  // The fast path skips Apollo's plugins; tracing is one, so with tracing on every request goes through Apollo.
  const fastPath = tracing ? undefined : new QueryFastPath(plans, metrics, formatErrors, responses);
  const viaApollo = metrics.queryPlanRequests.labels('apollo');
  const apollo = new ApolloServer<GatewayContext>({
    gateway: jitGateway(schema, { plans }),
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    formatError: formatErrors,
    validationRules: limitRules(config.limits),
    // Automatic persisted queries are not offered: their errors carry no code.
    persistedQueries: false,
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), subscriptionsOverWebSocketOnly, operationMetricsPlugin(metrics), ...(tracing ? [tracing.plugin] : [])],
  });
  await apollo.start();

  let stopping = false;
  /** Requests being handled; stop() waits for `drained` while there are any. */
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const finished = () => {
    if (--inFlight === 0) drained?.();
  };

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].slice(0, 128)) || randomUUID();
    const found = authenticator.authenticate(credentialsOfHeaders(req.headers));
    const caller = found instanceof Promise ? await found : found;
    if (!caller) {
      req.resume();
      sendJson(res, 401, { errors: [{ message: 'expected a valid API key or bearer token, got none or an invalid one', extensions: { code: 'UNAUTHENTICATED' } }] }, {
        'www-authenticate': 'Bearer, ApiKey',
      });
      return;
    }
    const throttle = rateLimiter?.take(caller.tenant);
    if (throttle) {
      req.resume();
      const refusal = throttledResponse(caller.tenant, throttle);
      metrics.graphqlRequests.inc({ operation: 'throttled', status: '429' });
      return sendJson(res, refusal.status, refusal.body, { ...refusal.headers, 'x-request-id': requestId });
    }
    let body: unknown;
    try {
      const raw = req.method === 'POST' ? await readBody(req, config.maxBodyBytes) : '';
      body = raw && (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(raw) : raw || undefined;
    } catch (e) {
      const tooLarge = e instanceof BodyTooLarge;
      const message = tooLarge ? (e as Error).message : 'request body: expected JSON, got text that does not parse';
      // A refused body is not read; closing the connection keeps the client from sending the rest.
      const headers: Record<string, string> = tooLarge ? { connection: 'close' } : {};
      sendJson(res, tooLarge ? 413 : 400, { errors: [{ message, extensions: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] }, headers);
      return;
    }
    const query = req.method === 'GET' ? new URLSearchParams(searchOf(req)).get('query') : (body as { query?: unknown } | undefined)?.query;
    const tooLarge = checkDocumentSize(query, config.limits.maxDocumentChars);
    if (tooLarge) {
      sendJson(res, 400, tooLarge, { 'x-request-id': requestId });
      return;
    }
    const signal = requestSignal(req, res);
    if (fastPath) {
      const plan = fastPath.planFor(req, body);
      if (plan && (await fastPath.answer(plan, body, createContext(deps, caller, requestId, signal), requestId, res))) return;
    }
    viaApollo.inc();
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: req.method ?? 'GET',
      headers,
      search: searchOf(req),
      body,
    };
    const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => createContext(deps, caller, requestId, signal) });
    const outHeaders: Record<string, string> = { 'x-request-id': requestId };
    for (const [key, value] of response.headers) outHeaders[key] = value;
    const status = response.status ?? 200;
    const operation = (body as { operationName?: unknown } | undefined)?.operationName;
    metrics.graphqlRequests.inc({ operation: operationLabel(operation), status: String(status) });
    if (response.body.kind === 'complete') {
      responses.end(res, status, outHeaders, response.body.string);
    } else {
      res.writeHead(status, outHeaders);
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = pathnameOf(req);
    if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/readyz') {
      const checks = { store: await store.listCollections('-', { after: null, limit: 1 }).then(() => true, () => false), redis: redis && changes ? redis.ready && changes.ready : true };
      const ready = !stopping && checks.store && checks.redis;
      return sendJson(res, ready ? 200 : 503, { status: stopping ? 'stopping' : ready ? 'ready' : 'degraded', checks });
    }
    if (pathname === '/metrics') {
      const text = await metrics.text();
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      return void res.end(text);
    }
    if (pathname !== '/graphql') return sendJson(res, 404, { errors: [{ message: `no route ${pathname}; GraphQL is at /graphql` }] });
    if (config.graphiql && wantsGraphiQL(req)) {
      const page = await graphiqlPage(config.auth);
      const gzip = (req.headers['accept-encoding'] ?? '').includes('gzip');
      const bytes = gzip ? page.gzipped : page.html;
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': bytes.length,
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      });
      return void res.end(bytes);
    }
    return handleGraphQL(req, res);
  }

  const httpServer = http.createServer((req, res) => {
    if (stopping) res.setHeader('connection', 'close');
    inFlight++;
    handle(req, res).then(finished, (err: unknown) => {
      logger.error({ err }, 'request failed outside GraphQL');
      sendInternalError(res);
      finished();
    });
  });

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCallers = new WeakMap<object, Caller>();
  /** Sockets whose connection_init was accepted (the ws connections gauge). */
  const wsOpen = new WeakSet<object>();
  /** Sockets without credentials of their own that have run an operation with valid ones. */
  const wsAuthenticated = new WeakSet<object>();
  /** A socket that brought no credentials must authenticate an operation soon, or it is closed (4401): no idle anonymous sockets. */
  const closeUnlessAuthenticated = (socket: { close(code: number, reason: string): void }) =>
    setTimeout(() => {
      if (!wsAuthenticated.has(socket)) socket.close(4401, 'Unauthorized');
    }, config.wsAuthTimeoutMs).unref();
  /** Callers of operations authenticated by their own `extensions.headers`, by subscribe payload (the same object reaches `context`). */
  const operationCallers = new WeakMap<object, Caller>();
  const wsSignals = new OperationSignals();
  const wsRules = [...specifiedRules, ...limitRules(config.limits)];
  const wsCleanup = useServer<Record<string, unknown>>(
    {
      schema,
      validate: (s, document) => validate(s, document, wsRules),
      onSubscribe: async (ctx, _id, payload) => {
        let caller = wsCallers.get(ctx.extra.socket);
        if (!caller) {
          // A connection that brought no credentials (GraphiQL's): each operation brings its own.
          caller = (await authenticator.authenticate(credentialsOfHeaders(lowerCaseNames(payload.extensions?.headers)))) ?? undefined;
          if (!caller) return [unauthenticatedOperation()];
          operationCallers.set(payload, caller);
          wsAuthenticated.add(ctx.extra.socket);
        }
        const throttle = rateLimiter?.take(caller.tenant);
        if (throttle) return [throttledError(caller.tenant, throttle)];
        const tooLarge = documentSizeError(payload.query, config.limits.maxDocumentChars);
        return tooLarge ? [tooLarge] : undefined;
      },
      context: (ctx, id, payload) =>
        createContext(deps, wsCallers.get(ctx.extra.socket) ?? operationCallers.get(payload)!, randomUUID(), wsSignals.open(ctx.extra.socket, id)),
      onOperation: (ctx, id, _payload, args, result) => {
        if (!(Symbol.asyncIterator in result)) wsSignals.finish(ctx.extra.socket, id);
        countWebSocketOperation(metrics, args, result);
      },
      onComplete: (ctx, id) => wsSignals.cancel(ctx.extra.socket, id),
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const credentials: Credentials = {
          authorization: typeof params.authorization === 'string' ? params.authorization : undefined,
          apiKey: typeof params.apiKey === 'string' ? params.apiKey : undefined,
        };
        const caller = await authenticator.authenticate(credentials);
        const broughtNone = credentials.authorization === undefined && credentials.apiKey === undefined;
        if (!caller && !broughtNone) {
          ctx.extra.socket.close(4401, 'Unauthorized');
          return false;
        }
        // Without credentials and without anonymous access, every operation must bring its own (see onSubscribe).
        if (caller) wsCallers.set(ctx.extra.socket, caller);
        else closeUnlessAuthenticated(ctx.extra.socket);
        wsOpen.add(ctx.extra.socket);
        metrics.wsConnections.inc();
        return true;
      },
      onClose: (ctx) => {
        wsSignals.cancelAll(ctx.extra.socket);
        wsCallers.delete(ctx.extra.socket);
        if (wsOpen.delete(ctx.extra.socket)) metrics.wsConnections.dec();
      },
      onError: (_ctx, _id, payload, errors) => {
        countRefusedWebSocketOperation(metrics, payload.operationName, errors);
        logger.warn({ errors: errors.map((e: GraphQLError) => e.message) }, 'subscription error');
      },
    },
    wsServer,
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}/graphql`;
  logger.info({ url, providers: config.providers.map((p) => `${p.name}:${p.kind}`), dataDir: config.dataDir }, 'facegate listening');

  return {
    url,
    httpServer,
    metrics,
    async stop() {
      if (stopping) return;
      stopping = true;
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      responses.flush();
      await wsCleanup.dispose(); // closes every socket with 1001 Going Away
      httpServer.closeAllConnections();
      await closed;
      await apollo.stop();
      await snapshots.stop();
      await redis?.close();
      await changes?.close();
      await registry.close();
      await engine.close();
      await store.close();
      await tracing?.shutdown();
      logger.info('facegate stopped');
    },
  };
}
