/**
 * The searches and checks against a collection's enrolled faces:
 * verifyUser, searchFaces, searchFacesByImage, searchUsers and
 * identifyFaces. Ranges are Rekognition's (MaxFaces 1..4096, MaxUsers
 * 1..500, thresholds 0..100) and, for identify, Azure's (1..100 faces,
 * 1..100 candidates a face).
 */
import { Arg, Ctx, Extensions, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from './context.js';
import { invalidInput } from '../domain/errors.js';
import { checkNumber, checkString } from '../domain/validation.js';
import { FaceDetail } from '../schema/face-detail.type.js';
import { Face } from '../schema/face.type.js';
import { IdentifyFacesInput } from '../schema/identify-faces.inputs.js';
import { IdentifyFacesMembers, IdentifyFacesResult, IdentifyFacesSuccess } from '../schema/identify-faces.results.js';
import { SearchFacesByImageInput, SearchFacesInput } from '../schema/search-faces.inputs.js';
import {
  SearchFacesByImageMembers,
  SearchFacesByImageResult,
  SearchFacesByImageSuccess,
  SearchFacesMembers,
  SearchFacesResult,
  SearchFacesSuccess,
} from '../schema/search-faces.results.js';
import { SearchUsersInput } from '../schema/search-users.inputs.js';
import { SearchUsersMembers, SearchUsersResult, SearchUsersSuccess } from '../schema/search-users.results.js';
import { User } from '../schema/user.type.js';
import { VerifyUserInput } from '../schema/verify-user.inputs.js';
import { VerifyUserMembers, VerifyUserResult, VerifyUserSuccess } from '../schema/verify-user.results.js';
import type { FaceMatchRecord, FaceProvider } from '../datasources/provider.js';
import type { UserRecord } from '../domain/records.js';
import { PROVIDER_CALLS, type ProviderCalls } from '../security/query-limits.js';
import { requireCapability } from './face-options.js';
import { resolveRef } from './providers.js';
import { resultOf } from './result.js';

const faceMatches = (provider: FaceProvider, matches: readonly FaceMatchRecord[]) =>
  matches.map((m) => ({ similarity: m.similarity, face: Face.from(provider.name, m.face) }));

const userMatches = (provider: FaceProvider, matches: readonly { similarity: number; user: UserRecord }[]) =>
  matches.map((m) => ({ similarity: m.similarity, user: User.from(provider.name, m.user) }));

const threshold = (field: string, value: number | null | undefined) => checkNumber(field, value ?? 80, 0, 100);

/** verifyUser, searchFaces, searchFacesByImage, searchUsers and identifyFaces. */
@Resolver()
export class FaceSearchResolver {
  @Query(() => VerifyUserResult, { description: 'Is the largest face of the image this enrolled user? Similarity 0..100.' })
  verifyUser(@Arg('input') input: VerifyUserInput, @Ctx() ctx: GatewayContext): Promise<typeof VerifyUserResult> {
    return resultOf(VerifyUserMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      requireCapability(provider, 'VERIFY_USER');
      const userId = checkString('userId', 'input.userId', input.userId);
      const userMatchThreshold = threshold('input.userMatchThreshold', input.userMatchThreshold);
      const image = await ctx.images.resolve('input.image', input.image, ctx);
      const outcome = await provider.verifyUser({ collectionId, userId, image, userMatchThreshold }, ctx);
      return Object.assign(new VerifyUserSuccess(), {
        isMatch: outcome.isMatch,
        similarity: outcome.similarity,
        searchedFace: FaceDetail.from(outcome.searchedFace),
        user: User.from(provider.name, outcome.user),
      });
    });
  }

  @Extensions({ [PROVIDER_CALLS]: 1 satisfies ProviderCalls })
  @Query(() => SearchFacesResult, { description: 'Faces of the collection like an indexed face (Rekognition SearchFaces).' })
  searchFaces(@Arg('input') input: SearchFacesInput, @Ctx() ctx: GatewayContext): Promise<typeof SearchFacesResult> {
    return resultOf(SearchFacesMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      requireCapability(provider, 'SEARCH_FACES');
      const faceId = checkString('faceId', 'input.faceId', input.faceId);
      const maxFaces = checkNumber('input.maxFaces', input.maxFaces ?? 100, 1, 4096, true);
      const faceMatchThreshold = threshold('input.faceMatchThreshold', input.faceMatchThreshold);
      const outcome = await provider.searchFaces({ collectionId, faceId, maxFaces, faceMatchThreshold }, ctx);
      return Object.assign(new SearchFacesSuccess(), {
        searchedFaceId: outcome.searchedFaceId,
        faceMatches: faceMatches(provider, outcome.faceMatches),
      });
    });
  }

  @Query(() => SearchFacesByImageResult, {
    description: 'Faces of the collection like the largest face of an image (Rekognition SearchFacesByImage).',
  })
  searchFacesByImage(@Arg('input') input: SearchFacesByImageInput, @Ctx() ctx: GatewayContext): Promise<typeof SearchFacesByImageResult> {
    return resultOf(SearchFacesByImageMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      requireCapability(provider, 'SEARCH_FACES_BY_IMAGE');
      const maxFaces = checkNumber('input.maxFaces', input.maxFaces ?? 100, 1, 4096, true);
      const faceMatchThreshold = threshold('input.faceMatchThreshold', input.faceMatchThreshold);
      const qualityFilter = input.qualityFilter ?? 'NONE';
      const image = await ctx.images.resolve('input.image', input.image, ctx);
      const outcome = await provider.searchFacesByImage({ collectionId, image, maxFaces, faceMatchThreshold, qualityFilter }, ctx);
      return Object.assign(new SearchFacesByImageSuccess(), {
        searchedFace: FaceDetail.from(outcome.searchedFace),
        faceMatches: faceMatches(provider, outcome.faceMatches),
      });
    });
  }

  @Extensions({ [PROVIDER_CALLS]: 1 satisfies ProviderCalls })
  @Query(() => SearchUsersResult, {
    description: 'Users like a user or like an indexed face (Rekognition SearchUsers): exactly one of userId, faceId.',
  })
  searchUsers(@Arg('input') input: SearchUsersInput, @Ctx() ctx: GatewayContext): Promise<typeof SearchUsersResult> {
    return resultOf(SearchUsersMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      requireCapability(provider, 'SEARCH_USERS');
      if ((input.userId == null) === (input.faceId == null)) {
        throw invalidInput('input.userId', 'exactly one of userId and faceId', input.userId == null ? 'neither' : 'both');
      }
      const userId = input.userId == null ? undefined : checkString('userId', 'input.userId', input.userId);
      const faceId = input.faceId == null ? undefined : checkString('faceId', 'input.faceId', input.faceId);
      const maxUsers = checkNumber('input.maxUsers', input.maxUsers ?? 10, 1, 500, true);
      const userMatchThreshold = threshold('input.userMatchThreshold', input.userMatchThreshold);
      const outcome = await provider.searchUsers({ collectionId, userId, faceId, maxUsers, userMatchThreshold }, ctx);
      return Object.assign(new SearchUsersSuccess(), {
        searchedUserId: outcome.searchedUserId,
        searchedFaceId: outcome.searchedFaceId,
        userMatches: userMatches(provider, outcome.userMatches),
      });
    });
  }

  // One search per face (on Rekognition, a billed call each), besides the image's detection.
  @Extensions({ [PROVIDER_CALLS]: { perInputField: 'maxFaces', default: 10, max: 100 } satisfies ProviderCalls })
  @Query(() => IdentifyFacesResult, {
    description: 'Every face of the image (largest first, up to maxFaces) with its candidate users (Azure Identify).',
  })
  identifyFaces(@Arg('input') input: IdentifyFacesInput, @Ctx() ctx: GatewayContext): Promise<typeof IdentifyFacesResult> {
    return resultOf(IdentifyFacesMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      requireCapability(provider, 'IDENTIFY_FACES');
      const maxFaces = checkNumber('input.maxFaces', input.maxFaces ?? 10, 1, 100, true);
      const maxUsersPerFace = checkNumber('input.maxUsersPerFace', input.maxUsersPerFace ?? 1, 1, 100, true);
      const userMatchThreshold = threshold('input.userMatchThreshold', input.userMatchThreshold);
      const qualityFilter = input.qualityFilter ?? 'NONE';
      const image = await ctx.images.resolve('input.image', input.image, ctx);
      const outcome = await provider.identifyFaces(
        { collectionId, image, maxFaces, maxUsersPerFace, userMatchThreshold, qualityFilter },
        ctx,
      );
      return Object.assign(new IdentifyFacesSuccess(), {
        faces: outcome.faces.map((f) => ({ face: FaceDetail.from(f.face), userMatches: userMatches(provider, f.userMatches) })),
        unsearchedFaces: outcome.unsearchedFaces.map(FaceDetail.from),
      });
    });
  }
}
