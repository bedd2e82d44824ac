/**
 * The local provider's user mutations (CreateUser, DeleteUser,
 * AssociateFaces, DisassociateFaces) as token-aware transactions.
 *
 * Every mutation is one store transaction that decides first and writes
 * second, so a failed call writes nothing.
 *
 * ClientRequestToken: scoped per provider instance + collection + operation
 * and stored in the same transaction as the write. Same token and same input
 * → the first outcome replayed, success or domain failure, whatever changed
 * since; same token and other input → IDEMPOTENCY_CONFLICT. Failures that
 * depend on nothing the call could change (COLLECTION_NOT_FOUND, throttling,
 * unavailability) are not recorded, so a retry can still succeed. Tokens are
 * remembered for `retentionMs` (the provider's `idempotencyRetentionMs`) and
 * go with their collection.
 */
import type { DomainError } from '../../domain/errors.js';
import type { CollectionRow, Store, StoreTx } from '../../store/store.js';
import type { UserMutationInput } from '../provider.js';
import { decodeOutcome, encodeOutcome, idempotencyConflict, requestHash, type IdempotentOperation, type Outcome } from './idempotency.js';
import { requireCollection } from './lookups.js';

/** A decision taken inside a transaction before anything is written. */
export type Decision<T> = { fail: DomainError } | { commit: () => Promise<T> };

/** How often expired idempotency records are swept, at most. */
const PRUNE_INTERVAL_MS = 60_000;

/** What {@link IdempotentMutations} works on. */
export interface IdempotentMutationsOptions {
  /** Instance name; scopes the collections. */
  name: string;
  store: Store;
  now: () => Date;
  /** How long a ClientRequestToken is remembered. */
  retentionMs: number;
}

/** Runs the token-aware mutations of one provider instance; remembers when it last swept expired tokens. */
export class IdempotentMutations {
  private lastPrune = 0;

  constructor(private readonly options: IdempotentMutationsOptions) {}

  /**
   * Runs a token-aware mutation: replay or conflict when the token was seen,
   * else decide, write (on success) and record the outcome, all in one
   * transaction. `request` is what makes the request what it is (hashed, in
   * order; the collection is implied by the record's key).
   */
  async run<T>(
    operation: IdempotentOperation,
    input: UserMutationInput,
    request: Readonly<Record<string, unknown>>,
    decide: (tx: StoreTx, collection: CollectionRow) => Promise<Decision<T>>,
  ): Promise<T> {
    const { name, store, retentionMs } = this.options;
    const token = input.clientRequestToken;
    const hash = token === undefined ? '' : requestHash(operation, request);
    const outcome = await store.transaction(async (tx): Promise<Outcome<T>> => {
      const collection = await requireCollection(tx, name, input.collectionId);
      const now = this.options.now();
      if (token !== undefined) {
        const record = await tx.getIdempotency(collection.key, operation, token);
        const expired = record !== null && record.createdAt.getTime() <= now.getTime() - retentionMs;
        if (record && !expired) {
          if (record.requestHash !== hash) throw idempotencyConflict(operation, input.collectionId, token);
          return decodeOutcome<T>(record.response);
        }
        if (expired || now.getTime() - this.lastPrune >= PRUNE_INTERVAL_MS) {
          this.lastPrune = now.getTime();
          await tx.pruneIdempotency(new Date(now.getTime() - retentionMs + 1));
        }
      }
      const decision = await decide(tx, collection);
      const result: Outcome<T> = 'fail' in decision ? { error: decision.fail } : { ok: await decision.commit() };
      if (token !== undefined) {
        await tx.putIdempotency(collection.key, operation, token, {
          requestHash: hash,
          response: encodeOutcome(result),
          createdAt: now,
        });
      }
      return result;
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.ok;
  }
}
