import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from './context.js';
import {
  SearchUsersByImageInput,
  SearchUsersByImageMembers,
  SearchUsersByImageResult,
  SearchUsersByImageSuccess,
} from '../schema/search.types.js';
import { FaceDetail } from '../schema/face-detail.type.js';
import { User } from '../schema/user.type.js';
import { checkNumber } from '../domain/validation.js';
import { resolveRef } from './providers.js';
import { resultOf } from './result.js';

@Resolver()
export class SearchResolver {
  @Query(() => SearchUsersByImageResult, {
    description: "Largest face in the image against the collection's users; similarity 0..100, default threshold 80.",
  })
  searchUsersByImage(@Arg('input') input: SearchUsersByImageInput, @Ctx() ctx: GatewayContext): Promise<typeof SearchUsersByImageResult> {
    return resultOf(SearchUsersByImageMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      const userMatchThreshold = checkNumber('input.userMatchThreshold', input.userMatchThreshold ?? 80, 0, 100);
      const maxUsers = checkNumber('input.maxUsers', input.maxUsers ?? 10, 1, 500, true);
      const qualityFilter = input.qualityFilter ?? 'NONE';
      const image = await ctx.images.resolve('input.image', input.image, ctx);
      const outcome = await provider.searchUsersByImage({ collectionId, image, userMatchThreshold, maxUsers, qualityFilter }, ctx);
      return Object.assign(new SearchUsersByImageSuccess(), {
        userMatches: outcome.userMatches.map((m) => ({ similarity: m.similarity, user: User.from(provider.name, m.user) })),
        searchedFace: outcome.searchedFace,
        unsearchedFaces: outcome.unsearchedFaces.map(FaceDetail.from),
      });
    });
  }
}
