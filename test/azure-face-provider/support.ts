/**
 * Shared helpers of the Azure Face provider tests: the compiled adapter
 * (dist/, built by `tsc -p tsconfig.build.json`) typed through its sources,
 * and the fake Azure Face from its TypeScript source.
 */
import type * as ProviderContractModule from '../../src/domain/records.js';
import type * as DefinitionModule from '../../src/datasources/azure-face/definition.js';
import type * as ProviderModule from '../../src/datasources/azure-face/azure-face-provider.js';
import type * as RetainedImagesModule from '../../src/datasources/azure-face/retained-images.js';
import type { AzureFaceProviderOptions } from '../../src/datasources/azure-face/options.js';
import type { FakeAzureFace } from '../fakes/azure-face/server.js';

export { DomainError, expectDomainError } from '../support/domain-error.js';

/** URL of a compiled module; a non-literal specifier so tsc does not look for its types. */
const distUrl = (path: string): string => new URL(`../../dist/${path}`, import.meta.url).href;

export const { AzureFaceProvider } = (await import(distUrl('src/datasources/azure-face/azure-face-provider.js'))) as typeof ProviderModule;
export const { azureFaceDefinition } = (await import(distUrl('src/datasources/azure-face/definition.js'))) as typeof DefinitionModule;
export const { InMemoryRetainedImages } = (await import(
  distUrl('src/datasources/azure-face/retained-images.js')
)) as typeof RetainedImagesModule;
export const { CAPABILITIES } = (await import(distUrl('src/domain/records.js'))) as typeof ProviderContractModule;

export type Provider = InstanceType<typeof AzureFaceProvider>;

/** Fast timings for tests: no real backoff, quick training polls. */
export const FAST: Partial<AzureFaceProviderOptions> = {
  maxAttempts: 1,
  retryBaseDelayMs: 5,
  maxRetryAfterMs: 50,
  requestTimeoutMs: 5_000,
  trainDebounceMs: 20,
  trainingPollMs: 10,
  searchTrainingWaitMs: 5_000,
};

/** A provider pointed at the fake. */
export function providerFor(fake: FakeAzureFace, options: Partial<AzureFaceProviderOptions> = {}): Provider {
  return new AzureFaceProvider({ name: 'azure-test', endpoint: fake.url, apiKey: fake.apiKey, ...FAST, ...options });
}

let collections = 0;
/** A fresh Azure-valid collection id per test. */
export const uniqueId = (prefix = 'c'): string => `${prefix}-${process.pid}-${++collections}`;

/** Raw Face REST call over fetch (for arranging or inspecting state behind the adapter). */
export async function rest(fake: FakeAzureFace, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${fake.url}/face/v1.2${path}`, {
    method,
    headers: { 'Ocp-Apim-Subscription-Key': fake.apiKey, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
}
