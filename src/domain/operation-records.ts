/**
 * Long-running work: snapshots of collections and the operations that take
 * and apply them. Records here are domain-shaped; GraphQL types map from them.
 */
import type { CollectionRef } from './records.js';

export type OperationKind = 'TAKE_SNAPSHOT' | 'APPLY_SNAPSHOT' | 'TRAIN_COLLECTION';
export type OperationStatus = 'NOT_STARTED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export const isTerminal = (s: OperationStatus): boolean => s === 'SUCCEEDED' || s === 'FAILED';

/** A portable copy of a collection, owned by the tenant that took it. */
export interface SnapshotRecord {
  id: string;
  owner: string;
  source: CollectionRef;
  /** Tenants allowed to apply it besides the owner; empty means only the owner. */
  applyScope: string[];
  userData: string | null;
  /** READY once its take succeeded; only READY snapshots can be applied. */
  state: 'TAKING' | 'READY' | 'FAILED';
  userCount: number;
  faceCount: number;
  createdAt: Date;
  lastUpdatedAt: Date;
  expiresAt: Date;
}

export interface OperationRecord {
  id: string;
  kind: OperationKind;
  owner: string;
  status: OperationStatus;
  /** 0..100 */
  percent: number;
  processedItems: number;
  totalItems: number | null;
  snapshotId: string | null;
  /** For APPLY_SNAPSHOT: the collection being created. */
  target: CollectionRef | null;
  message: string | null;
  createdAt: Date;
  lastActionAt: Date;
}
