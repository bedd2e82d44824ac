import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from './context.js';
import { Collection } from '../schema/collection.type.js';
import type { Connection } from '../schema/connection.types.js';
import { CollectionConnection } from '../schema/connections.js';
import { Provider } from '../schema/provider.type.js';
import { paginateFilled } from './pagination.js';
import { grantedProviders, requireProvider } from './providers.js';

@Resolver(() => Provider)
export class ProviderResolver {
  @Query(() => [Provider])
  providers(@Ctx() ctx: GatewayContext): Provider[] {
    return grantedProviders(ctx).map((p) => Provider.from(p));
  }

  @Query(() => Provider, { nullable: true })
  provider(@Arg('name') name: string, @Ctx() ctx: GatewayContext): Provider | null {
    const p = grantedProviders(ctx).find((g) => g.name === name);
    return p ? Provider.from(p) : null;
  }

  @FieldResolver(() => CollectionConnection)
  collections(
    @Root() root: Provider,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<Connection<Collection>> {
    const provider = requireProvider(ctx, root.name, 'provider');
    // Collections outside the tenant's grant are skipped by the provider (in the store's query for the local one,
    // before any describe call for the cloud ones) and checked again here; pages are read on until this one is full,
    // so no page comes back short while other tenants' collections follow.
    const idPatterns = ctx.grants.patternsOf(ctx.tenant);
    return paginateFilled(
      { first, after },
      ctx.maxPageSize,
      (page) => provider.listCollections({ ...page, idPatterns }, ctx),
      (r) => ctx.grants.canUseCollection(ctx.tenant, provider.name, r.collectionId),
      (r) => {
        ctx.loaders.collection.prime({ provider: provider.name, collectionId: r.collectionId }, r);
        return Collection.from(provider.name, r);
      },
    );
  }
}
