/**
 * AssociateFaces and DisassociateFaces on Rekognition: one call each, with
 * the caller's ClientRequestToken. An unknown user or collection is told
 * apart by the call wrapper (sdk-calls.ts).
 */
import { AssociateFacesCommand, DisassociateFacesCommand } from '@aws-sdk/client-rekognition';
import type {
  AssociateFacesInput,
  AssociateFacesOutcome,
  CallOptions,
  DisassociateFacesInput,
  DisassociateFacesOutcome,
} from '../provider.js';
import { ASSOCIATION_FAILURE_REASONS, DISASSOCIATION_FAILURE_REASONS } from '../../domain/records.js';
import { source, splitReasons } from './reasons.js';
import { status } from './records.js';
import type { RekognitionDeps } from './rekognition-deps.js';

/** AssociateFaces; USER_NOT_FOUND, QUOTA_EXCEEDED (over 100 faces a user), IDEMPOTENCY_CONFLICT. */
export async function associateFaces(
  deps: RekognitionDeps,
  input: AssociateFacesInput,
  call?: CallOptions,
): Promise<AssociateFacesOutcome> {
  const { calls } = deps;
  const { collectionId, userId, clientRequestToken } = input;
  const out = await calls.run(calls.context('AssociateFaces', { collectionId, userId, clientRequestToken, notFound: 'user' }), call, (o) =>
    calls.client.send(
      new AssociateFacesCommand({
        CollectionId: collectionId,
        UserId: userId,
        FaceIds: [...input.faceIds],
        UserMatchThreshold: input.userMatchThreshold,
        ClientRequestToken: clientRequestToken,
      }),
      o,
    ),
  );
  return {
    associatedFaceIds: (out.AssociatedFaces ?? []).flatMap((f) => (f.FaceId ? [f.FaceId] : [])),
    unsuccessfulFaceAssociations: (out.UnsuccessfulFaceAssociations ?? []).map((u) => ({
      faceId: u.FaceId ?? '',
      userId: u.UserId ?? null,
      confidence: u.Confidence ?? null,
      ...splitReasons(ASSOCIATION_FAILURE_REASONS, u.Reasons, source(deps, 'AssociateFaces', u.FaceId)),
    })),
    userStatus: status(out.UserStatus),
  };
}

/** DisassociateFaces; USER_NOT_FOUND, IDEMPOTENCY_CONFLICT. */
export async function disassociateFaces(
  deps: RekognitionDeps,
  input: DisassociateFacesInput,
  call?: CallOptions,
): Promise<DisassociateFacesOutcome> {
  const { calls } = deps;
  const { collectionId, userId, clientRequestToken } = input;
  const out = await calls.run(
    calls.context('DisassociateFaces', { collectionId, userId, clientRequestToken, notFound: 'user' }),
    call,
    (o) =>
      calls.client.send(
        new DisassociateFacesCommand({
          CollectionId: collectionId,
          UserId: userId,
          FaceIds: [...input.faceIds],
          ClientRequestToken: clientRequestToken,
        }),
        o,
      ),
  );
  return {
    disassociatedFaceIds: (out.DisassociatedFaces ?? []).flatMap((f) => (f.FaceId ? [f.FaceId] : [])),
    unsuccessfulFaceDisassociations: (out.UnsuccessfulFaceDisassociations ?? []).map((u) => ({
      faceId: u.FaceId ?? '',
      userId: u.UserId ?? null,
      ...splitReasons(DISASSOCIATION_FAILURE_REASONS, u.Reasons, source(deps, 'DisassociateFaces', u.FaceId)),
    })),
    userStatus: status(out.UserStatus),
  };
}
