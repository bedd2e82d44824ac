import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from './context.js';
import { Collection } from '../schema/collection.type.js';
import type { Connection } from '../schema/connection.types.js';
import { CollectionConnection } from '../schema/connections.js';
import { Provider } from '../schema/provider.type.js';
import { paginate } from './pagination.js';
import type { PageRequest } from '../datasources/provider.js';
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
    // Collections outside the tenant's grant are left out of each page.
    const listGranted = async (page: PageRequest) => {
      const result = await provider.listCollections(page, ctx);
      return { ...result, items: result.items.filter((r) => ctx.grants.canUseCollection(ctx.tenant, provider.name, r.collectionId)) };
    };
    return paginate({ first, after }, ctx.maxPageSize, listGranted, (r) => {
      ctx.loaders.collection.prime({ provider: provider.name, collectionId: r.collectionId }, r);
      return Collection.from(provider.name, r);
    });
  }
}
