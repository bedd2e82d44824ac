/**
 * Rekognition's wire shapes → the provider contract's records. Absent wire
 * fields become nulls (or the contract's neutral value), never invented data.
 */
import type { BoundingBox as WireBoundingBox, Face as WireFace } from '@aws-sdk/client-rekognition';
import type { BoundingBox } from '../../engine/types.js';
import type { FaceRecord, UserRecord, UserStatus } from '../../domain/records.js';
import { UNINDEXED_REASONS, type UnindexedReason } from '../provider.js';

const STATUSES: ReadonlySet<string> = new Set<UserStatus>(['ACTIVE', 'UPDATING', 'CREATING', 'CREATED']);

const REASONS: ReadonlySet<string> = new Set<string>(UNINDEXED_REASONS);

/** A user as ListUsers or SearchUsersByImage names it. */
export function userRecord(collectionId: string, userId: string, wire: string | undefined): UserRecord {
  return { collectionId, userId, status: status(wire) };
}

/** A UserStatus of the wire; an unknown one is UPDATING. */
export function status(wire: string | undefined): UserStatus {
  // An unknown future status is reported as in progress rather than invented as done.
  return wire !== undefined && STATUSES.has(wire) ? (wire as UserStatus) : 'UPDATING';
}

/** A bounding box; null without one. */
export function box(b: WireBoundingBox | undefined): BoundingBox | null {
  if (!b) return null;
  return { left: b.Left ?? 0, top: b.Top ?? 0, width: b.Width ?? 0, height: b.Height ?? 0 };
}

/** A face of `collectionId` as ListFaces or IndexFaces describes it. */
export function faceRecord(collectionId: string, f: WireFace): FaceRecord {
  return {
    collectionId,
    faceId: f.FaceId ?? '',
    userId: f.UserId ?? null,
    externalImageId: f.ExternalImageId ?? null,
    boundingBox: box(f.BoundingBox),
    confidence: f.Confidence ?? null,
    // Rekognition does not say when a face was indexed.
    indexedAt: null,
  };
}

/**
 * IndexFaces' reasons for leaving a face out, each once: every reason
 * Rekognition documents is the contract's own; an unknown future one is
 * LOW_FACE_QUALITY (a face the service judged unusable), never dropped.
 */
export function unindexedReasons(wire: readonly string[]): UnindexedReason[] {
  const reasons = new Set<UnindexedReason>();
  for (const r of wire) reasons.add(REASONS.has(r) ? (r as UnindexedReason) : 'LOW_FACE_QUALITY');
  return [...reasons];
}
