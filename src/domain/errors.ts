/**
 * Domain errors: the expected failures every layer speaks.
 *
 * Datasources throw {@link DomainError}; resolvers turn it into the matching
 * member of a mutation's result union, or into a GraphQL error with a stable
 * `extensions.code` when the union has no such member. Nothing below the
 * resolvers knows GraphQL.
 */

/** Stable codes, identical to the `ErrorCode` enum of the public schema. */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'COLLECTION_NOT_FOUND',
  'COLLECTION_ALREADY_EXISTS',
  'USER_NOT_FOUND',
  'USER_ALREADY_EXISTS',
  'SNAPSHOT_NOT_FOUND',
  'SNAPSHOT_EXPIRED',
  'OPERATION_NOT_FOUND',
  'IDEMPOTENCY_CONFLICT',
  'QUOTA_EXCEEDED',
  'THROTTLED',
  'UNSUPPORTED_OPERATION',
  'PROVIDER_UNAVAILABLE',
  'FORBIDDEN',
  'NO_FACE_DETECTED',
  'INVALID_IMAGE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Extra facts an error carries; each maps onto a field of its schema type. */
export interface ErrorDetails {
  /** Input path that failed validation, e.g. `input.faceIds[3]`. */
  field?: string;
  collectionId?: string;
  userId?: string;
  snapshotId?: string;
  clientRequestToken?: string;
  retryAfterMs?: number;
  provider?: string;
  operation?: string;
  expiredAt?: Date;
  /** The provider's own error name (e.g. `ThrottlingException`), exposed as `extensions.providerCode`. */
  providerCode?: string;
}

/**
 * An expected failure with a stable code. Its message is safe to show to
 * callers: it is written in our words and never quotes a provider's own
 * text (AWS messages carry account ids and ARNs, socket errors internal
 * addresses). That text travels as `cause`, for the logs only
 * ({@link providerTextOf}).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    /** The provider's own error this one stands for: logged, never sent. @default undefined */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'DomainError';
  }
}

/** The provider's own text behind `error` (its cause's message), for logs; undefined when it has none. */
export function providerTextOf(error: DomainError): string | undefined {
  const cause = error.cause;
  if (cause === undefined) return undefined;
  const text = cause instanceof Error ? cause.message : String(cause);
  return text === '' ? undefined : text;
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/** Shorthand for the most common failure: a field that is not what was expected. */
export function invalidInput(field: string, expected: string, got: string): DomainError {
  return new DomainError('INVALID_INPUT', `${field}: expected ${expected}, got ${got}`, { field });
}
