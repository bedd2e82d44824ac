import { Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from './context.js';
import type { FaceRecord } from '../domain/records.js';
import { Collection } from '../schema/collection.type.js';
import type { Connection } from '../schema/connection.types.js';
import { FaceConnection } from '../schema/connections.js';
import { Face } from '../schema/face.type.js';
import { CreateUserInput, DeleteUserInput } from '../schema/user.inputs.js';
import {
  CreateUserMembers,
  CreateUserResult,
  CreateUserSuccess,
  DeleteUserMembers,
  DeleteUserResult,
  DeleteUserSuccess,
} from '../schema/user.results.js';
import { User } from '../schema/user.type.js';
import { checkOptionalString, checkString } from '../domain/validation.js';
import { clearLoaders } from './collection.resolver.js';
import { loadCollection } from './node.resolver.js';
import { paginateArray } from './pagination.js';
import { resolveRef } from './providers.js';
import { resultOf } from './result.js';

@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => Collection)
  collection(@Root() root: User, @Ctx() ctx: GatewayContext): Promise<Collection> {
    return loadCollection(ctx, root.providerName, root.collectionId);
  }

  @FieldResolver(() => Int)
  faceCount(@Root() root: User, @Ctx() ctx: GatewayContext): number | Promise<number> {
    // Counted already by the page's list resolver (with its faces, or alone): answered without a promise.
    const counted = ctx.userFaces.count(root);
    if (counted !== undefined) return counted;
    return ctx.loaders.userFaceCount.load({ provider: root.providerName, collectionId: root.collectionId, id: root.userId });
  }

  @FieldResolver(() => FaceConnection)
  faces(
    @Root() root: User,
    @Arg('first', () => Int, { nullable: true, defaultValue: 100 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Connection<Face> | Promise<Connection<Face>> {
    const page = (faces: readonly FaceRecord[]) =>
      paginateArray({ first, after }, ctx.maxPageSize, faces, (r) => Face.from(root.providerName, r));
    // Loaded already by the page's list resolver: answered without a promise.
    const loaded = ctx.userFaces.connection(root, first, after, page);
    if (loaded) return loaded;
    return ctx.loaders.userFaces.load({ provider: root.providerName, collectionId: root.collectionId, id: root.userId }).then(page);
  }

  @Mutation(() => CreateUserResult)
  createUser(@Arg('input') input: CreateUserInput, @Ctx() ctx: GatewayContext): Promise<typeof CreateUserResult> {
    return resultOf(CreateUserMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      const record = await provider.createUser(
        {
          collectionId,
          userId: checkString('userId', 'input.userId', input.userId),
          clientRequestToken: checkOptionalString('clientRequestToken', 'input.clientRequestToken', input.clientRequestToken),
        },
        ctx,
      );
      clearLoaders(ctx);
      return Object.assign(new CreateUserSuccess(), { user: User.from(provider.name, record) });
    });
  }

  @Mutation(() => DeleteUserResult)
  deleteUser(@Arg('input') input: DeleteUserInput, @Ctx() ctx: GatewayContext): Promise<typeof DeleteUserResult> {
    return resultOf(DeleteUserMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      const userId = checkString('userId', 'input.userId', input.userId);
      const clientRequestToken = checkOptionalString('clientRequestToken', 'input.clientRequestToken', input.clientRequestToken);
      // Listed before the user goes: afterwards nothing ties the faces to it.
      // Deleted after it: a face still associated with a user cannot be deleted.
      const faceIds = input.deleteFaces ? ((await provider.listUserFaces(collectionId, [userId], ctx))[0] ?? []).map((f) => f.faceId) : [];
      await provider.deleteUser({ collectionId, userId, clientRequestToken }, ctx);
      const deletedFaceIds = faceIds.length > 0 ? (await provider.deleteFaces(collectionId, faceIds, ctx)).deletedFaceIds : [];
      clearLoaders(ctx);
      return Object.assign(new DeleteUserSuccess(), { userId, deletedFaceIds });
    });
  }
}
