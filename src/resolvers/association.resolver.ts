import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import type { FaceProvider } from '../datasources/provider.js';
import { DomainError } from '../errors.js';
import { AssociateFacesInput, DisassociateFacesInput } from '../schema/association.inputs.js';
import {
  AssociateFacesMembers, AssociateFacesResult, AssociateFacesSuccess, DisassociateFacesMembers, DisassociateFacesResult,
  DisassociateFacesSuccess,
} from '../schema/association.results.js';
import { Face } from '../schema/face.type.js';
import { User } from '../schema/user.type.js';
import { checkFaceIds, checkNumber, checkOptionalString, checkString } from '../validation.js';
import { clearLoaders } from './collection.resolver.js';
import { resolveRef } from './providers.js';
import { resultOf } from './result.js';

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

/** Re-reads the user and the touched faces after the write, for the success payload. */
async function loadPayload(ctx: GatewayContext, provider: FaceProvider, collectionId: string, userId: string, faceIds: string[]) {
  clearLoaders(ctx);
  const [user, ...faces] = await Promise.all([
    ctx.loaders.user.load({ provider: provider.name, collectionId, id: userId }),
    ...faceIds.map((id) => ctx.loaders.face.load({ provider: provider.name, collectionId, id })),
  ]);
  if (!user) throw new DomainError('USER_NOT_FOUND', `user ${userId} was deleted while the call ran`, { userId });
  const found = faces.filter((f) => f !== null);
  return { user: User.from(provider.name, user), faces: found.map((f) => Face.from(provider.name, f)) };
}

@Resolver()
export class AssociationResolver {
  @Mutation(() => AssociateFacesResult)
  associateFaces(@Arg('input') input: AssociateFacesInput, @Ctx() ctx: GatewayContext): Promise<typeof AssociateFacesResult> {
    return resultOf(AssociateFacesMembers, async () => {
      const { provider, ...call } = userFacesInput(ctx, input);
      const userMatchThreshold = checkNumber('input.userMatchThreshold', input.userMatchThreshold ?? 75, 0, 100);
      const outcome = await provider.associateFaces({ ...call, userMatchThreshold });
      const payload = await loadPayload(ctx, provider, call.collectionId, call.userId, outcome.associatedFaceIds);
      return Object.assign(new AssociateFacesSuccess(), {
        associatedFaces: payload.faces,
        unsuccessfulFaceAssociations: outcome.unsuccessfulFaceAssociations,
        userStatus: outcome.userStatus,
        user: payload.user,
      });
    });
  }

  @Mutation(() => DisassociateFacesResult)
  disassociateFaces(@Arg('input') input: DisassociateFacesInput, @Ctx() ctx: GatewayContext): Promise<typeof DisassociateFacesResult> {
    return resultOf(DisassociateFacesMembers, async () => {
      const { provider, ...call } = userFacesInput(ctx, input);
      const outcome = await provider.disassociateFaces(call);
      const payload = await loadPayload(ctx, provider, call.collectionId, call.userId, outcome.disassociatedFaceIds);
      return Object.assign(new DisassociateFacesSuccess(), {
        disassociatedFaces: payload.faces,
        unsuccessfulFaceDisassociations: outcome.unsuccessfulFaceDisassociations,
        userStatus: outcome.userStatus,
        user: payload.user,
      });
    });
  }
}
