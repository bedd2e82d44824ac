/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type AssociateFacesInput = {
  clientRequestToken?: string | null | undefined;
  collection: CollectionRef;
  faceIds: Array<string>;
  userId: string;
  userMatchThreshold?: number | null | undefined;
};

export type AssociationFailureReason =
  | 'ASSOCIATED_TO_A_DIFFERENT_USER'
  | 'FACE_NOT_FOUND'
  | 'LOW_MATCH_CONFIDENCE';

export type CollectionRef = {
  collectionId: string;
  provider: string;
};

export type DeleteFacesInput = {
  collection: CollectionRef;
  /** 1..4096 face ids. */
  faceIds: Array<string>;
};

/**
 * Removes the association between faces and a user (Rekognition semantics).
 * faceIds: 1..100. Unknown user → UserNotFound. A face already not associated
 * with this user is ignored and not returned. A face associated with another
 * user, or not in the collection, is returned in unsuccessfulFaceDisassociations.
 * The same clientRequestToken with the same input returns the same response;
 * with different input, IdempotencyConflict.
 */
export type DisassociateFacesInput = {
  clientRequestToken?: string | null | undefined;
  collection: CollectionRef;
  faceIds: Array<string>;
  userId: string;
};

export type DisassociationFailureReason =
  | 'ASSOCIATED_TO_A_DIFFERENT_USER'
  | 'FACE_NOT_FOUND'
  /** The face exists only inside the provider's user (an Azure person face added by another tool, in no face list): disassociating it would delete it, so it stays associated. */
  | 'FACE_ONLY_IN_USER';

export type ErrorCode =
  | 'COLLECTION_ALREADY_EXISTS'
  | 'COLLECTION_NOT_FOUND'
  | 'FORBIDDEN'
  | 'IDEMPOTENCY_CONFLICT'
  | 'INVALID_IMAGE'
  | 'INVALID_INPUT'
  | 'NO_FACE_DETECTED'
  | 'OPERATION_NOT_FOUND'
  | 'PROVIDER_UNAVAILABLE'
  | 'QUOTA_EXCEEDED'
  | 'SNAPSHOT_EXPIRED'
  | 'SNAPSHOT_NOT_FOUND'
  | 'THROTTLED'
  | 'UNSUPPORTED_OPERATION'
  | 'USER_ALREADY_EXISTS'
  | 'USER_NOT_FOUND';

/** DEFAULT: boundingBox, confidence, landmarks (5 points), pose, quality (Rekognition's DEFAULT set); ALL: every attribute the provider instance advertises (FACE_ATTRIBUTE_<NAME> capabilities). */
export type FaceAttribute =
  | 'AGE_RANGE'
  | 'ALL'
  | 'BEARD'
  | 'DEFAULT'
  | 'EMOTIONS'
  | 'EYEGLASSES'
  | 'EYES_OPEN'
  | 'FACE_OCCLUDED'
  | 'GENDER'
  /** A passive liveness hint (local engine only): not a certified presentation-attack check. */
  | 'LIVENESS'
  | 'MOUTH_OPEN'
  | 'MUSTACHE'
  | 'SMILE'
  | 'SUNGLASSES';

export type FaceDeletionFailureReason =
  | 'ASSOCIATED_TO_AN_EXISTING_USER'
  | 'FACE_NOT_FOUND';

/** Exactly one of base64 (JPEG or PNG bytes), url or upload. A url must be https, on the configured host allowlist, at most 5 MiB; none is allowed by default. An upload is a file part of a multipart request (GraphQL multipart request spec), at most 5 MiB. */
export type ImageInput = {
  base64?: string | null | undefined;
  upload?: Blob | null | undefined;
  url?: string | null | undefined;
};

export type IndexFacesInput = {
  collection: CollectionRef;
  /** What faceRecords[].faceDetail holds besides the DEFAULT set; each attribute must be advertised by the provider. */
  detectionAttributes?: Array<FaceAttribute> | null | undefined;
  externalImageId?: string | null | undefined;
  image: ImageInput;
  /** Index at most this many faces, largest first (1..100). Default 100. */
  maxFaces?: number | null | undefined;
  /** Faces below the bar are not indexed (unindexed with the provider's reason). AUTO is Rekognition's IndexFaces default. */
  qualityFilter?: QualityFilter | null | undefined;
};

/** Rekognition's QualityFilter: faces below the bar are not used (reported as unindexed/unsearched where the operation has such a list). */
export type QualityFilter =
  | 'AUTO'
  | 'HIGH'
  | 'LOW'
  | 'MEDIUM'
  | 'NONE';

export type SearchUsersByImageInput = {
  collection: CollectionRef;
  image: ImageInput;
  maxUsers?: number | null | undefined;
  /** The largest face is searched only if it passes (NONE: Rekognition's default for this call). */
  qualityFilter?: QualityFilter | null | undefined;
  userMatchThreshold?: number | null | undefined;
};

export type UserStatus =
  | 'ACTIVE'
  | 'CREATED'
  | 'CREATING'
  | 'UPDATING';

export type AssociateFacesMutationVariables = Exact<{
  input: AssociateFacesInput;
}>;


export type AssociateFacesMutation = { associateFaces:
    | { __typename: 'AssociateFacesSuccess', userStatus: UserStatus, associatedFaces: Array<{ faceId: string, user: { userId: string } | null }>, unsuccessfulFaceAssociations: Array<{ faceId: string, userId: string | null, confidence: number | null, reasons: Array<AssociationFailureReason> }>, user: { userId: string, status: UserStatus, faceCount: number } }
    | { __typename: 'CollectionNotFound', collectionId: string, code: ErrorCode, message: string }
    | { __typename: 'Forbidden', code: ErrorCode, message: string }
    | { __typename: 'IdempotencyConflict', clientRequestToken: string, code: ErrorCode, message: string }
    | { __typename: 'InvalidInput', field: string | null, code: ErrorCode, message: string }
    | { __typename: 'ProviderUnavailable', code: ErrorCode, message: string }
    | { __typename: 'QuotaExceeded', code: ErrorCode, message: string }
    | { __typename: 'Throttled', code: ErrorCode, message: string }
    | { __typename: 'UnsupportedOperation', code: ErrorCode, message: string }
    | { __typename: 'UserNotFound', userId: string, code: ErrorCode, message: string }
   };

export type DisassociateFacesMutationVariables = Exact<{
  input: DisassociateFacesInput;
}>;


export type DisassociateFacesMutation = { disassociateFaces:
    | { __typename: 'CollectionNotFound', collectionId: string, code: ErrorCode, message: string }
    | { __typename: 'DisassociateFacesSuccess', userStatus: UserStatus, disassociatedFaces: Array<{ faceId: string, user: { userId: string } | null }>, unsuccessfulFaceDisassociations: Array<{ faceId: string, userId: string | null, reasons: Array<DisassociationFailureReason> }>, user: { userId: string, status: UserStatus, faceCount: number } }
    | { __typename: 'Forbidden', code: ErrorCode, message: string }
    | { __typename: 'IdempotencyConflict', clientRequestToken: string, code: ErrorCode, message: string }
    | { __typename: 'InvalidInput', field: string | null, code: ErrorCode, message: string }
    | { __typename: 'ProviderUnavailable', code: ErrorCode, message: string }
    | { __typename: 'Throttled', code: ErrorCode, message: string }
    | { __typename: 'UnsupportedOperation', code: ErrorCode, message: string }
    | { __typename: 'UserNotFound', userId: string, code: ErrorCode, message: string }
   };

export type IndexFacesMutationVariables = Exact<{
  input: IndexFacesInput;
}>;


export type IndexFacesMutation = { indexFaces:
    | { __typename: 'CollectionNotFound', code: ErrorCode, message: string }
    | { __typename: 'Forbidden', code: ErrorCode, message: string }
    | { __typename: 'IndexFacesSuccess', faceModelVersion: string | null, faces: Array<{ faceId: string, externalImageId: string | null, confidence: number | null, boundingBox: { left: number, top: number, width: number, height: number } | null, user: { userId: string } | null }>, unindexedFaces: Array<{ reasons: Array<string>, boundingBox: { width: number, height: number } }> }
    | { __typename: 'InvalidImage', code: ErrorCode, message: string }
    | { __typename: 'InvalidInput', field: string | null, code: ErrorCode, message: string }
    | { __typename: 'ProviderUnavailable', code: ErrorCode, message: string }
    | { __typename: 'QuotaExceeded', code: ErrorCode, message: string }
    | { __typename: 'Throttled', code: ErrorCode, message: string }
    | { __typename: 'UnsupportedOperation', code: ErrorCode, message: string }
   };

export type DeleteFacesMutationVariables = Exact<{
  input: DeleteFacesInput;
}>;


export type DeleteFacesMutation = { deleteFaces:
    | { __typename: 'CollectionNotFound', code: ErrorCode, message: string }
    | { __typename: 'DeleteFacesSuccess', deletedFaceIds: Array<string>, unsuccessfulFaceDeletions: Array<{ faceId: string, userId: string | null, reasons: Array<FaceDeletionFailureReason> }> }
    | { __typename: 'Forbidden', code: ErrorCode, message: string }
    | { __typename: 'InvalidInput', code: ErrorCode, message: string }
    | { __typename: 'ProviderUnavailable', code: ErrorCode, message: string }
    | { __typename: 'Throttled', code: ErrorCode, message: string }
   };

export type SearchUsersByImageQueryVariables = Exact<{
  input: SearchUsersByImageInput;
}>;


export type SearchUsersByImageQuery = { searchUsersByImage:
    | { __typename: 'CollectionNotFound', code: ErrorCode, message: string }
    | { __typename: 'Forbidden', code: ErrorCode, message: string }
    | { __typename: 'InvalidImage', code: ErrorCode, message: string }
    | { __typename: 'InvalidInput', field: string | null, code: ErrorCode, message: string }
    | { __typename: 'ProviderUnavailable', code: ErrorCode, message: string }
    | { __typename: 'SearchUsersByImageSuccess', userMatches: Array<{ similarity: number, user: { userId: string } }>, searchedFace: { confidence: number, boundingBox: { left: number, top: number, width: number, height: number } } | null }
    | { __typename: 'Throttled', code: ErrorCode, message: string }
    | { __typename: 'UnsupportedOperation', code: ErrorCode, message: string }
   };


export const AssociateFacesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AssociateFaces"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AssociateFacesInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"associateFaces"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AssociateFacesSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"associatedFaces"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"faceId"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"unsuccessfulFaceAssociations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"faceId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"confidence"}},{"kind":"Field","name":{"kind":"Name","value":"reasons"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userStatus"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"faceCount"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CollectionNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"collectionId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"IdempotencyConflict"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clientRequestToken"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<AssociateFacesMutation, AssociateFacesMutationVariables>;
export const DisassociateFacesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DisassociateFaces"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DisassociateFacesInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"disassociateFaces"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DisassociateFacesSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"disassociatedFaces"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"faceId"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"unsuccessfulFaceDisassociations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"faceId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"reasons"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userStatus"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"faceCount"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CollectionNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"collectionId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"IdempotencyConflict"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clientRequestToken"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<DisassociateFacesMutation, DisassociateFacesMutationVariables>;
export const IndexFacesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"IndexFaces"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"IndexFacesInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"indexFaces"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"IndexFacesSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"faces"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"faceId"}},{"kind":"Field","name":{"kind":"Name","value":"externalImageId"}},{"kind":"Field","name":{"kind":"Name","value":"confidence"}},{"kind":"Field","name":{"kind":"Name","value":"boundingBox"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"left"}},{"kind":"Field","name":{"kind":"Name","value":"top"}},{"kind":"Field","name":{"kind":"Name","value":"width"}},{"kind":"Field","name":{"kind":"Name","value":"height"}}]}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"unindexedFaces"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reasons"}},{"kind":"Field","name":{"kind":"Name","value":"boundingBox"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"width"}},{"kind":"Field","name":{"kind":"Name","value":"height"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"faceModelVersion"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<IndexFacesMutation, IndexFacesMutationVariables>;
export const DeleteFacesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteFaces"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteFacesInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteFaces"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteFacesSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedFaceIds"}},{"kind":"Field","name":{"kind":"Name","value":"unsuccessfulFaceDeletions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"faceId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"reasons"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<DeleteFacesMutation, DeleteFacesMutationVariables>;
export const SearchUsersByImageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SearchUsersByImage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SearchUsersByImageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"searchUsersByImage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SearchUsersByImageSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userMatches"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"similarity"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"searchedFace"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"confidence"}},{"kind":"Field","name":{"kind":"Name","value":"boundingBox"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"left"}},{"kind":"Field","name":{"kind":"Name","value":"top"}},{"kind":"Field","name":{"kind":"Name","value":"width"}},{"kind":"Field","name":{"kind":"Name","value":"height"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<SearchUsersByImageQuery, SearchUsersByImageQueryVariables>;