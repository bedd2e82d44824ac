/**
 * The face operations of the FaceProvider contract beyond enrolment: detect,
 * compare, verify, search faces, search users and identify
 * (contract-face-operations.graphql). Semantics follow Rekognition's
 * DetectFaces, CompareFaces, SearchFaces, SearchFacesByImage and SearchUsers;
 * verify and identify follow Azure's Verify (face-to-person) and Identify.
 *
 * Inputs are validated and defaulted by the resolvers (../domain/validation.ts
 * ranges); `attributes` arrive expanded (ALL → every attribute the instance
 * advertises, DEFAULT dropped). Similarities and thresholds are 0..100.
 * An adapter that cannot do an operation faithfully leaves its capability
 * out and throws UNSUPPORTED_OPERATION; one whose service refuses the call
 * (401/403) throws FORBIDDEN. An image with no usable face is not an error
 * for detect and identify (empty lists); compare's source, verify and
 * searchFacesByImage throw NO_FACE_DETECTED.
 */
import type { FaceAttributeName, FaceDetailRecord, QualityFilterName } from '../domain/face-details.js';
import type { FaceRecord, UserRecord } from '../domain/records.js';
import type { CallOptions } from './call-options.js';

export interface DetectFacesInput {
  image: Uint8Array;
  /** Attributes beyond the DEFAULT set, each advertised by the instance. */
  attributes: ReadonlySet<FaceAttributeName>;
}

export interface DetectFacesOutcome {
  /** Largest first, at most 100. */
  faces: FaceDetailRecord[];
}

export interface CompareFacesInput {
  sourceImage: Uint8Array;
  targetImage: Uint8Array;
  /** 0..100: target faces at or above are matches, the rest unmatched. @default 80 */
  similarityThreshold: number;
  /** Target faces below the bar are left out of both lists. @default NONE */
  qualityFilter: QualityFilterName;
}

export interface CompareFacesOutcome {
  /** The largest face of the source image. */
  sourceFace: FaceDetailRecord;
  /** Highest similarity first. */
  faceMatches: { similarity: number; face: FaceDetailRecord }[];
  unmatchedFaces: FaceDetailRecord[];
}

export interface VerifyUserInput {
  collectionId: string;
  userId: string;
  image: Uint8Array;
  /** 0..100: isMatch is similarity ≥ this. @default 80 */
  userMatchThreshold: number;
}

export interface VerifyUserOutcome {
  isMatch: boolean;
  /** Similarity of the image's largest face to the user, 0..100 (0 for a user with no faces). */
  similarity: number;
  searchedFace: FaceDetailRecord;
  user: UserRecord;
}

/** A face of the collection and how like the searched one it is. */
export interface FaceMatchRecord {
  similarity: number;
  face: FaceRecord;
}

export interface SearchFacesInput {
  collectionId: string;
  faceId: string;
  /** 1..4096. @default 100 */
  maxFaces: number;
  /** 0..100. @default 80 */
  faceMatchThreshold: number;
}

export interface SearchFacesOutcome {
  searchedFaceId: string;
  /** Highest similarity first; never the searched face itself. */
  faceMatches: FaceMatchRecord[];
}

export interface SearchFacesByImageInput {
  collectionId: string;
  image: Uint8Array;
  /** 1..4096. @default 100 */
  maxFaces: number;
  /** 0..100. @default 80 */
  faceMatchThreshold: number;
  /** @default NONE */
  qualityFilter: QualityFilterName;
}

export interface SearchFacesByImageOutcome {
  searchedFace: FaceDetailRecord;
  faceMatches: FaceMatchRecord[];
}

/** Exactly one of userId and faceId (checked by the resolver). */
export interface SearchUsersInput {
  collectionId: string;
  userId?: string;
  faceId?: string;
  /** 1..500. @default 10 */
  maxUsers: number;
  /** 0..100. @default 80 */
  userMatchThreshold: number;
}

export interface SearchUsersOutcome {
  searchedUserId: string | null;
  searchedFaceId: string | null;
  /** Highest similarity first; never the searched user itself. */
  userMatches: { similarity: number; user: UserRecord }[];
}

export interface IdentifyFacesInput {
  collectionId: string;
  image: Uint8Array;
  /** Identify at most this many faces, largest first; the rest are unsearched. 1..100. @default 10 */
  maxFaces: number;
  /** 1..100. @default 1 */
  maxUsersPerFace: number;
  /** 0..100. @default 80 */
  userMatchThreshold: number;
  /** Faces below the bar are unsearched. @default NONE */
  qualityFilter: QualityFilterName;
}

export interface IdentifyFacesOutcome {
  /** Largest first. */
  faces: { face: FaceDetailRecord; userMatches: { similarity: number; user: UserRecord }[] }[];
  /** Faces beyond maxFaces or below the quality bar. */
  unsearchedFaces: FaceDetailRecord[];
}

/** The face operations every provider instance implements (see the module comment). */
export interface FaceOperations {
  detectFaces(input: DetectFacesInput, call?: CallOptions): Promise<DetectFacesOutcome>;
  /** Throws NO_FACE_DETECTED (no face in the source image), INVALID_IMAGE. */
  compareFaces(input: CompareFacesInput, call?: CallOptions): Promise<CompareFacesOutcome>;
  /** Throws USER_NOT_FOUND, NO_FACE_DETECTED, INVALID_IMAGE. */
  verifyUser(input: VerifyUserInput, call?: CallOptions): Promise<VerifyUserOutcome>;
  /** Throws INVALID_INPUT (field `input.faceId`) when the face is not in the collection. */
  searchFaces(input: SearchFacesInput, call?: CallOptions): Promise<SearchFacesOutcome>;
  /** Throws NO_FACE_DETECTED, INVALID_IMAGE. */
  searchFacesByImage(input: SearchFacesByImageInput, call?: CallOptions): Promise<SearchFacesByImageOutcome>;
  /** Throws USER_NOT_FOUND (userId), INVALID_INPUT (faceId not in the collection, field `input.faceId`). */
  searchUsers(input: SearchUsersInput, call?: CallOptions): Promise<SearchUsersOutcome>;
  /** Throws INVALID_IMAGE. */
  identifyFaces(input: IdentifyFacesInput, call?: CallOptions): Promise<IdentifyFacesOutcome>;
}
