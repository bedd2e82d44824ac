/**
 * Source images of indexed faces, kept by the gateway because Azure AI Face
 * keeps none: moving a face into a person (associateFaces) re-extracts it
 * from the original image.
 *
 * Content-addressed by lowercase hex SHA-256. A durable implementation
 * belongs in the gateway store (see the adapter's README notes in
 * azure-face-provider.ts); {@link InMemoryRetainedImages} is what the
 * adapter uses until then, so after a restart faces indexed earlier can no
 * longer be associated (UNSUPPORTED_OPERATION, nothing lost or changed).
 */
export interface RetainedImages {
  /** Keeps `bytes` under `sha256` (idempotent). */
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  /** The bytes kept under `sha256`, or null. */
  get(sha256: string): Promise<Uint8Array | null>;
}

/** Process memory, bounded by total bytes (oldest first out). Not durable. */
export class InMemoryRetainedImages implements RetainedImages {
  private readonly images = new Map<string, Uint8Array>();
  private bytes = 0;

  /** @param maxBytes evicts the oldest images beyond this total. @default 512 MiB */
  constructor(private readonly maxBytes = 512 * 1024 * 1024) {}

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    if (this.images.has(sha256)) return;
    const copy = new Uint8Array(bytes);
    this.images.set(sha256, copy);
    this.bytes += copy.byteLength;
    for (const [key, value] of this.images) {
      if (this.bytes <= this.maxBytes || key === sha256) break;
      this.images.delete(key);
      this.bytes -= value.byteLength;
    }
  }

  async get(sha256: string): Promise<Uint8Array | null> {
    return this.images.get(sha256) ?? null;
  }

  /** Images held (for tests and metrics). */
  get size(): number {
    return this.images.size;
  }
}
