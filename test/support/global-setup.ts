/**
 * One gateway for the whole run, configured with three provider instances:
 * `local` (the built-in engine), `aws` (the Rekognition adapter) and `azure`
 * (the Azure Face adapter), the last two pointed at the protocol-faithful
 * fakes started here. Files that need their own
 * gateway (crash tests, fault injection) start one more.
 * Tests reach them with `inject('gatewayUrl')` etc.
 */
import { readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startFakeAzureFace } from '../fakes/azure-face/server.js';
import { startFakeRekognition } from '../fakes/rekognition/server.js';
import { removeDataDir, startGateway } from './gateway.js';
import { sharedProviders } from './shared-providers.js';
import { PHOTOS, type Identity } from './photos.js';

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
    gatewayWsUrl: string;
    fakeRekognitionUrl: string;
    fakeAzureUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Users read UPDATING for a few requests after their faces change, as AWS documents (its own AssociateFaces
  // example answers UPDATING): every test on the shared fake must accept what AWS promises, not more.
  const fake = await startFakeRekognition({ userUpdatingWindow: 3 });
  const azure = await startFakeAzureFace();
  // The fakes have no model: they are told who is in each real photo the tests use.
  for (const [identity, files] of Object.entries(PHOTOS) as [Identity, readonly string[]][]) {
    for (const file of files) {
      fake.declareImage(readFileSync(file), [{ identity }]);
      azure.declareImage(readFileSync(file), [{ identity }]);
    }
  }
  const gateway = await startGateway({ config: { providers: sharedProviders(fake.url, azure) } });
  project.provide('gatewayUrl', gateway.url);
  project.provide('gatewayWsUrl', gateway.wsUrl);
  project.provide('fakeRekognitionUrl', fake.url);
  project.provide('fakeAzureUrl', azure.url);
  return async () => {
    await gateway.stop();
    await fake.stop();
    await azure.stop();
    removeDataDir(gateway.dataDir);
  };
}
