import type { FaceProvider } from '../datasources/provider.js';
import { invalidInput } from '../errors.js';
import type { GatewayContext } from '../context.js';
import { checkString } from '../validation.js';
import type { CollectionRef } from '../schema/inputs.js';

/** The provider instance named in an input, or INVALID_INPUT naming the configured ones. */
export function requireProvider(ctx: GatewayContext, name: string, field: string): FaceProvider {
  const provider = ctx.registry.get(name);
  if (!provider) {
    const names = ctx.registry.list().map((p) => p.name).join(', ');
    throw invalidInput(field, `a configured provider (${names})`, JSON.stringify(name.slice(0, 64)));
  }
  return provider;
}

/** Validates a CollectionRef at `field` and returns its provider and collection id. */
export function resolveRef(ctx: GatewayContext, ref: CollectionRef, field: string): { provider: FaceProvider; collectionId: string } {
  const provider = requireProvider(ctx, ref.provider, `${field}.provider`);
  return { provider, collectionId: checkString('collectionId', `${field}.collectionId`, ref.collectionId) };
}
