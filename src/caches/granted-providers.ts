/**
 * The provider instances each tenant may use, remembered per registry and
 * tenant: registry and grants are fixed at start-up, and `{ providers }`
 * asks on every request (each provider's name is read through its metrics
 * and resilience wrappers). Keyed by registry, so a gateway's entries go
 * with its registry.
 */
import type { FaceProvider } from '../datasources/provider.js';
import type { ProviderRegistry } from '../datasources/registry.js';
import type { TenantGrants } from '../security/grants.js';

const grantedByRegistry = new WeakMap<ProviderRegistry, Map<string, readonly FaceProvider[]>>();

/** Beyond this many tenants (JWT tenants are not listed in the configuration) the memo starts again. */
const MAX_MEMO_TENANTS = 10_000;

/** Provider instances `tenant` may use, in configuration order; one frozen list per registry and tenant. */
export function grantedProvidersOf(registry: ProviderRegistry, grants: TenantGrants, tenant: string): readonly FaceProvider[] {
  let byTenant = grantedByRegistry.get(registry);
  if (!byTenant) grantedByRegistry.set(registry, (byTenant = new Map()));
  let granted = byTenant.get(tenant);
  if (!granted) {
    if (byTenant.size >= MAX_MEMO_TENANTS) byTenant.clear();
    granted = Object.freeze(registry.list().filter((p) => grants.canUseProvider(tenant, p.name)));
    byTenant.set(tenant, granted);
  }
  return granted;
}
