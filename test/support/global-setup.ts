/**
 * One gateway for the whole run (files that need their own — crash tests —
 * start one more). Tests reach it with `inject('gatewayUrl')`.
 */
import type { TestProject } from 'vitest/node';
import { removeDataDir, startGateway } from './gateway.js';

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
    gatewayWsUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const gateway = await startGateway();
  project.provide('gatewayUrl', gateway.url);
  project.provide('gatewayWsUrl', gateway.wsUrl);
  return async () => {
    await gateway.stop();
    removeDataDir(gateway.dataDir);
  };
}
