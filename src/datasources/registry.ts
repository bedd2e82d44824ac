/**
 * Every provider adapter the gateway knows, by configuration `kind`.
 * Adding a provider: a folder beside this file with a definition, and one
 * line here.
 */
import type { ProviderDefinition, ProviderDeps } from './definition.js';
import type { FaceProvider } from './provider.js';
import { azureFaceDefinition } from './azure-face/definition.js';
import { localDefinition } from './local/definition.js';
import { rekognitionDefinition } from './rekognition/definition.js';
import { resilienceOptions, type ResilienceOptions } from './resilience/options.js';
import { withResilience, type CircuitListener } from './resilience/resilient-provider.js';

export const PROVIDER_DEFINITIONS: readonly ProviderDefinition[] = [localDefinition, rekognitionDefinition, azureFaceDefinition];

/** A validated provider entry from configuration. */
export interface ProviderConfig {
  name: string;
  kind: string;
  options: unknown;
  /** Timeout, retries and circuit breaker of the instance; the defaults of resilience/options.ts when absent. */
  resilience?: ResilienceOptions;
}

/** The configured provider instances, by name. */
export class ProviderRegistry {
  private readonly byName = new Map<string, FaceProvider>();

  /**
   * Every instance is wrapped with its resilience settings (timeout,
   * retries, circuit breaker), then with `wrap` (e.g. metrics, which so
   * count fast failures too).
   */
  constructor(
    configs: readonly ProviderConfig[],
    deps: ProviderDeps,
    wrap: (p: FaceProvider) => FaceProvider = (p) => p,
    onCircuit?: CircuitListener,
  ) {
    for (const config of configs) {
      const definition = PROVIDER_DEFINITIONS.find((d) => d.kind === config.kind);
      if (!definition) throw new Error(`provider ${config.name}: expected a known kind, got ${config.kind}`);
      const instance = definition.create(config.name, config.options, deps);
      const resilience = config.resilience ?? resilienceOptions.parse(undefined);
      this.byName.set(config.name, wrap(withResilience(instance, resilience, deps.logger, onCircuit)));
    }
  }

  /** Instances in configuration order. */
  list(): FaceProvider[] {
    return [...this.byName.values()];
  }

  get(name: string): FaceProvider | undefined {
    return this.byName.get(name);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.list().map((p) => p.close()));
  }
}
