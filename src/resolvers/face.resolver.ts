import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from './context.js';
import { Collection } from '../schema/collection.type.js';
import { DeleteFacesInput, IndexFacesInput } from '../schema/face.inputs.js';
import {
  DeleteFacesMembers,
  DeleteFacesResult,
  DeleteFacesSuccess,
  IndexFacesMembers,
  IndexFacesResult,
  IndexFacesSuccess,
} from '../schema/face.results.js';
import { FaceDetail } from '../schema/face-detail.type.js';
import { Face } from '../schema/face.type.js';
import { User } from '../schema/user.type.js';
import { checkFaceIds, checkNumber, checkOptionalString } from '../domain/validation.js';
import { clearLoaders } from './collection.resolver.js';
import { requestedAttributes } from './face-options.js';
import { loadCollection } from './node.resolver.js';
import { resolveRef } from './providers.js';
import { resultOf } from './result.js';
import { withProviderReasons } from './provider-reasons.js';

@Resolver(() => Face)
export class FaceResolver {
  @FieldResolver(() => Collection)
  collection(@Root() root: Face, @Ctx() ctx: GatewayContext): Promise<Collection> {
    return loadCollection(ctx, root.providerName, root.collectionId);
  }

  @FieldResolver(() => User, { nullable: true })
  async user(@Root() root: Face, @Ctx() ctx: GatewayContext): Promise<User | null> {
    if (!root.userId) return null;
    const record = await ctx.loaders.user.load({ provider: root.providerName, collectionId: root.collectionId, id: root.userId });
    return record ? User.from(root.providerName, record) : null;
  }

  @Mutation(() => IndexFacesResult)
  indexFaces(@Arg('input') input: IndexFacesInput, @Ctx() ctx: GatewayContext): Promise<typeof IndexFacesResult> {
    return resultOf(IndexFacesMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      const externalImageId = checkOptionalString('externalImageId', 'input.externalImageId', input.externalImageId);
      const maxFaces = input.maxFaces == null ? undefined : checkNumber('input.maxFaces', input.maxFaces, 1, 100, true);
      const qualityFilter = input.qualityFilter ?? 'AUTO';
      const detectionAttributes = requestedAttributes(provider, input.detectionAttributes);
      const image = await ctx.images.resolve('input.image', input.image, ctx);
      const outcome = await provider.indexFaces(
        { collectionId, image, externalImageId, maxFaces, qualityFilter, detectionAttributes },
        ctx,
      );
      clearLoaders(ctx);
      const faces = outcome.faces.map((f) => Face.from(provider.name, f));
      return Object.assign(new IndexFacesSuccess(), {
        faces,
        // faceDetails is one per face, in order (the provider contract).
        faceRecords: faces.map((face, i) => ({ face, faceDetail: FaceDetail.from(outcome.faceDetails[i]) })),
        unindexedFaces: outcome.unindexedFaces,
        faceModelVersion: outcome.faceModelVersion,
      });
    });
  }

  @Mutation(() => DeleteFacesResult)
  deleteFaces(@Arg('input') input: DeleteFacesInput, @Ctx() ctx: GatewayContext): Promise<typeof DeleteFacesResult> {
    return resultOf(DeleteFacesMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      const faceIds = checkFaceIds('input.faceIds', input.faceIds, 1, 4096);
      const outcome = await provider.deleteFaces(collectionId, faceIds, ctx);
      clearLoaders(ctx);
      return Object.assign(new DeleteFacesSuccess(), {
        ...outcome,
        unsuccessfulFaceDeletions: withProviderReasons(outcome.unsuccessfulFaceDeletions),
      });
    });
  }
}
