/**
 * What cloud provider adapters keep in the gateway's store besides the
 * provider itself: small keyed records (e.g. Azure's userId → personId
 * index) and retained source images (Azure keeps no images, so moving a
 * face into a person re-extracts it from the original). Provider-neutral:
 * rows are scoped by provider instance and collection id (no collection row
 * needed, the collection lives in the provider) and by a `kind` naming what
 * the adapter stores, so a provider's data is found, replaced and deleted
 * with its collection. Records are a cache the adapter can rebuild from the
 * provider; images cannot be rebuilt, which is why they are here.
 */
import type { CollectionRef } from '../domain/records.js';

/** One keyed record; `value` is opaque to the store (adapters write JSON). */
export interface ProviderRecord {
  key: string;
  value: string;
}

export interface ProviderRecordReader {
  /** A collection's records of `kind` in key order: at most `limit` with key > `afterKey` (null from the start). */
  listProviderRecords(ref: CollectionRef, kind: string, afterKey: string | null, limit: number): Promise<ProviderRecord[]>;
  /** One record, or null. */
  getProviderRecord(ref: CollectionRef, kind: string, key: string): Promise<string | null>;
  /** A retained image of a collection, or null. */
  getProviderImage(ref: CollectionRef, sha256: string): Promise<Uint8Array | null>;
}

export interface ProviderRecordWriter extends ProviderRecordReader {
  /** Inserts or replaces records of `kind`. */
  putProviderRecords(ref: CollectionRef, kind: string, records: readonly ProviderRecord[], at: Date): Promise<void>;
  /** Deletes records of `kind` by key (unknown keys are ignored). */
  deleteProviderRecords(ref: CollectionRef, kind: string, keys: readonly string[]): Promise<void>;
  /** Keeps `bytes` under lowercase hex `sha256` for the collection (a repeat is a no-op). */
  putProviderImage(ref: CollectionRef, sha256: string, bytes: Uint8Array, at: Date): Promise<void>;
  /** Forgets retained images of the collection. */
  deleteProviderImages(ref: CollectionRef, sha256s: readonly string[]): Promise<void>;
  /** Deletes every record (all kinds) and image of the collection. */
  deleteProviderCollection(ref: CollectionRef): Promise<void>;
}
