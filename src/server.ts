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
import { ProviderRegistry } from './datasources/registry.js';
import { CachedEngine } from './engine/detection-cache.js';
import { FaceEngine } from './engine/index.js';
import { RefusedDocuments } from './caches/refused-documents.js';
import { startGraphQLRuntime } from './execution/graphql-runtime.js';
import { QueryFastPath } from './http/fast-path.js';
import { BodyBudget } from './http/body-budget.js';
import { createGraphQLHandler } from './http/graphql-handler.js';
import { HttpServer } from './http/http-server.js';
import { ResponseBatch } from './http/response-batch.js';
import { createRouter } from './http/router.js';
import { answerUnwritable } from './http/send.js';
import { GatewayMetrics } from './observability/metrics.js';
import { ProgressBus } from './operations/progress-bus.js';
import { jobQueueOf } from './operations/redis-job-queue.js';
import { SnapshotService } from './operations/snapshot-service.js';
import { Authenticator, warnIfAnonymous } from './security/authenticator.js';
import { TenantGrants } from './security/grants.js';
import { MetricsAccess } from './security/metrics-access.js';
import { OriginPolicy } from './security/origin-policy.js';
import { RateLimiter } from './security/rate-limit.js';
import { isReachable, openStore } from './store/open-store.js';
import { contextDeps } from './resolvers/context.js';
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
  const store = await openStore(config);
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
    { store, engine, logger, changes, dataDir: config.dataDir },
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
    queue: jobQueueOf(
      config.redisUrl ? { redisUrl: config.redisUrl, prefix: config.redisPrefix, logger, leaseMs: config.jobLeaseMs } : undefined,
    ),
  });
  await snapshots.start();
  const deps = contextDeps({ registry, snapshots, logger, grants, imagePolicy: config.imageFetch, maxPageSize: config.limits.maxPageSize });
  const authenticator = new Authenticator(config.auth);
  warnIfAnonymous(config.auth, config.host, logger);
  const rateLimiter = config.rateLimit ? new RateLimiter(config.rateLimit) : undefined;
  const runtime = await startGraphQLRuntime({ logger, limits: config.limits, metrics, tracing, rateLimiter });
  const { schema, plans, formatError, apollo } = runtime;
  const responses = new ResponseBatch(answerUnwritable(logger));
  // The fast path skips Apollo's plugins; tracing is one, so with tracing on every request goes through Apollo.
  const fastPath = tracing ? undefined : new QueryFastPath(plans, metrics, formatError, responses);
  // What a refusal depends on besides the text and the (fixed) schema: kept refusals are keyed by it too.
  const refusalScope = JSON.stringify(config.limits);
  const graphql = createGraphQLHandler({
    apollo,
    authenticator,
    rateLimiter,
    deps,
    metrics,
    responses,
    fastPath,
    maxBodyBytes: config.maxBodyBytes,
    bodyBudget: new BodyBudget(config.maxBodyBytesInFlight),
    maxDocumentChars: config.limits.maxDocumentChars,
    maxUploads: config.limits.maxImageInputs,
    refusals: new RefusedDocuments({ scope: refusalScope }),
  });
  const readinessChecks = async () => ({ store: await isReachable(store), redis: redis && changes ? redis.ready && changes.ready : true });
  const graphiql = config.graphiql ? config.auth : undefined;
  const anonymous = config.auth.anonymousTenant !== null;
  const originPolicy = new OriginPolicy({ anonymous, allowedHosts: config.allowedHosts, allowedOrigins: config.allowedOrigins });
  const metricsAccess = new MetricsAccess(config.metrics, anonymous);
  const http: HttpServer = new HttpServer(
    createRouter({ graphql, metrics, metricsAccess, graphiql, readinessChecks, originPolicy, stopping: () => http.stopping }),
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
    formatError,
    wsLimits: config.websocket,
    originPolicy,
    refusals: new RefusedDocuments({ scope: refusalScope }),
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
