/**
 * What each tenant may touch: provider instances and, within them,
 * collection ids (glob patterns with `*`). Anything not granted is treated
 * as if it did not exist, so a tenant learns nothing about others' data.
 */
import { globToRegExp } from '../lib/glob.js';

/**
 * What a tenant id may be: letters, digits, "_" or "-", 1..64 characters.
 * The one rule for configured tenants and for a JWT's tenant claim; it keeps
 * out `"*"`, the internal owner of operations shared by every tenant granted
 * their collection (trainings), and anything else that is not a name.
 */
export const TENANT_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** Whether `value` is a tenant id by {@link TENANT_ID_PATTERN}. */
export const isTenantId = (value: unknown): value is string => typeof value === 'string' && TENANT_ID_PATTERN.test(value);

export interface TenantGrant {
  /** Provider instance names, or "*" for all. */
  providers: string[] | '*';
  /** Collection id patterns (`*` matches any run of characters). @default ["*"] */
  collections: string[];
}

export class TenantGrants {
  private readonly grants = new Map<string, { providers: Set<string> | '*'; collections: RegExp[]; patterns: string[] }>();

  constructor(grants: Record<string, TenantGrant>) {
    for (const [tenant, g] of Object.entries(grants)) {
      this.grants.set(tenant, {
        providers: g.providers === '*' ? '*' : new Set(g.providers),
        collections: g.collections.map(globToRegExp),
        patterns: g.collections,
      });
    }
  }

  canUseProvider(tenant: string, provider: string): boolean {
    const g = this.grants.get(tenant);
    return !!g && (g.providers === '*' || g.providers.has(provider));
  }

  canUseCollection(tenant: string, provider: string, collectionId: string): boolean {
    const g = this.grants.get(tenant);
    return !!g && this.canUseProvider(tenant, provider) && g.collections.some((re) => re.test(collectionId));
  }

  /** The collection patterns granted to a tenant, for error messages. */
  patternsOf(tenant: string): string[] {
    return this.grants.get(tenant)?.patterns ?? [];
  }
}
