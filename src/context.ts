/**
 * What every resolver gets: the caller, the provider registry and this
 * request's DataLoaders (a fresh set per HTTP request or per subscription
 * event, so nothing cached leaks between callers).
 */
import type { Logger } from 'pino';
import type { Caller } from './auth/authenticator.js';
import type { TenantGrants } from './auth/grants.js';
import type { ProviderRegistry } from './datasources/registry.js';
import type { FetchPolicy } from './images/safe-fetch.js';
import type { SnapshotService } from './operations/snapshot-service.js';
import { createLoaders, type Loaders } from './resolvers/loaders.js';

export interface GatewayContext {
  /** The authenticated caller's tenant (or the anonymous tenant). */
  tenant: string;
  /** What tenants may use; every provider and collection access is checked against it. */
  grants: TenantGrants;
  /** How image URLs are fetched. */
  imagePolicy: FetchPolicy;
  requestId: string;
  registry: ProviderRegistry;
  snapshots: SnapshotService;
  loaders: Loaders;
  logger: Logger;
  /** Aborted when the client goes away before the result; provider calls see it through the call context. */
  signal: AbortSignal;
}

/** What every context is made from; created once at start-up. */
export interface ContextDeps {
  grants: TenantGrants;
  imagePolicy: FetchPolicy;
  registry: ProviderRegistry;
  snapshots: SnapshotService;
  logger: Logger;
}

export function createContext(deps: ContextDeps, caller: Caller, requestId: string, signal: AbortSignal): GatewayContext {
  const { registry, snapshots, logger, grants, imagePolicy } = deps;
  let requestLogger: Logger | undefined;
  return {
    tenant: caller.tenant,
    grants,
    imagePolicy,
    requestId,
    registry,
    snapshots,
    loaders: createLoaders(registry),
    signal,
    // Made on first use: most requests log nothing.
    get logger() {
      return (requestLogger ??= logger.child({ requestId, tenant: caller.tenant }));
    },
  };
}
