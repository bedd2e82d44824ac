/**
 * What every resolver gets: the caller, the provider registry and this
 * request's DataLoaders (a fresh set per HTTP request or per subscription
 * event, so nothing cached leaks between callers).
 */
import type { Logger } from 'pino';
import type { ProviderRegistry } from './datasources/registry.js';
import { createLoaders, type Loaders } from './resolvers/loaders.js';

export interface GatewayContext {
  /** The caller's tenant; the single `default` tenant until authentication lands. */
  tenant: string;
  requestId: string;
  registry: ProviderRegistry;
  loaders: Loaders;
  logger: Logger;
}

export function createContext(registry: ProviderRegistry, logger: Logger, requestId: string): GatewayContext {
  return { tenant: 'default', requestId, registry, loaders: createLoaders(registry), logger: logger.child({ requestId }) };
}
