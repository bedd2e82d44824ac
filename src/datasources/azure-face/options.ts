/**
 * The options an `azure-face` provider is built with: configuration
 * (./definition.ts validates it) plus the parts the gateway hands over
 * (store, logger, change feed).
 */
import type { Logger } from 'pino';
import type { Store } from '../../store/store.js';
import type { ChangeFeed } from '../definition.js';
import type { RetainedImages } from './retained-images.js';

/** Options for the `azure-face` provider (./azure-face-provider.ts). */
export interface AzureFaceProviderOptions {
  /** Instance name from configuration. */
  name: string;
  /** `https://<resource>.cognitiveservices.azure.com` (or a fake's URL). */
  endpoint: string;
  apiKey: string;
  /** Attempts per call including the first. @default 4 */
  maxAttempts?: number;
  /** First backoff step without Retry-After. @default 500 */
  retryBaseDelayMs?: number;
  /** Cap on a Retry-After wait (and on backoff). @default 30000 */
  maxRetryAfterMs?: number;
  /** One attempt taking longer is abandoned. @default 30000 */
  requestTimeoutMs?: number;
  /** Training starts this long after the last change. @default 2000 */
  trainDebounceMs?: number;
  /** Training status poll interval. @default 1000 */
  trainingPollMs?: number;
  /** One training may take this long. @default {@link DEFAULT_TRAINING_TIMEOUT_MS} (60 minutes) */
  trainingTimeoutMs?: number;
  /** A v1.0 snapshot take or apply may take this long (polled every `trainingPollMs`). @default {@link DEFAULT_SNAPSHOT_TIMEOUT_MS} (24 hours) */
  snapshotTimeoutMs?: number;
  /** A search waits at most this long for a pending training, then THROTTLED. @default 10000 */
  searchTrainingWaitMs?: number;
  /** Azure detection model for detect and add-face. @default detection_03 */
  detectionModel?: 'detection_01' | 'detection_03';
  /** Rebuild a collection's index from Azure when older than this; absent = keep for the process lifetime. */
  indexMaxAgeMs?: number;
  /** Parallel calls of a batch (index rebuilds, collection records). @default 4 */
  concurrency?: number;
  /** Source images of indexed faces. @default the gateway store's provider images with `store`, else process memory (not durable) */
  retainedImages?: RetainedImages;
  /** The gateway store: retained images and the userId → personId index are kept there. */
  store?: Store;
  /**
   * "v1.0": takes and applies also go through Azure's own (retired) Snapshot API; needs
   * `subscriptionId` and `store`. @default "gateway"
   */
  snapshotApi?: 'gateway' | 'v1.0';
  /** The Azure subscription allowed to apply v1.0 snapshots (their applyScope). */
  subscriptionId?: string;
  /** ClientRequestToken retention. @default 24 hours */
  idempotencyRetentionMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** The wait between two attempts of a call, for tests (they count the waits asked for instead of timing them). @default setTimeout */
  retrySleep?: (ms: number) => Promise<void>;
  /** Where best-effort failures go (background trainings, registry link updates, list cleanup). */
  logger?: Pick<Logger, 'warn'>;
  /** Several gateway replicas: announces this replica's changes and drops indexes other replicas changed. */
  changes?: ChangeFeed;
}
