/**
 * What each tenant may touch: provider instances and, within them,
 * collection ids (glob patterns with `*`). Anything not granted is treated
 * as if it did not exist, so a tenant learns nothing about others' data.
 */
import { globToRegExp } from '../lib/glob.js';

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
