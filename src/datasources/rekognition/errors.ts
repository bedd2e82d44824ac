/**
 * Rekognition failures → domain errors (providers.md §D).
 *
 * Every DomainError made here carries `details.provider` (the instance
 * name), `details.operation` (the Rekognition operation) and
 * `details.providerCode`: the raw `__type` of a service error, or the
 * Node/SDK error code (e.g. `ECONNRESET`, `TimeoutError`) when no response
 * came. Messages say what was expected and what came back, in our words
 * and by that code: the service's own message (AWS puts account ids and
 * ARNs in it) and a socket error's (internal addresses) ride along as the
 * DomainError's `cause`, which is logged and never sent.
 *
 * ResourceNotFoundException names no resource kind reliably, so the caller
 * decides: for operations on a user of an existing collection it is
 * USER_NOT_FOUND, otherwise COLLECTION_NOT_FOUND (see `notFound`).
 */
import { DomainError, type ErrorCode } from '../../domain/errors.js';
import { inputField } from './input-fields.js';

/** The retry hint of THROTTLED: the SDK has already backed off `maxAttempts` times. */
export const RETRY_AFTER_MS = 1000;

/** What was being done when a call failed. */
export interface CallContext {
  /** Provider instance name. */
  provider: string;
  /** Rekognition operation, e.g. `AssociateFaces`. */
  operation: string;
  collectionId?: string;
  userId?: string;
  clientRequestToken?: string;
  /** How to read ResourceNotFoundException. @default 'collection' */
  notFound?: 'collection' | 'user';
  /**
   * How to read an InvalidParameterException that is not a field's
   * validation (those say "failed to satisfy constraint"): `no-face` for
   * SearchFacesByImage and CompareFaces ("If no faces are detected …
   * returns an InvalidParameterException"), `face-id` / `user-id` for a
   * FaceId or UserId the collection does not hold (SearchFaces, SearchUsers:
   * "faceId was not found in the collection"). @default undefined: INVALID_INPUT
   */
  invalidParameter?: 'no-face' | 'face-id' | 'user-id';
  /** The input field of the image or id the call is about, for NO_FACE_DETECTED and INVALID_INPUT. @default 'image' / 'input.faceId' */
  field?: string;
  /**
   * This call's AWS members whose input field is not the usual one
   * (input-fields.ts): member → GraphQL path, or null for a value the
   * adapter chose. @default {} (INPUT_FIELDS alone)
   */
  fields?: Readonly<Record<string, string | null>>;
}

/** The shape of an SDK service exception that we rely on. */
interface ServiceErrorLike {
  name: string;
  message: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** True for an error the SDK built from an HTTP response of the service. */
export function isServiceError(error: unknown): error is ServiceErrorLike {
  if (!(error instanceof Error)) return false;
  const status = (error as ServiceErrorLike).$metadata?.httpStatusCode;
  return typeof status === 'number';
}

/** The raw error name of a service error (`__type`), e.g. `ThrottlingException`; null for anything else. */
export function providerCodeOf(error: unknown): string | null {
  return isServiceError(error) ? error.name : null;
}

const THROTTLING = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'LimitExceededException']);
const IMAGE = new Set(['InvalidImageFormatException', 'ImageTooLargeException', 'InvalidS3ObjectException']);
/** Authentication and authorization failures of AWS's front door. */
const FORBIDDEN = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
]);

/** Maps any error from the SDK to a DomainError (a DomainError passes through). */
export function toDomainError(error: unknown, ctx: CallContext): DomainError {
  if (error instanceof DomainError) return error;
  if (isServiceError(error)) return fromServiceError(error, ctx);
  return fromTransportError(error, ctx);
}

function fromServiceError(error: ServiceErrorLike, ctx: CallContext): DomainError {
  const code = error.name;
  const status = error.$metadata?.httpStatusCode ?? 0;
  // The code alone: the service's message stays in `cause` (logged, never sent).
  const got = code;
  const base = { provider: ctx.provider, operation: ctx.operation, providerCode: code };
  const where = `Rekognition ${ctx.operation} (provider "${ctx.provider}")`;
  const make = (c: ErrorCode, message: string, extra: object = {}) => new DomainError(c, message, { ...base, ...extra }, error);

  if (code === 'ResourceNotFoundException') {
    if (ctx.notFound === 'user') {
      return make(
        'USER_NOT_FOUND',
        `User "${ctx.userId}" not found in collection "${ctx.collectionId}": expected an existing user id, got an unknown one (${where}: ${got})`,
        { collectionId: ctx.collectionId, userId: ctx.userId },
      );
    }
    return make(
      'COLLECTION_NOT_FOUND',
      `Collection "${ctx.collectionId}" not found in provider "${ctx.provider}": expected an existing collection id, got an unknown one (${where}: ${got})`,
      { collectionId: ctx.collectionId },
    );
  }
  if (code === 'ResourceAlreadyExistsException') {
    return make(
      'COLLECTION_ALREADY_EXISTS',
      `Collection "${ctx.collectionId}" already exists in provider "${ctx.provider}": expected a new collection id, got one in use (${where}: ${got})`,
      { collectionId: ctx.collectionId },
    );
  }
  if (code === 'ConflictException') {
    if (ctx.operation === 'CreateUser') {
      return make(
        'USER_ALREADY_EXISTS',
        `User "${ctx.userId}" already exists in collection "${ctx.collectionId}": expected a new user id, got one in use (${where}: ${got})`,
        { collectionId: ctx.collectionId, userId: ctx.userId },
      );
    }
    // "the update or deletion of the User caused an inconsistent state": a
    // concurrent change of the same user; retrying later is the remedy.
    return make(
      'THROTTLED',
      `${where}: expected user "${ctx.userId}" to be free for changes, got a conflicting concurrent change (${got}); retry after ${RETRY_AFTER_MS} ms`,
      { collectionId: ctx.collectionId, userId: ctx.userId, retryAfterMs: RETRY_AFTER_MS },
    );
  }
  if (code === 'IdempotentParameterMismatchException') {
    return make(
      'IDEMPOTENCY_CONFLICT',
      `clientRequestToken "${ctx.clientRequestToken}" was first used for a different ${ctx.operation} request on collection "${ctx.collectionId}": expected the same input as that first use, got different input (${where}: ${got})`,
      { collectionId: ctx.collectionId, clientRequestToken: ctx.clientRequestToken },
    );
  }
  if (code === 'ServiceQuotaExceededException') {
    return make('QUOTA_EXCEEDED', `${where}: expected the request to fit the service quotas, got ${got}`, {
      collectionId: ctx.collectionId,
      ...(ctx.userId !== undefined ? { userId: ctx.userId } : {}),
    });
  }
  if (THROTTLING.has(code)) {
    return make(
      'THROTTLED',
      `${where}: expected the request to be served, got ${got} after the SDK's retries; retry after ${RETRY_AFTER_MS} ms`,
      {
        retryAfterMs: RETRY_AFTER_MS,
      },
    );
  }
  if (
    IMAGE.has(code) ||
    ((code === 'InvalidParameterException' || code === 'ValidationException') && /[iI]mage\.bytes'/.test(error.message))
  ) {
    return make(
      'INVALID_IMAGE',
      `image: expected a JPEG or PNG image Rekognition accepts (at most 5 MiB), got one it refused (${where}: ${got})`,
      {
        field: 'image',
      },
    );
  }
  if (code === 'InvalidPaginationTokenException') {
    return make(
      'INVALID_INPUT',
      `after: expected a nextToken from a previous page of this listing, got one Rekognition refused (${where}: ${got})`,
      {
        field: 'after',
      },
    );
  }
  if (code === 'InvalidParameterException' && ctx.invalidParameter !== undefined && !/failed to satisfy constraint/.test(error.message)) {
    if (ctx.invalidParameter === 'no-face') {
      const field = ctx.field ?? 'image';
      return make('NO_FACE_DETECTED', `${field}: expected an image with a face, got one where Rekognition found none (${where}: ${got})`, {
        field,
      });
    }
    if (ctx.invalidParameter === 'user-id') {
      return make(
        'USER_NOT_FOUND',
        `User "${ctx.userId}" not found in collection "${ctx.collectionId}": expected an existing user id, got an unknown one (${where}: ${got})`,
        { collectionId: ctx.collectionId, userId: ctx.userId },
      );
    }
    const field = ctx.field ?? 'input.faceId';
    return make(
      'INVALID_INPUT',
      `${field}: expected the id of a face in collection "${ctx.collectionId}", got an unknown one (${where}: ${got})`,
      {
        field,
        collectionId: ctx.collectionId,
      },
    );
  }
  if (code === 'InvalidParameterException' || code === 'ValidationException') {
    // AWS names the member: "Value 'x' at 'collectionId' failed to satisfy constraint"; the client knows its input path.
    const member = /at '([A-Za-z0-9_.]+)'/.exec(error.message)?.[1];
    const field = member === undefined ? null : inputField(member, ctx.fields);
    const what = field ?? (member === undefined ? 'input' : `a value the gateway chose (${member})`);
    return make('INVALID_INPUT', `${what}: expected a value Rekognition accepts, got one it refused (${where}: ${got})`, {
      ...(field ? { field } : {}),
    });
  }
  if (FORBIDDEN.has(code) || status === 401 || status === 403) {
    return make('FORBIDDEN', `${where}: expected the configured AWS credentials to be allowed, got ${got}`);
  }
  // InternalServerError, ServiceUnavailable, any other 5xx, and anything
  // this adapter does not know: the service did not do what was asked.
  return make('PROVIDER_UNAVAILABLE', `${where}: expected a response, got HTTP ${status} ${got}`);
}

function fromTransportError(error: unknown, ctx: CallContext): DomainError {
  const e: Error & { code?: unknown } = error instanceof Error ? error : new Error(String(error));
  // Socket errors are known by their code (ECONNRESET, ECONNREFUSED; the
  // SDK's own request timeout is ETIMEDOUT). The SDK renames several of them
  // "TimeoutError" to have them retried, so the name alone says little.
  const code = typeof e.code === 'string' ? e.code : undefined;
  const providerCode = code ?? e.name;
  const what = code === 'ETIMEDOUT' || (code === undefined && e.name === 'TimeoutError') ? 'timed out' : 'failed';
  return new DomainError(
    'PROVIDER_UNAVAILABLE',
    `Rekognition ${ctx.operation} (provider "${ctx.provider}") ${what}: expected a response from the service, got ${providerCode}`,
    { provider: ctx.provider, operation: ctx.operation, providerCode },
    e,
  );
}
