import { z } from 'zod';
import { defineProvider } from '../definition.js';
import { AzureFaceProvider } from './azure-face-provider.js';
import { AZURE_SNAPSHOT_LIFETIME_MS, DEFAULT_SNAPSHOT_TIMEOUT_MS, DEFAULT_TRAINING_TIMEOUT_MS } from './limits.js';

/**
 * Options of an `azure-face` provider entry, e.g.
 * `{ "name": "azure-prod", "kind": "azure-face", "endpoint": "https://<resource>.cognitiveservices.azure.com", "apiKey": "…" }`.
 *
 * The API version is fixed at v1.2 (the `@azure-rest/ai-vision-face`
 * default) and the recognition model at recognition_04. Identification
 * (searchUsersByImage, and associateFaces' match check) needs the Face
 * resource's Limited Access approval; without it Azure answers 403
 * UnsupportedFeature (FORBIDDEN).
 */
export const azureFaceOptions = z
  .object({
    /** The Face resource's endpoint, without `/face/v1.2`. */
    endpoint: z.string().url(),
    /** Sent as Ocp-Apim-Subscription-Key. */
    apiKey: z.string().min(1),
    /** Attempts per call, first included (429 and 409 ConcurrentOperationConflict always; 5xx and lost answers on safe calls). */
    maxAttempts: z.number().int().min(1).max(10).default(4),
    /** First backoff step when Azure sends no Retry-After. */
    retryBaseDelayMs: z.number().int().min(1).max(60_000).default(500),
    /** Cap on a Retry-After (and backoff) wait. */
    maxRetryAfterMs: z.number().int().min(0).max(600_000).default(30_000),
    /** One attempt taking longer is abandoned (and retried when safe). */
    requestTimeoutMs: z.number().int().min(1).max(600_000).default(30_000),
    /** A training starts this long after the last change of users' faces. */
    trainDebounceMs: z.number().int().min(0).max(600_000).default(2_000),
    /** Training status poll interval. */
    trainingPollMs: z.number().int().min(10).max(60_000).default(1_000),
    /** One training may run this long before it counts as stuck (twice Azure's documented 30 minutes; ./limits.ts). */
    trainingTimeoutMs: z
      .number()
      .int()
      .min(1_000)
      .max(24 * 60 * 60 * 1000)
      .default(DEFAULT_TRAINING_TIMEOUT_MS),
    /** A v1.0 snapshot take or apply is followed this long; below Azure's 48-hour snapshot lifetime. */
    snapshotTimeoutMs: z
      .number()
      .int()
      .min(1_000)
      .max(AZURE_SNAPSHOT_LIFETIME_MS - 60 * 60 * 1000)
      .default(DEFAULT_SNAPSHOT_TIMEOUT_MS),
    /** searchUsersByImage waits at most this long for a pending training, then answers THROTTLED. */
    searchTrainingWaitMs: z.number().int().min(0).max(600_000).default(10_000),
    detectionModel: z.enum(['detection_01', 'detection_03']).default('detection_03'),
    /** Re-read a collection from Azure when its cached index is older (for several gateways on one Face resource); absent = never. */
    indexMaxAgeMs: z.number().int().min(1_000).optional(),
    /** Parallel calls of one batch (index rebuilds, collection lookups). */
    concurrency: z.number().int().min(1).max(64).default(4),
    /**
     * "gateway": snapshots are copies in the gateway store, re-added face by
     * face on apply. "v1.0": takes and applies also use Azure's own Snapshot
     * API (retired by Azure; for resources that still have it), which keeps
     * ids and training; needs `subscriptionId`.
     */
    snapshotApi: z.enum(['gateway', 'v1.0']).default('gateway'),
    /** The Azure subscription (uuid) allowed to apply v1.0 snapshots: their applyScope. */
    subscriptionId: z.string().uuid().optional(),
  })
  .strict()
  .refine((o) => o.snapshotApi !== 'v1.0' || o.subscriptionId !== undefined, {
    message: 'snapshotApi "v1.0" needs subscriptionId (the Azure subscription allowed to apply the snapshots)',
    path: ['subscriptionId'],
  });

/** Azure AI Face (v1.2) through `@azure-rest/ai-vision-face`. */
export const azureFaceDefinition = defineProvider({
  kind: 'azure-face',
  options: azureFaceOptions,
  create: (name, options, deps) =>
    new AzureFaceProvider({ name, ...options, logger: deps?.logger, changes: deps?.changes, store: deps?.store }),
});
