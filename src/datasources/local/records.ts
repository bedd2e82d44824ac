/**
 * Store rows → the provider contract's records.
 */
import type { CollectionRow, FaceRow, UserRow } from '../../store/store.js';
import type { CollectionRecord, FaceRecord, UserRecord } from '../../domain/records.js';

export function toCollectionRecord(row: CollectionRow): CollectionRecord {
  return {
    collectionId: row.collectionId,
    faceModelVersion: row.faceModelVersion,
    faceCount: row.faceCount,
    userCount: row.userCount,
    createdAt: row.createdAt,
  };
}

export function toUserRecord(row: UserRow, collectionId: string): UserRecord {
  return { collectionId, userId: row.userId, status: row.status };
}

export function toFaceRecord(row: FaceRow, collectionId: string): FaceRecord {
  return {
    collectionId,
    faceId: row.faceId,
    userId: row.userId,
    externalImageId: row.externalImageId,
    boundingBox: { ...row.boundingBox },
    confidence: row.confidence,
    indexedAt: row.indexedAt,
  };
}
