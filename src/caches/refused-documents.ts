/**
 * Refused documents: the answer to a query document that did not parse or
 * did not pass validation (graphql-js's rules and the query limits of
 * security/query-limits.ts: cost, depth, aliases, image inputs,
 * introspection), so that a repeat of it is refused again, with the same
 * answer, without parsing it. A flood repeats one document: each parse of a
 * 35 KB alias flood builds about 2 MB of AST, which survives long enough to
 * be promoted to old space and waits there for a major GC.
 *
 * What is held: one refusal (the transport's answer, as built the first
 * time: no AST, no request) per key.
 * Its key: the SHA-256 of the scope (the limit configuration the gateway
 * validates with), the transport's variant of the answer and the document
 * text. A parse or validation refusal depends on nothing else: the schema
 * never changes at run time, validation reads neither variables nor
 * operationName (Apollo resolves the operation after validating), and the
 * limit rules count a `first` given as a variable as the largest page. The
 * text is hashed rather than used as the key because V8 hashes a string
 * longer than 16,383 characters by its length alone: texts of one length
 * would all share a bucket and be compared character by character.
 * Its bound: {@link RefusedDocumentsOptions.maxEntries} entries and
 * {@link RefusedDocumentsOptions.maxBytes} of answers (counted as UTF-16,
 * two bytes a character, plus a fixed overhead per entry).
 * When an entry is dropped: the least recently used first, when either bound
 * would be passed; an answer larger than an eighth of the byte bound is never
 * kept. One instance per transport per gateway; it lives as long as the
 * gateway.
 */
import { createHash } from 'node:crypto';

/** Bounds of a {@link RefusedDocuments} cache. */
export interface RefusedDocumentsOptions {
  /**
   * What the refusals depend on besides the text: the limit configuration
   * (e.g. its JSON), hashed into every key so a cache can never answer for
   * other limits than those that refused.
   */
  scope: string;
  /** Most refusals kept. @default 256 */
  maxEntries?: number;
  /** Most bytes of answers kept (the sizes {@link RefusedDocuments.set} is given, plus {@link ENTRY_OVERHEAD_BYTES} each). @default 4 MiB */
  maxBytes?: number;
}

/** What one entry costs besides its answer: the key (64 hex characters), the Map's slot and the entry object. */
export const ENTRY_OVERHEAD_BYTES = 256;

/** Refusals of documents by the digest of their text; see the module comment. */
export class RefusedDocuments<R> {
  private readonly entries = new Map<string, { refusal: R; bytes: number }>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private heldBytes = 0;

  constructor(private readonly options: RefusedDocumentsOptions) {
    this.maxEntries = options.maxEntries ?? 256;
    this.maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new Error(`RefusedDocuments: expected maxEntries to be a positive integer, got ${this.maxEntries}`);
    }
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < ENTRY_OVERHEAD_BYTES) {
      throw new Error(`RefusedDocuments: expected maxBytes to be an integer of at least ${ENTRY_OVERHEAD_BYTES}, got ${this.maxBytes}`);
    }
  }

  /** Refusals held. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes held, as counted against {@link RefusedDocumentsOptions.maxBytes}. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** The key of `query` in this cache, for the answer's `variant` (what else the answer's bytes depend on, e.g. its media type). */
  keyOf(query: string, variant: string): string {
    return createHash('sha256').update(this.options.scope).update('\0').update(variant).update('\0').update(query).digest('hex');
  }

  /** The refusal kept under `key`, now the most recently used; undefined when none is. */
  get(key: string): R | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Re-inserted: a Map iterates in insertion order, so its first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.refusal;
  }

  /** Keeps `refusal` under `key`; `size` is the answer's size in bytes. Dropped at once when it alone would take over an eighth of the bound. */
  set(key: string, refusal: R, size: number): void {
    const bytes = size + ENTRY_OVERHEAD_BYTES;
    this.delete(key);
    if (bytes > this.maxBytes / 8) return;
    this.entries.set(key, { refusal, bytes });
    this.heldBytes += bytes;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.heldBytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.heldBytes -= entry.bytes;
  }
}
