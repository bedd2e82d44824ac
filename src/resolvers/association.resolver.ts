import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from './context.js';
import type { FaceProvider } from '../datasources/provider.js';
import type { UserStatus } from '../domain/records.js';
import { DomainError } from '../domain/errors.js';
import { AssociateFacesInput, DisassociateFacesInput } from '../schema/association.inputs.js';
import {
  AssociateFacesMembers,
  AssociateFacesResult,
  AssociateFacesSuccess,
  DisassociateFacesMembers,
  DisassociateFacesResult,
  DisassociateFacesSuccess,
} from '../schema/association.results.js';
import { Face } from '../schema/face.type.js';
import { User } from '../schema/user.type.js';
import { checkFaceIds, checkNumber, checkOptionalString, checkString } from '../domain/validation.js';
import { clearLoaders } from './collection.resolver.js';
import { resolveRef } from './providers.js';
import { resultOf } from './result.js';
import { withProviderReasons } from './provider-reasons.js';

/** Validated fields common to associate and disassociate. */
function userFacesInput(ctx: GatewayContext, input: DisassociateFacesInput) {
  const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
  return {
    provider,
    collectionId,
    userId: checkString('userId', 'input.userId', input.userId),
    faceIds: checkFaceIds('input.faceIds', input.faceIds, 1, 100),
    clientRequestToken: checkOptionalString('clientRequestToken', 'input.clientRequestToken', input.clientRequestToken),
  };
}

/**
 * The user and the touched faces for the success payload, re-read after the
 * write. The write has happened, so a failing re-read must not turn the
 * answer into a failure: the payload then carries what the write itself
 * told us (ids, owner, status) and leaves the rest of each face empty.
 */
async function loadPayload(
  ctx: GatewayContext,
  provider: FaceProvider,
  written: { collectionId: string; userId: string; faceIds: string[]; owner: string | null; userStatus: UserStatus },
) {
  const { collectionId, userId, faceIds } = written;
  clearLoaders(ctx);
  try {
    const [user, ...faces] = await Promise.all([
      ctx.loaders.user.load({ provider: provider.name, collectionId, id: userId }),
      ...faceIds.map((id) => ctx.loaders.face.load({ provider: provider.name, collectionId, id })),
    ]);
    if (!user) throw new DomainError('USER_NOT_FOUND', `user ${userId} was deleted while the call ran`, { userId });
    const found = faces.filter((f) => f !== null);
    return { user: User.from(provider.name, user), faces: found.map((f) => Face.from(provider.name, f)) };
  } catch (e) {
    ctx.logger.warn({ err: e, collectionId, userId }, 'write succeeded but re-reading its result failed; answering from the write');
    clearLoaders(ctx);
    return {
      user: User.from(provider.name, { collectionId, userId, status: written.userStatus }),
      faces: faceIds.map((faceId) =>
        Face.from(provider.name, {
          collectionId,
          faceId,
          userId: written.owner,
          externalImageId: null,
          boundingBox: null,
          confidence: null,
          indexedAt: null,
        }),
      ),
    };
  }
}

@Resolver()
export class AssociationResolver {
  @Mutation(() => AssociateFacesResult)
  associateFaces(@Arg('input') input: AssociateFacesInput, @Ctx() ctx: GatewayContext): Promise<typeof AssociateFacesResult> {
    return resultOf(AssociateFacesMembers, async () => {
      const { provider, ...call } = userFacesInput(ctx, input);
      const userMatchThreshold = checkNumber('input.userMatchThreshold', input.userMatchThreshold ?? 75, 0, 100);
      const outcome = await provider.associateFaces({ ...call, userMatchThreshold }, ctx);
      const payload = await loadPayload(ctx, provider, {
        ...call,
        faceIds: outcome.associatedFaceIds,
        owner: call.userId,
        userStatus: outcome.userStatus,
      });
      return Object.assign(new AssociateFacesSuccess(), {
        associatedFaces: payload.faces,
        unsuccessfulFaceAssociations: withProviderReasons(outcome.unsuccessfulFaceAssociations),
        userStatus: outcome.userStatus,
        user: payload.user,
      });
    });
  }

  @Mutation(() => DisassociateFacesResult)
  disassociateFaces(@Arg('input') input: DisassociateFacesInput, @Ctx() ctx: GatewayContext): Promise<typeof DisassociateFacesResult> {
    return resultOf(DisassociateFacesMembers, async () => {
      const { provider, ...call } = userFacesInput(ctx, input);
      const outcome = await provider.disassociateFaces(call, ctx);
      const payload = await loadPayload(ctx, provider, {
        ...call,
        faceIds: outcome.disassociatedFaceIds,
        owner: null,
        userStatus: outcome.userStatus,
      });
      return Object.assign(new DisassociateFacesSuccess(), {
        disassociatedFaces: payload.faces,
        unsuccessfulFaceDisassociations: withProviderReasons(outcome.unsuccessfulFaceDisassociations),
        userStatus: outcome.userStatus,
        user: payload.user,
      });
    });
  }
}
