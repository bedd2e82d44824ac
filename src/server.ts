/**
 * The composition root: builds the gateway's parts, starts them and stops
 * them in order. One node:http server carries both transports on /graphql,
 * Apollo Server (http/) and graphql-ws (ws/), with GraphiQL for browsers and
 * /healthz, /readyz and /metrics beside them. Apollo runs on plain node:http
 * (executeHTTPGraphQLRequest), not Express, whose middleware stack costs
 * more than the rest of a small query (figure in BENCHMARKS.md).
 */
import 'reflect-metadata';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { RedisBroadcast } from './cluster/redis-broadcast.js';
import type { GatewayConfig } from './config/config.js';
import { ReusedPages } from './caches/reused-pages.js';
import { UserFaces } from './caches/user-faces.js';
import { ProviderRegistry } from './datasources/registry.js';
import { CachedEngine } from './engine/detection-cache.js';
import { FaceEngine } from './engine/index.js';
import { createApolloServer } from './execution/apollo-server.js';
import { buildGatewaySchema } from './execution/build-schema.js';
import { formatError } from './execution/format-error.js';
import { QueryPlans } from './execution/query-plans.js';
import { QueryFastPath } from './http/fast-path.js';
import { createGraphQLHandler } from './http/graphql-handler.js';
import { HttpServer } from './http/http-server.js';
import { ResponseBatch } from './http/response-batch.js';
import { createRouter } from './http/router.js';
import { sendInternalError } from './http/send.js';
import { GatewayMetrics } from './observability/metrics.js';
import { trackResultUnions } from './observability/operation-metrics.js';
import { InProcessJobQueue } from './operations/job-queue.js';
import { ProgressBus } from './operations/progress-bus.js';
import { RedisJobQueue } from './operations/redis-job-queue.js';
import { SnapshotService } from './operations/snapshot-service.js';
import { Authenticator } from './security/authenticator.js';
import { TenantGrants } from './security/grants.js';
import { RateLimiter } from './security/rate-limit.js';
import { openPostgresStore } from './store/postgres/postgres-store.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import { startWebSocketServer } from './ws/ws-server.js';

/** A running gateway. */
export interface Gateway {
  url: string;
  httpServer: Server;
  metrics: GatewayMetrics;
  /** Graceful stop: refuse new work, finish in-flight requests, close sockets with 1001, release resources. */
  stop(): Promise<void>;
}

/** Starts the gateway on config.host:config.port (port 0 picks a free one). */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<Gateway> {
  const metrics = new GatewayMetrics();
  const store = config.databaseUrl
    ? await openPostgresStore(config.databaseUrl, { schema: config.databaseSchema })
    : await openSqliteStore(config.dataDir);
  const engine = new CachedEngine(
    metrics.instrumentEngine(new FaceEngine({ workers: config.engine.workers, maxQueue: config.engine.maxQueue })),
  );
  const redis = config.redisUrl ? new RedisBroadcast(config.redisUrl, config.redisPrefix, 'operation-progress', logger) : undefined;
  const changes = config.redisUrl ? new RedisBroadcast(config.redisUrl, config.redisPrefix, 'collection-changes', logger) : undefined;
  await Promise.all([redis?.start(), changes?.start()]);
  const tracing = config.tracing
    ? (await import('./observability/tracing/gateway-tracing.js')).startGatewayTracing(config.tracing)
    : undefined;
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
    queue: (run) =>
      config.redisUrl
        ? new RedisJobQueue(run, { redisUrl: config.redisUrl, prefix: config.redisPrefix, logger, leaseMs: config.jobLeaseMs })
        : new InProcessJobQueue(run),
  });
  await snapshots.resume();
  snapshots.startPurging();
  snapshots.startSweepingTrainings();
  const deps = {
    registry,
    snapshots,
    logger,
    grants,
    imagePolicy: config.imageFetch,
    maxPageSize: config.limits.maxPageSize,
    reusedPages: new ReusedPages(),
    userFaces: new UserFaces(),
  };
  const authenticator = new Authenticator(config.auth);
  if (config.auth.anonymousTenant) {
    logger.warn(
      { tenant: config.auth.anonymousTenant, host: config.host },
      'ANONYMOUS ACCESS IS ON: anyone who can reach this loopback address acts as tenant ' +
        `"${config.auth.anonymousTenant}". Configure auth.apiKeys or auth.jwt before exposing facegate.`,
    );
  }
  const rateLimiter = config.rateLimit ? new RateLimiter(config.rateLimit) : undefined;
  const schema = await buildGatewaySchema();
  trackResultUnions(schema);
  tracing?.traceSchema(schema);

  const plans = new QueryPlans();
  const formatErrors = formatError(logger);
  const apollo = createApolloServer({
    schema,
    plans,
    formatError: formatErrors,
    limits: config.limits,
    metrics,
    plugins: tracing ? [tracing.plugin] : [],
  });
  await apollo.start();
  const responses = new ResponseBatch((err, res) => {
    logger.error({ err }, 'a GraphQL response could not be written');
    sendInternalError(res);
  });
  // The fast path skips Apollo's plugins; tracing is one, so with tracing on every request goes through Apollo.
  const fastPath = tracing ? undefined : new QueryFastPath(plans, metrics, formatErrors, responses);
  const graphql = createGraphQLHandler({
    apollo,
    authenticator,
    rateLimiter,
    deps,
    metrics,
    responses,
    fastPath,
    maxBodyBytes: config.maxBodyBytes,
    maxDocumentChars: config.limits.maxDocumentChars,
  });
  const readinessChecks = async () => ({
    store: await store.listCollections('-', { after: null, limit: 1 }).then(
      () => true,
      () => false,
    ),
    redis: redis && changes ? redis.ready && changes.ready : true,
  });
  const graphiql = config.graphiql ? config.auth : undefined;
  const http: HttpServer = new HttpServer(
    createRouter({ graphql, metrics, graphiql, readinessChecks, stopping: () => http.stopping }),
    logger,
  );
  const ws = startWebSocketServer(http.server, {
    schema,
    authenticator,
    rateLimiter,
    deps,
    limits: config.limits,
    metrics,
    logger,
    authTimeoutMs: config.wsAuthTimeoutMs,
  });

  const url = `${await http.listen(config.port, config.host)}/graphql`;
  logger.info({ url, providers: config.providers.map((p) => `${p.name}:${p.kind}`), dataDir: config.dataDir }, 'facegate listening');

  return {
    url,
    httpServer: http.server,
    metrics,
    async stop() {
      if (http.stopping) return;
      await http.drain(); // no new connections; the requests in flight finish
      responses.flush(); // answers still queued for this turn are written before any connection is cut
      await ws.dispose(); // closes every socket with 1001 Going Away
      await http.close();
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
