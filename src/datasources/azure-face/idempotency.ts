/**
 * ClientRequestToken for the user mutations (Azure has none): scoped per
 * collection + operation; same token and same input → the first outcome
 * replayed (success or domain failure), whatever changed since; same token
 * and other input → IDEMPOTENCY_CONFLICT. Failures that say nothing about
 * the request (COLLECTION_NOT_FOUND, THROTTLED, PROVIDER_UNAVAILABLE,
 * FORBIDDEN, UNSUPPORTED_OPERATION) are not remembered, so a retry can still
 * succeed.
 *
 * Where the records live: with the gateway store, as provider records of
 * kind {@link IDEMPOTENCY_KIND} of the collection (durable, shared by
 * replicas, deleted with the collection's provider data) — the store's
 * `idempotency` table is keyed by the local provider's collection rows, which
 * an Azure collection does not have; without a store (a provider built by
 * hand), in process memory. A record older than `retentionMs` counts as
 * absent and is replaced by the next use of its token.
 *
 * Across replicas the check and the record are not one transaction: two
 * replicas running the same token at the same instant may both call Azure
 * (the collection lock is per process); a retry after either answered
 * replays the first recorded outcome.
 */
import { createHash } from 'node:crypto';
import { DomainError, type ErrorCode, type ErrorDetails } from '../../domain/errors.js';
import type { Store } from '../../store/store.js';

/** Provider-record kind of the stored outcomes. */
export const IDEMPOTENCY_KIND = 'azure-face.idempotency';

/**
 * A call as stored: its JSON value, the domain error it failed with, or —
 * for a call that failed part-way with an error not remembered (e.g.
 * THROTTLED) — the progress it checkpointed, which a retry with the same
 * token resumes from.
 */
type StoredOutcome = { ok: string } | { error: { code: ErrorCode; message: string; details: ErrorDetails } } | { partial: string };

/** What a call run under a token gets: the progress an earlier attempt checkpointed (null on a first attempt), and where to checkpoint its own. */
export interface Resumable {
  resume: unknown;
  checkpoint(progress: unknown): void;
}

/** One token's record: the request's hash, its outcome and when it was recorded (ms). */
export interface IdempotencyRecord {
  hash: string;
  outcome: StoredOutcome;
  at: number;
}

/** Where records are kept. */
export interface IdempotencyRecords {
  get(collectionId: string, key: string): Promise<IdempotencyRecord | null>;
  put(collectionId: string, key: string, record: IdempotencyRecord): Promise<void>;
  /** Forgets a collection's records (it was deleted). */
  forgetCollection(collectionId: string): Promise<void>;
}

const NOT_REMEMBERED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'COLLECTION_NOT_FOUND',
  'THROTTLED',
  'PROVIDER_UNAVAILABLE',
  'FORBIDDEN',
  'UNSUPPORTED_OPERATION',
]);

export class IdempotencyMemo {
  constructor(
    private readonly records: IdempotencyRecords,
    private readonly retentionMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `fn` under `token` (directly without one). The caller serializes
   * calls per collection in this process, so check-then-record is atomic here.
   */
  async run<T>(
    collectionId: string,
    operation: string,
    token: string | undefined,
    request: unknown,
    fn: (resumable: Resumable) => Promise<T>,
  ): Promise<T> {
    let progress: unknown = undefined;
    const resumable = (resume: unknown): Resumable => ({ resume, checkpoint: (p) => void (progress = p) });
    if (token === undefined) return fn(resumable(null));
    const key = JSON.stringify([operation, token]);
    const hash = createHash('sha256')
      .update(JSON.stringify([operation, request]))
      .digest('hex');
    const seen = await this.records.get(collectionId, key);
    if (seen && seen.at > this.now() - this.retentionMs) {
      if (seen.hash !== hash) {
        throw new DomainError(
          'IDEMPOTENCY_CONFLICT',
          `clientRequestToken "${token}" was first used for a different ${operation} request on collection "${collectionId}": expected the same input as that first use, got different input`,
          { clientRequestToken: token, collectionId, operation },
        );
      }
      if ('error' in seen.outcome) throw new DomainError(seen.outcome.error.code, seen.outcome.error.message, seen.outcome.error.details);
      if ('ok' in seen.outcome) return JSON.parse(seen.outcome.ok) as T;
    }
    const resume = seen && seen.hash === hash && 'partial' in seen.outcome ? (JSON.parse(seen.outcome.partial) as unknown) : null;
    let value: T;
    try {
      value = await fn(resumable(resume));
    } catch (e) {
      if (e instanceof DomainError && !NOT_REMEMBERED.has(e.code)) {
        const error = { code: e.code, message: e.message, details: e.details };
        await this.records.put(collectionId, key, { hash, outcome: { error }, at: this.now() });
      } else if (progress !== undefined) {
        await this.records.put(collectionId, key, { hash, outcome: { partial: JSON.stringify(progress) }, at: this.now() });
      }
      throw e;
    }
    await this.records.put(collectionId, key, { hash, outcome: { ok: JSON.stringify(value ?? null) }, at: this.now() });
    return value;
  }

  /** Forgets a collection's tokens (it was deleted). */
  forgetCollection(collectionId: string): Promise<void> {
    return this.records.forgetCollection(collectionId);
  }
}

/** Records in process memory (not durable, not shared): for a provider built without the gateway store. */
export class MemoryIdempotencyRecords implements IdempotencyRecords {
  private readonly records = new Map<string, IdempotencyRecord>();

  constructor(
    private readonly retentionMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(collectionId: string, key: string): Promise<IdempotencyRecord | null> {
    return this.records.get(JSON.stringify([collectionId, key])) ?? null;
  }

  async put(collectionId: string, key: string, record: IdempotencyRecord): Promise<void> {
    const cutoff = this.now() - this.retentionMs;
    for (const [k, r] of this.records) if (r.at <= cutoff) this.records.delete(k);
    this.records.set(JSON.stringify([collectionId, key]), record);
  }

  async forgetCollection(collectionId: string): Promise<void> {
    const prefix = JSON.stringify([collectionId]).slice(0, -1);
    for (const key of this.records.keys()) if (key.startsWith(`${prefix},`)) this.records.delete(key);
  }
}

/** Records in the gateway store (durable, shared by replicas): provider records of kind {@link IDEMPOTENCY_KIND}. */
export class StoreIdempotencyRecords implements IdempotencyRecords {
  constructor(
    private readonly store: Store,
    private readonly provider: string,
  ) {}

  async get(collectionId: string, key: string): Promise<IdempotencyRecord | null> {
    const value = await this.store.getProviderRecord(this.ref(collectionId), IDEMPOTENCY_KIND, key);
    return value === null ? null : (JSON.parse(value) as IdempotencyRecord);
  }

  put(collectionId: string, key: string, record: IdempotencyRecord): Promise<void> {
    return this.store.transaction((tx) =>
      tx.putProviderRecords(this.ref(collectionId), IDEMPOTENCY_KIND, [{ key, value: JSON.stringify(record) }], new Date(record.at)),
    );
  }

  async forgetCollection(collectionId: string): Promise<void> {
    const ref = this.ref(collectionId);
    for (;;) {
      const page = await this.store.listProviderRecords(ref, IDEMPOTENCY_KIND, null, 500);
      if (page.length === 0) return;
      await this.store.transaction((tx) =>
        tx.deleteProviderRecords(
          ref,
          IDEMPOTENCY_KIND,
          page.map((r) => r.key),
        ),
      );
    }
  }

  private ref(collectionId: string) {
    return { provider: this.provider, collectionId };
  }
}
