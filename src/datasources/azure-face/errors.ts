/**
 * Azure AI Face failures → domain errors (providers.md §B.2, §D).
 *
 * The transport (./transport.ts) turns every non-2xx answer into an
 * {@link AzureServiceError} after its retries, and every missing answer
 * (socket error, timeout) into an {@link AzureTransportError}; this module
 * maps both. Every DomainError made here carries `details.provider`,
 * `details.operation` (Azure's operation id, e.g. `AddLargeFaceListFace`)
 * and `details.providerCode`: the raw `error.code` (or, for the older 429
 * body, its `statusCode`), or the socket error code when no answer came.
 *
 * Azure reuses one code with different HTTP statuses per operation
 * (LargePersonGroupNotFound is 400 inside identify, 404 on the group's own
 * routes), so the mapping keys on the code, never on the status, except for
 * the gateway-level numeric codes (401, 429) and 5xx.
 *
 * | Azure code (status)                                          | domain code          |
 * |--------------------------------------------------------------|----------------------|
 * | 401 (401)                                                    | FORBIDDEN            |
 * | UnsupportedFeature (403), any other 403                      | FORBIDDEN            |
 * | QuotaExceeded (403)                                          | QUOTA_EXCEEDED       |
 * | 429 / statusCode 429 (429)                                   | THROTTLED (Retry-After, capped) |
 * | ConcurrentOperationConflict (409)                            | THROTTLED            |
 * | LargePersonGroupTrainingNotFinished, LargeFaceListTrainingNotFinished (409) | THROTTLED |
 * | LargePersonGroupNotTrained (400/404)                         | THROTTLED            |
 * | LargePersonGroupNotFound, LargeFaceListNotFound (400/404)    | COLLECTION_NOT_FOUND |
 * | LargePersonGroupExists (409)                                 | COLLECTION_ALREADY_EXISTS |
 * | PersonNotFound (400/404)                                     | USER_NOT_FOUND       |
 * | InvalidImage, InvalidImageSize, InvalidURL (400)             | INVALID_IMAGE        |
 * | BadArgument (400)                                            | INVALID_INPUT        |
 * | FaceNotFound, PersistedFaceNotFound, 5xx, anything else      | PROVIDER_UNAVAILABLE |
 * | no answer (ECONNRESET, ECONNREFUSED, timeout)                | PROVIDER_UNAVAILABLE |
 *
 * Messages say what was expected and what came back by Azure's code, in our
 * words; Azure's own message and a socket error's (internal addresses) ride
 * along as the DomainError's `cause`, which is logged and never sent.
 *
 * Callers handle the expected not-found cases themselves (a face gone from
 * a list is FACE_NOT_FOUND in an outcome, not an error).
 */
import { DomainError, type ErrorCode } from '../../domain/errors.js';

/** THROTTLED's retry hint when Azure sent none. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/** A non-2xx answer of Azure, after the transport's retries. */
export class AzureServiceError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    /** `error.code`, or `statusCode` of the older body shape, or `x-ms-error-code`, or the status. */
    readonly code: string,
    message: string,
    /** From Retry-After (already capped); null when absent. */
    readonly retryAfterMs: number | null,
    /** True when an earlier attempt of the same call may have taken effect (5xx or lost answer before this one). */
    readonly afterAmbiguousFailure: boolean,
  ) {
    super(message);
    this.name = 'AzureServiceError';
  }
}

/** No answer from Azure: socket error, refused connection or timeout. */
export class AzureTransportError extends Error {
  constructor(
    readonly operation: string,
    /** e.g. ECONNRESET, ECONNREFUSED, TIMEOUT. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AzureTransportError';
  }
}

/** What was being done when a call failed. */
export interface CallContext {
  provider: string;
  collectionId?: string;
  userId?: string;
}

const TRAINING_BUSY = new Set(['LargePersonGroupTrainingNotFinished', 'LargeFaceListTrainingNotFinished', 'ConcurrentOperationConflict']);
const NOT_TRAINED = new Set(['LargePersonGroupNotTrained', 'LargeFaceListNotTrained']);
const IMAGE = new Set(['InvalidImage', 'InvalidImageSize', 'InvalidURL']);
const COLLECTION_GONE = new Set(['LargePersonGroupNotFound', 'LargeFaceListNotFound']);

/** True for an Azure answer with one of `codes`. */
export function hasCode(error: unknown, ...codes: string[]): error is AzureServiceError {
  return error instanceof AzureServiceError && codes.includes(error.code);
}

/** Maps any error of a call to a DomainError (a DomainError passes through). */
export function toDomainError(error: unknown, ctx: CallContext): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof AzureServiceError) return fromServiceError(error, ctx);
  if (error instanceof AzureTransportError) {
    const what = error.code === 'TIMEOUT' ? 'timed out' : 'failed';
    return new DomainError(
      'PROVIDER_UNAVAILABLE',
      `Azure Face ${error.operation} (provider "${ctx.provider}") ${what}: expected a response from the service, got ${error.code}`,
      { provider: ctx.provider, operation: error.operation, providerCode: error.code },
      error,
    );
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return new DomainError(
    'PROVIDER_UNAVAILABLE',
    `Azure Face (provider "${ctx.provider}") failed: expected a response from the service, got ${e.name}`,
    { provider: ctx.provider, providerCode: e.name },
    e,
  );
}

function fromServiceError(error: AzureServiceError, ctx: CallContext): DomainError {
  const { code, status } = error;
  // Status and code alone: Azure's message stays in `cause` (logged, never sent).
  const got = `HTTP ${status} ${code}`;
  const where = `Azure Face ${error.operation} (provider "${ctx.provider}")`;
  const base = { provider: ctx.provider, operation: error.operation, providerCode: code };
  const make = (c: ErrorCode, message: string, extra: object = {}) => new DomainError(c, message, { ...base, ...extra }, error);
  const retryAfterMs = error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;

  if (status === 401 || code === '401') {
    return make('FORBIDDEN', `${where}: expected the configured apiKey to be accepted for this endpoint, got ${got}`);
  }
  if (code === 'QuotaExceeded') {
    return make('QUOTA_EXCEEDED', `${where}: expected the request to fit the Azure Face quotas, got ${got}`, scope(ctx));
  }
  if (status === 403 || code === 'UnsupportedFeature') {
    return make(
      'FORBIDDEN',
      `${where}: expected the Face resource to be approved for this feature (identification/verification need Limited Access approval), got ${got}`,
    );
  }
  if (status === 429 || code === '429') {
    return make(
      'THROTTLED',
      `${where}: expected the request to be served, got ${got} after the adapter's retries; retry after ${retryAfterMs} ms`,
      {
        retryAfterMs,
      },
    );
  }
  if (TRAINING_BUSY.has(code) || NOT_TRAINED.has(code)) {
    return make(
      'THROTTLED',
      `${where}: expected collection "${ctx.collectionId}" to be trained and idle, got ${got}; retry after ${retryAfterMs} ms`,
      { retryAfterMs, ...scope(ctx) },
    );
  }
  if (COLLECTION_GONE.has(code)) {
    return make(
      'COLLECTION_NOT_FOUND',
      `Collection "${ctx.collectionId}" not found in provider "${ctx.provider}": expected an existing collection id, got an unknown one (${where}: ${got})`,
      { collectionId: ctx.collectionId },
    );
  }
  if (code === 'LargePersonGroupExists') {
    return make(
      'COLLECTION_ALREADY_EXISTS',
      `Collection "${ctx.collectionId}" already exists in provider "${ctx.provider}": expected a new collection id, got one in use (${where}: ${got})`,
      { collectionId: ctx.collectionId },
    );
  }
  if (code === 'PersonNotFound' && ctx.userId !== undefined) {
    return make(
      'USER_NOT_FOUND',
      `User "${ctx.userId}" not found in collection "${ctx.collectionId}": expected an existing user id, got an unknown one (${where}: ${got})`,
      { collectionId: ctx.collectionId, userId: ctx.userId },
    );
  }
  if (IMAGE.has(code)) {
    return make(
      'INVALID_IMAGE',
      `image: expected a JPEG or PNG image Azure Face accepts (1 KB..6 MB), got one it refused (${where}: ${got})`,
      {
        field: 'image',
      },
    );
  }
  if (code === 'BadArgument') {
    return make('INVALID_INPUT', `input: expected values Azure Face accepts, got ones it refused (${where}: ${got})`);
  }
  return make('PROVIDER_UNAVAILABLE', `${where}: expected a response, got ${got}`);
}

function scope(ctx: CallContext): object {
  return {
    ...(ctx.collectionId !== undefined ? { collectionId: ctx.collectionId } : {}),
    ...(ctx.userId !== undefined ? { userId: ctx.userId } : {}),
  };
}
