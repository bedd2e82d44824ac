/**
 * ClientRequestToken bookkeeping: what makes two requests "the same input",
 * and how an outcome — success or domain failure — is stored and replayed.
 *
 * Order of ids matters in the hash: an SDK retry resends the same body, and
 * a reordered list is a different request whose response lists differ.
 */
import { createHash } from 'node:crypto';
import { DomainError, type ErrorCode, type ErrorDetails } from '../../domain/errors.js';

/** The operations that take a ClientRequestToken; also the token's scope within a collection. */
export type IdempotentOperation = 'CreateUser' | 'DeleteUser' | 'AssociateFaces' | 'DisassociateFaces';

/** A finished call: its value, or the domain error it failed with. */
export type Outcome<T> = { ok: T } | { error: DomainError };

/** Hash of everything that makes a request what it is (collection scope is implied by the record's key). */
export function requestHash(operation: IdempotentOperation, request: Readonly<Record<string, unknown>>): string {
  return createHash('sha256')
    .update(JSON.stringify([operation, request]))
    .digest('hex');
}

/**
 * Serializes an outcome for the idempotency record. Values must survive a
 * JSON round trip unchanged (no Dates), which holds for the user operations.
 */
export function encodeOutcome<T>(outcome: Outcome<T>): string {
  if ('ok' in outcome) return JSON.stringify({ ok: outcome.ok ?? null });
  const { code, message, details } = outcome.error;
  return JSON.stringify({ error: { code, message, details } });
}

/** Rebuilds an outcome stored by {@link encodeOutcome}. */
export function decodeOutcome<T>(json: string): Outcome<T> {
  const parsed = JSON.parse(json) as { ok?: T; error?: { code: ErrorCode; message: string; details: ErrorDetails } };
  if (parsed.error) return { error: new DomainError(parsed.error.code, parsed.error.message, parsed.error.details) };
  if (!('ok' in parsed)) {
    throw new Error(`idempotency record: expected {"ok"} or {"error"}, got keys ${Object.keys(parsed).join(', ')}`);
  }
  return { ok: parsed.ok as T };
}

/** IDEMPOTENCY_CONFLICT for a token reused with other input. */
export function idempotencyConflict(operation: IdempotentOperation, collectionId: string, clientRequestToken: string): DomainError {
  return new DomainError(
    'IDEMPOTENCY_CONFLICT',
    `clientRequestToken "${clientRequestToken}" was first used for a different ${operation} request on collection "${collectionId}": expected the same input as that first use, got different input`,
    { clientRequestToken, collectionId, operation },
  );
}
