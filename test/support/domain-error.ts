/**
 * Asserting the DomainError a provider adapter throws, for the provider test
 * suites that drive the compiled adapters (dist/, typed through the sources).
 */
import { expect } from 'vitest';
import type * as ErrorsModule from '../../src/domain/errors.js';
import type { ErrorCode, ErrorDetails } from '../../src/domain/errors.js';

/** URL of a compiled module; a non-literal specifier so tsc does not look for its types. */
const distUrl = (path: string): string => new URL(`../../dist/${path}`, import.meta.url).href;

export const { DomainError } = (await import(distUrl('src/domain/errors.js'))) as typeof ErrorsModule;

/**
 * Asserts `promise` rejects with a DomainError of `code` whose details include `details` (and whose
 * message leaves out `secret`); returns it.
 */
export async function expectDomainError(
  promise: Promise<unknown>,
  code: ErrorCode,
  details: Partial<ErrorDetails> = {},
  secret?: string,
): Promise<InstanceType<typeof DomainError>> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, `expected a ${code} DomainError`).toBeInstanceOf(DomainError);
  const domain = error as InstanceType<typeof DomainError>;
  expect({ code: domain.code, message: domain.message }).toMatchObject({ code });
  expect(domain.details).toMatchObject(details);
  if (secret) expect(domain.message).not.toContain(secret);
  return domain;
}
