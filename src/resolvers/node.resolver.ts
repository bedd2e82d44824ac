import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from './context.js';
import { DomainError } from '../domain/errors.js';
import { Collection } from '../schema/collection.type.js';
import { Face } from '../schema/face.type.js';
import { fromGlobalId } from '../domain/global-id.js';
import { Node } from '../schema/node.interface.js';
import { Operation } from '../schema/operation.type.js';
import { Provider } from '../schema/provider.type.js';
import { Snapshot } from '../schema/snapshot.type.js';
import { User } from '../schema/user.type.js';

/** A collection that must exist (the parent of a user or face being resolved). */
export async function loadCollection(ctx: GatewayContext, provider: string, collectionId: string): Promise<Collection> {
  const record = await ctx.loaders.collection.load({ provider, collectionId });
  if (!record)
    throw new DomainError('COLLECTION_NOT_FOUND', `collection ${collectionId} on ${provider} no longer exists`, { collectionId });
  return Collection.from(provider, record);
}

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when it does not exist.' })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Node | null> {
    const ref = fromGlobalId(id);
    if (!ref) return null;
    if (ref.type === 'Snapshot') {
      const s = await ctx.snapshots.getSnapshot(ctx.tenant, ref.parts[0]);
      return s ? Snapshot.from(s) : null;
    }
    if (ref.type === 'Operation') {
      const op = await ctx.snapshots.getOperation(ctx.tenant, ref.parts[0]);
      return op ? Operation.from(op) : null;
    }
    const [providerName, collectionId, item] = ref.parts;
    const provider = ctx.registry.get(providerName);
    if (!provider || !ctx.grants.canUseProvider(ctx.tenant, providerName)) return null;
    if (ref.type !== 'Provider' && !ctx.grants.canUseCollection(ctx.tenant, providerName, collectionId)) return null;
    switch (ref.type) {
      case 'Provider':
        return Provider.from(provider);
      case 'Collection': {
        const r = await ctx.loaders.collection.load({ provider: providerName, collectionId });
        return r ? Collection.from(providerName, r) : null;
      }
      case 'User': {
        const r = await ctx.loaders.user.load({ provider: providerName, collectionId, id: item });
        return r ? User.from(providerName, r) : null;
      }
      case 'Face': {
        const r = await ctx.loaders.face.load({ provider: providerName, collectionId, id: item });
        return r ? Face.from(providerName, r) : null;
      }
      default:
        return null;
    }
  }
}
