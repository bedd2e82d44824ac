import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import { Collection } from '../schema/collection.type.js';
import type { Connection } from '../schema/connection.types.js';
import { CollectionConnection } from '../schema/connections.js';
import { Provider } from '../schema/provider.type.js';
import { paginate } from './pagination.js';
import { requireProvider } from './providers.js';

@Resolver(() => Provider)
export class ProviderResolver {
  @Query(() => [Provider])
  providers(@Ctx() ctx: GatewayContext): Provider[] {
    return ctx.registry.list().map((p) => Provider.from(p));
  }

  @Query(() => Provider, { nullable: true })
  provider(@Arg('name') name: string, @Ctx() ctx: GatewayContext): Provider | null {
    const p = ctx.registry.get(name);
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
    return paginate({ first, after }, (page) => provider.listCollections(page), (r) => {
      ctx.loaders.collection.prime({ provider: provider.name, collectionId: r.collectionId }, r);
      return Collection.from(provider.name, r);
    });
  }
}
