/**
 * The routes: GraphQL (and GraphiQL for browsers) on /graphql, /healthz,
 * /readyz and /metrics; anything else is a 404 that says where GraphQL is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { AuthConfig } from '../security/authenticator.js';
import { credentialsOfHeaders } from '../security/credentials.js';
import type { MetricsAccess } from '../security/metrics-access.js';
import { originRefusalBody, type OriginPolicy } from '../security/origin-policy.js';
import { sendGraphiQL } from './graphiql.js';
import type { RequestHandler } from './http-server.js';
import { pathnameOf, searchOf } from './request-url.js';
import { sendJson } from './send.js';

/** What {@link createRouter} routes to. */
export interface RouterOptions {
  /** Answers GraphQL requests on /graphql. */
  graphql: RequestHandler;
  /** Served as text on /metrics. */
  metrics: GatewayMetrics;
  /** Who may read /metrics: 401 without its key, 404 when it is off. */
  metricsAccess: MetricsAccess;
  /** The auth configuration GraphiQL's page is prefilled for, served on browser GETs to /graphql. @default undefined: no GraphiQL */
  graphiql?: AuthConfig;
  /** What /readyz checks, by name: ready when every check passes and the gateway is not stopping. */
  readinessChecks: () => Promise<Record<string, boolean>>;
  /** Whether the gateway is stopping: /readyz then answers 503, `stopping`. */
  stopping: () => boolean;
  /** Which Hosts and Origins are answered (but on /healthz and /readyz, which probes reach by any name and which tell nothing); 403 otherwise. */
  originPolicy: OriginPolicy;
}

/** The gateway's request handler. */
export function createRouter(options: RouterOptions): RequestHandler {
  const { graphql, metrics, graphiql } = options;
  return async function route(req, res) {
    const pathname = pathnameOf(req);
    if (pathname !== '/healthz' && pathname !== '/readyz') {
      const refusal = options.originPolicy.refusal(req.headers.host, req.headers.origin);
      if (refusal) {
        req.resume();
        return sendJson(res, 403, originRefusalBody(refusal));
      }
    }
    if (pathname === '/graphql') return graphiql && wantsGraphiQL(req) ? sendGraphiQL(req, res, graphiql) : graphql(req, res);
    if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/readyz') {
      const checks = await options.readinessChecks();
      const stopping = options.stopping();
      const ready = !stopping && Object.values(checks).every(Boolean);
      return sendJson(res, ready ? 200 : 503, { status: stopping ? 'stopping' : ready ? 'ready' : 'degraded', checks });
    }
    if (pathname === '/metrics') {
      const access = options.metricsAccess.check(credentialsOfHeaders(req.headers));
      if (access === 'off') return notFound(res, pathname);
      if (access === 'unauthorized') {
        const refusal = {
          errors: [{ message: 'metrics: expected the metrics key, got none or another one', extensions: { code: 'UNAUTHENTICATED' } }],
        };
        return sendJson(res, 401, refusal, { 'www-authenticate': 'Bearer' });
      }
      const text = await metrics.text();
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      return void res.end(text);
    }
    return notFound(res, pathname);
  };
}

/** Any route that is not served, /metrics when it is off included. */
function notFound(res: ServerResponse, pathname: string): void {
  sendJson(res, 404, { errors: [{ message: `no route ${pathname}; GraphQL is at /graphql` }] });
}

/** A browser opening /graphql: a GET that accepts HTML and carries no query. */
function wantsGraphiQL(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html') && !searchOf(req);
}
