/**
 * The committed-data half of a Store: every StoreReader method, answered by
 * the store's query object on its read-only connection or pool. Both stores
 * extend it, so the read surface is written once.
 */
import type { OperationRecord, OperationStatus, SnapshotRecord } from '../../domain/operation-records.js';
import type { ProviderRecord } from '../provider-record-store.js';
import type { SnapshotFaceRow, SnapshotUserRow } from '../snapshot-store.js';
import type { CollectionRef } from '../../domain/records.js';
import type {
  AssociationChange,
  CollectionRow,
  FaceListFilter,
  FaceRow,
  FaceWithDescriptor,
  IdempotencyRecord,
  StoreReader,
  UserRow,
} from '../store.js';
import type { KeysetPage } from '../rows.js';

export abstract class CommittedReads implements StoreReader {
  /** Queries bound to the connection (or pool) that sees only committed data. */
  protected abstract readonly reads: StoreReader;

  getCollection(ref: CollectionRef): Promise<CollectionRow | null> {
    return this.reads.getCollection(ref);
  }
  getCollections(provider: string, collectionIds: readonly string[]): Promise<CollectionRow[]> {
    return this.reads.getCollections(provider, collectionIds);
  }
  listCollections(provider: string, page: KeysetPage, idPatterns?: readonly string[]): Promise<CollectionRow[]> {
    return this.reads.listCollections(provider, page, idPatterns);
  }
  findUsers(ref: CollectionRef, userIds: readonly string[]): Promise<UserRow[] | null> {
    return this.reads.findUsers(ref, userIds);
  }
  listUsers(collectionKey: number, page: KeysetPage): Promise<UserRow[]> {
    return this.reads.listUsers(collectionKey, page);
  }
  getUser(collectionKey: number, userId: string): Promise<UserRow | null> {
    return this.reads.getUser(collectionKey, userId);
  }
  findFaces(ref: CollectionRef, faceIds: readonly string[]): Promise<FaceRow[] | null> {
    return this.reads.findFaces(ref, faceIds);
  }
  getFacesWithDescriptors(collectionKey: number, faceIds: readonly string[]): Promise<FaceWithDescriptor[]> {
    return this.reads.getFacesWithDescriptors(collectionKey, faceIds);
  }
  associationMark(collectionKey: number): Promise<number | null> {
    return this.reads.associationMark(collectionKey);
  }
  listAssociationChanges(collectionKey: number, after: number, limit: number): Promise<AssociationChange[]> {
    return this.reads.listAssociationChanges(collectionKey, after, limit);
  }
  listFaces(collectionKey: number, filter: FaceListFilter, page: KeysetPage): Promise<FaceRow[]> {
    return this.reads.listFaces(collectionKey, filter, page);
  }
  listFacesWithDescriptors(collectionKey: number, filter: FaceListFilter, page: KeysetPage): Promise<FaceWithDescriptor[]> {
    return this.reads.listFacesWithDescriptors(collectionKey, filter, page);
  }
  getUserFaces(userSeq: number): Promise<FaceWithDescriptor[]> {
    return this.reads.getUserFaces(userSeq);
  }
  countUserFaces(ref: CollectionRef, userIds: readonly string[]): Promise<Map<string, number> | null> {
    return this.reads.countUserFaces(ref, userIds);
  }
  findUserFaces(ref: CollectionRef, userIds: readonly string[]): Promise<FaceRow[] | null> {
    return this.reads.findUserFaces(ref, userIds);
  }
  findFacesFromImage(collectionKey: number, imageSha256: string, externalImageId: string | null): Promise<FaceRow[]> {
    return this.reads.findFacesFromImage(collectionKey, imageSha256, externalImageId);
  }
  getImage(sha256: string): Promise<Uint8Array | null> {
    return this.reads.getImage(sha256);
  }
  getIdempotency(collectionKey: number, operation: string, clientRequestToken: string): Promise<IdempotencyRecord | null> {
    return this.reads.getIdempotency(collectionKey, operation, clientRequestToken);
  }
  getSnapshot(id: string): Promise<SnapshotRecord | null> {
    return this.reads.getSnapshot(id);
  }
  listSnapshots(tenant: string, page: KeysetPage): Promise<{ seq: number; snapshot: SnapshotRecord }[]> {
    return this.reads.listSnapshots(tenant, page);
  }
  getOperation(id: string): Promise<OperationRecord | null> {
    return this.reads.getOperation(id);
  }
  listOperationsByStatus(statuses: readonly OperationStatus[]): Promise<OperationRecord[]> {
    return this.reads.listOperationsByStatus(statuses);
  }
  listSnapshotUsers(snapshotId: string, page: KeysetPage): Promise<SnapshotUserRow[]> {
    return this.reads.listSnapshotUsers(snapshotId, page);
  }
  listSnapshotFaces(snapshotId: string, page: KeysetPage): Promise<SnapshotFaceRow[]> {
    return this.reads.listSnapshotFaces(snapshotId, page);
  }
  getSnapshotImage(snapshotId: string, sha256: string): Promise<Uint8Array | null> {
    return this.reads.getSnapshotImage(snapshotId, sha256);
  }
  listProviderRecords(ref: CollectionRef, kind: string, afterKey: string | null, limit: number): Promise<ProviderRecord[]> {
    return this.reads.listProviderRecords(ref, kind, afterKey, limit);
  }
  getProviderRecord(ref: CollectionRef, kind: string, key: string): Promise<string | null> {
    return this.reads.getProviderRecord(ref, kind, key);
  }
  getProviderImage(ref: CollectionRef, sha256: string): Promise<Uint8Array | null> {
    return this.reads.getProviderImage(ref, sha256);
  }
}
