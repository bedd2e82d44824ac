import type { FaceProvider } from '../datasources/provider.js';
import { invalidInput } from '../domain/errors.js';
import type { GatewayContext } from './context.js';
import { grantedProvidersOf } from '../caches/granted-providers.js';
import { checkString } from '../domain/validation.js';
import type { CollectionRef } from '../schema/inputs.js';

/** Provider instances the caller's tenant may use, in configuration order. */
export function grantedProviders(ctx: GatewayContext): readonly FaceProvider[] {
  return grantedProvidersOf(ctx.registry, ctx.grants, ctx.tenant);
}

/**
 * The provider instance named in an input, or INVALID_INPUT naming the ones
 * the caller may use (a provider not granted is reported like an unknown one).
 */
export function requireProvider(ctx: GatewayContext, name: string, field: string): FaceProvider {
  const provider = ctx.grants.canUseProvider(ctx.tenant, name) ? ctx.registry.get(name) : undefined;
  if (!provider) {
    const names = grantedProviders(ctx)
      .map((p) => p.name)
      .join(', ');
    throw invalidInput(field, `a configured provider (${names})`, JSON.stringify(name.slice(0, 64)));
  }
  return provider;
}

/** Validates a CollectionRef at `field` (pattern, and the tenant's grant) and returns its provider and collection id. */
export function resolveRef(ctx: GatewayContext, ref: CollectionRef, field: string): { provider: FaceProvider; collectionId: string } {
  const provider = requireProvider(ctx, ref.provider, `${field}.provider`);
  const collectionId = checkString('collectionId', `${field}.collectionId`, ref.collectionId);
  if (!ctx.grants.canUseCollection(ctx.tenant, provider.name, collectionId)) {
    const patterns = ctx.grants.patternsOf(ctx.tenant).join(', ');
    throw invalidInput(`${field}.collectionId`, `a collection id your tenant may use (${patterns})`, JSON.stringify(collectionId));
  }
  return { provider, collectionId };
}
