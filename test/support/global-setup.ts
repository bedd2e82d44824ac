/**
 * One gateway for the whole run, configured with two provider instances:
 * `local` (the built-in engine) and `aws` (the Rekognition adapter, pointed
 * at the protocol-faithful fake started here). Files that need their own
 * gateway (crash tests, fault injection) start one more.
 * Tests reach them with `inject('gatewayUrl')` etc.
 */
import { readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startFakeRekognition } from '../fakes/rekognition/server.js';
import { removeDataDir, startGateway } from './gateway.js';
import { PHOTOS, type Identity } from './photos.js';

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
    gatewayWsUrl: string;
    fakeRekognitionUrl: string;
  }
}

/** Provider instances of the shared gateway (the conformance suite runs on each). */
export function sharedProviders(fakeRekognitionUrl: string): Record<string, unknown>[] {
  return [
    { name: 'local', kind: 'local' },
    {
      name: 'aws',
      kind: 'rekognition',
      region: 'us-east-1',
      endpoint: fakeRekognitionUrl,
      accessKeyId: 'AKIDFAKEFACEGATE',
      secretAccessKey: 'fake-secret',
      maxAttempts: 2,
    },
  ];
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fake = await startFakeRekognition();
  // The fake has no model: it is told who is in each real photo the tests use.
  for (const [identity, files] of Object.entries(PHOTOS) as [Identity, readonly string[]][]) {
    for (const file of files) fake.declareImage(readFileSync(file), [{ identity }]);
  }
  const gateway = await startGateway({ config: { providers: sharedProviders(fake.url) } });
  project.provide('gatewayUrl', gateway.url);
  project.provide('gatewayWsUrl', gateway.wsUrl);
  project.provide('fakeRekognitionUrl', fake.url);
  return async () => {
    await gateway.stop();
    await fake.stop();
    removeDataDir(gateway.dataDir);
  };
}
