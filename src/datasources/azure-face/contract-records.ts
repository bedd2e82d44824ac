/**
 * The contract's records of collections, users and faces, as read from a
 * collection's index. Azure reports no face confidence: a FaceRecord's
 * confidence is null.
 */
import type { CollectionRecord, FaceRecord, UserRecord } from '../../domain/records.js';
import type { CollectionIndex, IndexedFace } from './collection-index.js';
import { ratioBox, rectOf } from './face-geometry.js';

/** The collection with its counts. */
export function collectionRecord(index: CollectionIndex): CollectionRecord {
  return {
    collectionId: index.collectionId,
    faceModelVersion: index.faceModelVersion,
    faceCount: index.faces.size,
    userCount: index.users.size,
    createdAt: index.createdAt,
  };
}

/** The user with its status (./collection-index.ts decides it). */
export function userRecord(index: CollectionIndex, userId: string): UserRecord {
  return { collectionId: index.collectionId, userId, status: index.userStatus(userId) };
}

/** The face; position, external image id and index time are null for a face facegate did not index. */
export function faceRecord(collectionId: string, face: IndexedFace): FaceRecord {
  const d = face.data;
  return {
    collectionId,
    faceId: face.faceId,
    userId: face.userId,
    externalImageId: d?.externalImageId ?? null,
    boundingBox: d ? ratioBox(rectOf(d.rect), { width: d.size[0], height: d.size[1] }) : null,
    confidence: null,
    indexedAt: d ? new Date(d.indexedAt) : null,
  };
}
