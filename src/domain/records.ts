/**
 * The records every layer shares, independent of any provider: what a
 * collection, user and face are, which kinds of provider exist and what they
 * can do. Providers return these; GraphQL types map from them.
 */
import type { BoundingBox } from '../engine/types.js';
import { attributeCapability, FACE_ATTRIBUTES } from './face-details.js';

export type ProviderKind = 'LOCAL' | 'REKOGNITION' | 'AZURE_FACE';

export type UserStatus = 'ACTIVE' | 'UPDATING' | 'CREATING' | 'CREATED';

/** Why a face was not deleted (Rekognition's UnsuccessfulFaceDeletion reasons; the contract's FaceDeletionFailureReason). */
export const FACE_DELETION_FAILURE_REASONS = ['FACE_NOT_FOUND', 'ASSOCIATED_TO_AN_EXISTING_USER'] as const;
export type FaceDeletionFailureReason = (typeof FACE_DELETION_FAILURE_REASONS)[number];

/** Why a face was not associated (Rekognition's UnsuccessfulFaceAssociation reasons; the contract's AssociationFailureReason). */
export const ASSOCIATION_FAILURE_REASONS = ['FACE_NOT_FOUND', 'ASSOCIATED_TO_A_DIFFERENT_USER', 'LOW_MATCH_CONFIDENCE'] as const;
export type AssociationFailureReason = (typeof ASSOCIATION_FAILURE_REASONS)[number];

/**
 * Why a face was not disassociated (Rekognition's UnsuccessfulFaceDisassociation reasons, and
 * FACE_ONLY_IN_USER for an Azure person face in no face list; the contract's DisassociationFailureReason).
 */
export const DISASSOCIATION_FAILURE_REASONS = ['FACE_NOT_FOUND', 'ASSOCIATED_TO_A_DIFFERENT_USER', 'FACE_ONLY_IN_USER'] as const;
export type DisassociationFailureReason = (typeof DISASSOCIATION_FAILURE_REASONS)[number];

/** The face operations (contract-face-operations.graphql) and one capability per FaceAttribute beyond the DEFAULT set that a provider fills. */
export const FACE_OPERATION_CAPABILITIES = [
  'DETECT_FACES',
  'COMPARE_FACES',
  'VERIFY_USER',
  'SEARCH_FACES',
  'SEARCH_FACES_BY_IMAGE',
  'SEARCH_USERS',
  'IDENTIFY_FACES',
  ...FACE_ATTRIBUTES.map(attributeCapability),
] as const;

/** Operation names a provider may support; exposed as `Provider.capabilities`. */
export const CAPABILITIES = [
  'CREATE_COLLECTION',
  'DELETE_COLLECTION',
  'LIST_COLLECTIONS',
  'CREATE_USER',
  'DELETE_USER',
  'INDEX_FACES',
  'DELETE_FACES',
  'ASSOCIATE_FACES',
  'DISASSOCIATE_FACES',
  'SEARCH_USERS_BY_IMAGE',
  'LIST_UNASSOCIATED_FACES',
  'EXPORT_DESCRIPTORS',
  'TAKE_SNAPSHOT',
  'APPLY_SNAPSHOT',
  /** Search sees writes only after a training (Azure); trainCollection starts one. Without it a collection is always trained. */
  'TRAIN_COLLECTION',
  /** Collection ids keep their case ("Team" and "team" are two collections); Azure allows lowercase only. */
  'MIXED_CASE_COLLECTION_IDS',
  ...FACE_OPERATION_CAPABILITIES,
] as const;

export type Capability = (typeof CAPABILITIES)[number];

export interface CollectionRecord {
  collectionId: string;
  faceModelVersion: string | null;
  faceCount: number;
  userCount: number;
  createdAt: Date | null;
}

export interface UserRecord {
  collectionId: string;
  userId: string;
  status: UserStatus;
}

export interface FaceRecord {
  collectionId: string;
  faceId: string;
  userId: string | null;
  externalImageId: string | null;
  boundingBox: BoundingBox | null;
  /** 0..100 */
  confidence: number | null;
  indexedAt: Date | null;
}

/** Names a collection: provider instance + the collection id within it. */
export interface CollectionRef {
  provider: string;
  collectionId: string;
}

/** What a client may know of a provider instance: its name, kind and capabilities. */
export interface ProviderInfo {
  /** Instance name from configuration, e.g. `local`, `aws-eu`. */
  readonly name: string;
  readonly kind: ProviderKind;
  readonly capabilities: ReadonlySet<Capability>;
}
