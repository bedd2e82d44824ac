/**
 * Shared helpers of the Rekognition provider tests: the compiled adapter
 * (dist/, built by `tsc -p tsconfig.build.json`) typed through its sources,
 * the fake Rekognition from its TypeScript source, and a raw SDK client for
 * arranging state directly on the fake.
 */
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import type { ErrorCode, ErrorDetails } from '../../src/domain/errors.js';
import type * as ProviderContractModule from '../../src/domain/records.js';
import type * as RekognitionDefinitionModule from '../../src/datasources/rekognition/definition.js';
import type * as RekognitionProviderModule from '../../src/datasources/rekognition/rekognition-provider.js';
import type { RekognitionProviderOptions } from '../../src/datasources/rekognition/rekognition-provider.js';
import type { FakeRekognition } from '../fakes/rekognition/server.js';
import { expectDomainError as expectDomainErrorLeaving } from '../support/domain-error.js';

export { DomainError } from '../support/domain-error.js';

/** URL of a compiled module; a non-literal specifier so tsc does not look for its types. */
const distUrl = (path: string): string => new URL(`../../dist/${path}`, import.meta.url).href;

export const { RekognitionProvider } = (await import(
  distUrl('src/datasources/rekognition/rekognition-provider.js')
)) as typeof RekognitionProviderModule;
export const { rekognitionDefinition } = (await import(
  distUrl('src/datasources/rekognition/definition.js')
)) as typeof RekognitionDefinitionModule;
export const { CAPABILITIES } = (await import(distUrl('src/domain/records.js'))) as typeof ProviderContractModule;

export type Provider = InstanceType<typeof RekognitionProvider>;

/** Static test credentials; the secret is distinctive so tests can prove it never leaks into messages. */
export const CREDENTIALS = { accessKeyId: 'AKIDFAKETEST', secretAccessKey: 'fake-secret-do-not-leak-4f1c' };

/** A provider pointed at the fake; no SDK retries unless asked. */
export function providerFor(fake: FakeRekognition, options: Partial<RekognitionProviderOptions> = {}): Provider {
  return new RekognitionProvider({
    name: 'aws-test',
    endpoint: fake.url,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    maxAttempts: 1,
    ...options,
  });
}

/** A raw SDK client on the fake, for arranging state without the adapter. */
export function rawClient(fake: FakeRekognition): RekognitionClient {
  return new RekognitionClient({ endpoint: fake.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
}

/**
 * Asserts `promise` rejects with a DomainError of `code` whose details include `details` and whose
 * message leaves out the secret key; returns it.
 */
export const expectDomainError = (promise: Promise<unknown>, code: ErrorCode, details: Partial<ErrorDetails> = {}) =>
  expectDomainErrorLeaving(promise, code, details, CREDENTIALS.secretAccessKey);

let collections = 0;
/** A fresh collection id per test. */
export const uniqueId = (prefix = 'c'): string => `${prefix}-${process.pid}-${++collections}`;

/**
 * One awsJson1_1 call straight over fetch (no SDK, no signing: the fake only
 * checks that an Authorization header is there) — fast bulk arrangement.
 */
export async function wireCall(fake: FakeRekognition, op: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${fake.url}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `RekognitionService.${op}`,
      Authorization: `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/20260101/us-east-1/rekognition/aws4_request`,
    },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${op}: expected 200, got ${res.status} ${JSON.stringify(json)}`);
  return json;
}
