/**
 * The one object the operation modules of the `azure-face` provider are
 * handed: the parts built from the options (./adapter-parts.ts), the
 * per-collection cache and locks (./collection-cache.ts), and the
 * provider's open check.
 */
import type { AdapterParts } from './adapter-parts.js';
import type { CollectionCache } from './collection-cache.js';

/** Everything an operation of the provider works with, passed explicitly. */
export interface AdapterDeps extends AdapterParts {
  /** Loaded indexes, trainers and locks per collection. */
  readonly cache: CollectionCache;
  /** PROVIDER_UNAVAILABLE once the provider is closed. */
  assertOpen(): void;
}
