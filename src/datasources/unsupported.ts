/** The refusal of an operation an instance does not list in its capabilities. */
import { DomainError } from '../domain/errors.js';
import type { ProviderInfo } from '../domain/records.js';

/** UNSUPPORTED_OPERATION of `provider` for `operation` (a Rekognition-style name, e.g. "CompareFaces"). */
export function unsupportedOperation(provider: ProviderInfo, operation: string): DomainError {
  return new DomainError('UNSUPPORTED_OPERATION', `Provider "${provider.name}" (${provider.kind}) does not support ${operation}`, {
    provider: provider.name,
    operation,
  });
}
