/**
 * Source images of indexed faces, kept by the gateway because Azure AI Face
 * keeps none: moving a face into a person (associateFaces) re-extracts it
 * from the original image, and gateway snapshots carry the images.
 *
 * Per collection, content-addressed by lowercase hex SHA-256. The gateway
 * runs the adapter on {@link StoreRetainedImages} (its durable store, so a
 * restart keeps faces associable); {@link InMemoryRetainedImages} serves a
 * provider built without a store (unit tests, scripts).
 */
import type { Store } from '../../store/store.js';

export interface RetainedImages {
  /** Keeps `bytes` under `sha256` for the collection (idempotent). */
  put(collectionId: string, sha256: string, bytes: Uint8Array): Promise<void>;
  /** The bytes kept under `sha256` for the collection, or null. */
  get(collectionId: string, sha256: string): Promise<Uint8Array | null>;
  /** Forgets images no face of the collection references any more. */
  delete(collectionId: string, sha256s: readonly string[]): Promise<void>;
  /** Forgets every image of the collection (in the store: with the collection's other provider records). */
  deleteCollection(collectionId: string): Promise<void>;
}

/** The gateway store's provider images of instance `provider` (durable, shared by replicas). */
export class StoreRetainedImages implements RetainedImages {
  constructor(
    private readonly store: Store,
    private readonly provider: string,
  ) {}

  put(collectionId: string, sha256: string, bytes: Uint8Array): Promise<void> {
    return this.store.transaction((tx) => tx.putProviderImage(this.ref(collectionId), sha256, bytes, new Date()));
  }

  get(collectionId: string, sha256: string): Promise<Uint8Array | null> {
    return this.store.getProviderImage(this.ref(collectionId), sha256);
  }

  async delete(collectionId: string, sha256s: readonly string[]): Promise<void> {
    if (sha256s.length > 0) await this.store.transaction((tx) => tx.deleteProviderImages(this.ref(collectionId), sha256s));
  }

  deleteCollection(collectionId: string): Promise<void> {
    return this.store.transaction((tx) => tx.deleteProviderCollection(this.ref(collectionId)));
  }

  private ref(collectionId: string) {
    return { provider: this.provider, collectionId };
  }
}

/** Process memory, bounded by total bytes (oldest first out). Not durable. */
export class InMemoryRetainedImages implements RetainedImages {
  private readonly images = new Map<string, Uint8Array>();
  private bytes = 0;

  /** @param maxBytes evicts the oldest images beyond this total. @default 512 MiB */
  constructor(private readonly maxBytes = 512 * 1024 * 1024) {}

  async put(collectionId: string, sha256: string, bytes: Uint8Array): Promise<void> {
    const key = `${collectionId}/${sha256}`;
    if (this.images.has(key)) return;
    const copy = new Uint8Array(bytes);
    this.images.set(key, copy);
    this.bytes += copy.byteLength;
    for (const [k, value] of this.images) {
      if (this.bytes <= this.maxBytes || k === key) break;
      this.remove(k, value);
    }
  }

  async get(collectionId: string, sha256: string): Promise<Uint8Array | null> {
    return this.images.get(`${collectionId}/${sha256}`) ?? null;
  }

  async delete(collectionId: string, sha256s: readonly string[]): Promise<void> {
    for (const sha256 of sha256s) {
      const key = `${collectionId}/${sha256}`;
      const value = this.images.get(key);
      if (value) this.remove(key, value);
    }
  }

  async deleteCollection(collectionId: string): Promise<void> {
    for (const [key, value] of this.images) if (key.startsWith(`${collectionId}/`)) this.remove(key, value);
  }

  /** Images held (for tests and metrics). */
  get size(): number {
    return this.images.size;
  }

  private remove(key: string, value: Uint8Array): void {
    this.images.delete(key);
    this.bytes -= value.byteLength;
  }
}
