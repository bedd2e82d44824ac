/**
 * ClientRequestToken for the user mutations (Azure has none): scoped per
 * collection + operation; same token and same input → the first outcome
 * replayed (success or domain failure), whatever changed since; same token
 * and other input → IDEMPOTENCY_CONFLICT. Failures that say nothing about
 * the request (COLLECTION_NOT_FOUND, THROTTLED, PROVIDER_UNAVAILABLE,
 * FORBIDDEN, UNSUPPORTED_OPERATION) are not remembered, so a retry can still
 * succeed.
 *
 * Kept in process memory for `retentionMs` (not durable, not shared between
 * replicas): the gateway store's idempotency records are keyed by the local
 * provider's collection keys and cannot hold these yet.
 */
import { createHash } from 'node:crypto';
import { DomainError, type ErrorCode } from '../../domain/errors.js';

type Outcome = { ok: string } | { error: DomainError };

const NOT_REMEMBERED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'COLLECTION_NOT_FOUND',
  'THROTTLED',
  'PROVIDER_UNAVAILABLE',
  'FORBIDDEN',
  'UNSUPPORTED_OPERATION',
]);

export class IdempotencyMemo {
  private readonly records = new Map<string, { hash: string; outcome: Outcome; at: number }>();

  constructor(
    private readonly retentionMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `fn` under `token` (directly without one). The caller serializes
   * calls per collection, so check-then-record is atomic.
   */
  async run<T>(collectionId: string, operation: string, token: string | undefined, request: unknown, fn: () => Promise<T>): Promise<T> {
    if (token === undefined) return fn();
    this.prune();
    const key = JSON.stringify([collectionId, operation, token]);
    const hash = createHash('sha256')
      .update(JSON.stringify([operation, request]))
      .digest('hex');
    const seen = this.records.get(key);
    if (seen) {
      if (seen.hash !== hash) {
        throw new DomainError(
          'IDEMPOTENCY_CONFLICT',
          `clientRequestToken "${token}" was first used for a different ${operation} request on collection "${collectionId}": expected the same input as that first use, got different input`,
          { clientRequestToken: token, collectionId, operation },
        );
      }
      if ('error' in seen.outcome) throw seen.outcome.error;
      return JSON.parse(seen.outcome.ok) as T;
    }
    try {
      const value = await fn();
      this.records.set(key, { hash, outcome: { ok: JSON.stringify(value ?? null) }, at: this.now() });
      return value;
    } catch (e) {
      if (e instanceof DomainError && !NOT_REMEMBERED.has(e.code)) this.records.set(key, { hash, outcome: { error: e }, at: this.now() });
      throw e;
    }
  }

  /** Forgets a collection's tokens (it was deleted). */
  forgetCollection(collectionId: string): void {
    const prefix = JSON.stringify([collectionId]).slice(0, -1);
    for (const key of this.records.keys()) if (key.startsWith(`${prefix},`)) this.records.delete(key);
  }

  private prune(): void {
    const cutoff = this.now() - this.retentionMs;
    for (const [key, record] of this.records) if (record.at <= cutoff) this.records.delete(key);
  }
}
