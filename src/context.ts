/**
 * What every resolver gets: the caller, the provider registry and this
 * request's DataLoaders (a fresh set per HTTP request or per subscription
 * event, so nothing cached leaks between callers).
 */
import type { Logger } from 'pino';
import type { ProviderRegistry } from './datasources/registry.js';
import type { SnapshotService } from './operations/snapshot-service.js';
import { createLoaders, type Loaders } from './resolvers/loaders.js';

export interface GatewayContext {
  /** The caller's tenant; the single `default` tenant until authentication lands. */
  tenant: string;
  requestId: string;
  registry: ProviderRegistry;
  snapshots: SnapshotService;
  loaders: Loaders;
  logger: Logger;
}

/** What every context is made from; created once at start-up. */
export interface ContextDeps {
  registry: ProviderRegistry;
  snapshots: SnapshotService;
  logger: Logger;
}

export function createContext(deps: ContextDeps, requestId: string): GatewayContext {
  const { registry, snapshots, logger } = deps;
  return { tenant: 'default', requestId, registry, snapshots, loaders: createLoaders(registry), logger: logger.child({ requestId }) };
}
