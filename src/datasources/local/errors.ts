/**
 * Maps the local engine's failures to domain errors. The engine's messages
 * on an image it refused or a full queue are its own words about the
 * caller's input and are kept; an unavailable engine's (a worker's error,
 * which may name files) goes to the logs only, as the error's `cause`.
 */
import { DomainError } from '../../domain/errors.js';
import type { EngineErrorCode } from '../../engine/types.js';

/** Retry hint when the engine's QUEUE_FULL carries none. */
const DEFAULT_RETRY_AFTER_MS = 1000;

interface EngineErrorLike {
  code: EngineErrorCode;
  message: string;
  retryAfterMs?: number;
}

const ENGINE_CODES: ReadonlySet<string> = new Set<EngineErrorCode>(['INVALID_IMAGE', 'QUEUE_FULL', 'UNAVAILABLE']);

/**
 * True for an EngineError. Checked by shape as well as class: an error
 * rebuilt after crossing a worker-thread boundary is not an instance.
 */
export function isEngineError(error: unknown): error is EngineErrorLike {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return error.name === 'EngineError' && typeof code === 'string' && ENGINE_CODES.has(code);
}

/** The DomainError for an engine failure, or `error` itself when it is not one. */
export function fromEngineError(error: unknown, provider: string): unknown {
  if (!isEngineError(error)) return error;
  switch (error.code) {
    case 'INVALID_IMAGE':
      return new DomainError(
        'INVALID_IMAGE',
        `image: expected an image the "${provider}" engine accepts (JPEG, PNG, WebP, GIF or TIFF within its limits), got one it refused: ${error.message}`,
        { field: 'image', provider },
      );
    case 'QUEUE_FULL': {
      const retryAfterMs = error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
      return new DomainError(
        'THROTTLED',
        `Provider "${provider}" is busy: expected room in the inference queue, got a full queue (${error.message}); retry after ${retryAfterMs} ms`,
        { provider, retryAfterMs },
      );
    }
    case 'UNAVAILABLE':
      return new DomainError(
        'PROVIDER_UNAVAILABLE',
        `Provider "${provider}" is unavailable: expected a running face engine, got one that failed`,
        { provider },
        // The engine's text (a worker's error, which may name files) is logged, not sent.
        error,
      );
  }
}
