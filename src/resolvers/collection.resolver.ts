import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from './context.js';
import { CreateCollectionInput, DeleteCollectionInput } from '../schema/collection.inputs.js';
import {
  CreateCollectionMembers,
  CreateCollectionResult,
  CreateCollectionSuccess,
  DeleteCollectionMembers,
  DeleteCollectionResult,
  DeleteCollectionSuccess,
} from '../schema/collection.results.js';
import { Collection } from '../schema/collection.type.js';
import type { Connection } from '../schema/connection.types.js';
import { FaceConnection, UserConnection } from '../schema/connections.js';
import { Face } from '../schema/face.type.js';
import { CollectionRef } from '../schema/inputs.js';
import { Provider } from '../schema/provider.type.js';
import { User } from '../schema/user.type.js';
import { checkString } from '../domain/validation.js';
import { invalidInput, isDomainError } from '../domain/errors.js';
import { paginate } from './pagination.js';
import { requireProvider, resolveRef } from './providers.js';
import type { FaceProvider, PageRequest } from '../datasources/provider.js';
import { resultOf } from './result.js';
import { selects } from './selection.js';

const USER_FACES = ['edges', 'node', 'faces'] as const;
const USER_FACE_COUNT = ['edges', 'node', 'faceCount'] as const;

@Resolver(() => Collection)
export class CollectionResolver {
  @Query(() => Collection, { nullable: true, description: 'The collection, or null when it does not exist.' })
  async collection(@Arg('ref', () => CollectionRef) ref: CollectionRef, @Ctx() ctx: GatewayContext): Promise<Collection | null> {
    const { provider, collectionId } = resolveRef(ctx, ref, 'ref');
    return ctx.reusedPages.collection(provider, collectionId, async () => {
      const record = await ctx.loaders.collection.load({ provider: provider.name, collectionId });
      return { value: record ? Collection.from(provider.name, record) : null, reusable: true };
    });
  }

  @FieldResolver(() => Provider)
  provider(@Root() root: Collection, @Ctx() ctx: GatewayContext): Provider {
    return Provider.from(requireProvider(ctx, root.providerName, 'provider'));
  }

  @FieldResolver(() => UserConnection)
  async users(
    @Root() root: Collection,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<User>> {
    const provider = requireProvider(ctx, root.providerName, 'provider');
    const withFaces = selects(info, USER_FACES);
    // Faces answer counts too; counts alone cost a cheaper call.
    const withCounts = !withFaces && selects(info, USER_FACE_COUNT);
    return ctx.reusedPages.users(provider, { collectionId: root.collectionId, first, after, withFaces, withCounts }, async () => {
      const listUsers = async (page: PageRequest) => {
        const result = await provider.listUsers(root.collectionId, page, ctx);
        ctx.loaders.primeUsers(provider.name, result.items);
        return result;
      };
      const connection = await paginate({ first, after }, ctx.maxPageSize, listUsers, (r) => User.from(provider.name, r));
      const users = connection.edges.map((e) => e.node);
      if (users.length === 0 || !(withFaces || withCounts)) return { value: connection, reusable: true, weight: users.length };
      if (withCounts) {
        const counted = await loadPageCounts(ctx, provider, users);
        return { value: connection, reusable: counted, weight: users.length };
      }
      const faces = await loadPageFaces(ctx, provider, users);
      return { value: connection, reusable: faces !== null, weight: users.length + (faces ?? 0) };
    });
  }

  @FieldResolver(() => User, { nullable: true })
  async user(@Root() root: Collection, @Arg('userId') userId: string, @Ctx() ctx: GatewayContext): Promise<User | null> {
    checkString('userId', 'userId', userId);
    const record = await ctx.loaders.user.load({ provider: root.providerName, collectionId: root.collectionId, id: userId });
    return record ? User.from(root.providerName, record) : null;
  }

  @FieldResolver(() => FaceConnection, { description: 'unassociated: true lists faces that belong to no user.' })
  faces(
    @Root() root: Collection,
    @Arg('first', () => Int, { nullable: true, defaultValue: 100 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('userId', () => String, { nullable: true }) userId: string | null,
    @Arg('unassociated', () => Boolean, { nullable: true }) unassociated: boolean | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<Connection<Face>> {
    if (userId != null) checkString('userId', 'userId', userId);
    if (userId != null && unassociated) throw invalidInput('unassociated', 'not true together with userId', 'both');
    const provider = requireProvider(ctx, root.providerName, 'provider');
    const filter = { userId: userId ?? undefined, unassociated: unassociated ?? undefined };
    return paginate(
      { first, after },
      ctx.maxPageSize,
      (page) => provider.listFaces(root.collectionId, filter, page, ctx),
      (r) => {
        ctx.loaders.face.prime({ provider: provider.name, collectionId: r.collectionId, id: r.faceId }, r);
        return Face.from(provider.name, r);
      },
    );
  }

  @FieldResolver(() => Face, { nullable: true })
  async face(@Root() root: Collection, @Arg('faceId') faceId: string, @Ctx() ctx: GatewayContext): Promise<Face | null> {
    checkString('faceId', 'faceId', faceId);
    const record = await ctx.loaders.face.load({ provider: root.providerName, collectionId: root.collectionId, id: faceId });
    return record ? Face.from(root.providerName, record) : null;
  }

  @Mutation(() => CreateCollectionResult)
  createCollection(@Arg('input') input: CreateCollectionInput, @Ctx() ctx: GatewayContext): Promise<typeof CreateCollectionResult> {
    return resultOf(CreateCollectionMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      const record = await provider.createCollection(collectionId, ctx);
      ctx.loaders.collection.clear({ provider: provider.name, collectionId });
      return Object.assign(new CreateCollectionSuccess(), { collection: Collection.from(provider.name, record) });
    });
  }

  @Mutation(() => DeleteCollectionResult)
  deleteCollection(@Arg('input') input: DeleteCollectionInput, @Ctx() ctx: GatewayContext): Promise<typeof DeleteCollectionResult> {
    return resultOf(DeleteCollectionMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      // Snapshots go after the collection: a take started meanwhile then fails on the missing collection instead of
      // copying it after the erasure. A collection already gone still has its snapshots erased (an earlier delete
      // without the flag, or a retry after the erasure failed); the answer stays CollectionNotFound.
      const erase = () =>
        input.deleteSnapshots ? ctx.snapshots.eraseSnapshotsOf(ctx.tenant, { provider: provider.name, collectionId }) : null;
      try {
        await provider.deleteCollection(collectionId, ctx);
      } catch (e) {
        if (isDomainError(e) && e.code === 'COLLECTION_NOT_FOUND') await erase();
        throw e;
      } finally {
        clearLoaders(ctx);
      }
      await erase();
      return Object.assign(new DeleteCollectionSuccess(), { collectionId });
    });
  }
}

/**
 * The faces of a page's users in one provider call (what DataLoader would
 * batch from each User.faces), kept by user in `ctx.userFaces` for
 * User.faces; a failed call is kept as each user's error, as DataLoader
 * would answer it. How many faces came, or null when the call failed.
 */
async function loadPageFaces(ctx: GatewayContext, provider: FaceProvider, users: readonly User[]): Promise<number | null> {
  try {
    const faces = await provider.listUserFaces(
      users[0].collectionId,
      users.map((u) => u.userId),
      ctx,
    );
    users.forEach((user, i) => ctx.userFaces.keep(user, faces[i]));
    return faces.reduce((n, f) => n + f.length, 0);
  } catch (e) {
    for (const user of users) ctx.userFaces.keep(user, e instanceof Error ? e : new Error(String(e)));
    return null;
  }
}

/**
 * The face counts of a page's users in one provider call (what DataLoader
 * would batch from each User.faceCount), kept by user in `ctx.userFaces`
 * for User.faceCount; a failed call is kept as each user's error. False when
 * the call failed.
 */
async function loadPageCounts(ctx: GatewayContext, provider: FaceProvider, users: readonly User[]): Promise<boolean> {
  try {
    const counts = await provider.countUserFaces(
      users[0].collectionId,
      users.map((u) => u.userId),
      ctx,
    );
    users.forEach((user, i) => ctx.userFaces.keepCount(user, counts[i]));
    return true;
  } catch (e) {
    for (const user of users) ctx.userFaces.keepCount(user, e instanceof Error ? e : new Error(String(e)));
    return false;
  }
}

/** After a write, this request's cached reads may be stale; drop them all. */
export function clearLoaders(ctx: GatewayContext): void {
  ctx.loaders.clearAll();
}
