/**
 * The parts every operation of an `azure-face` provider works with, built
 * once from its options: the Face transport, where source images and the
 * person index are kept, the ClientRequestToken memo, Azure's Snapshot API
 * (v1.0 instances only), and the settings with their defaults applied.
 * They are handed to the operation modules explicitly, as one object.
 */
import { providerTextOf } from '../../domain/errors.js';
import { AzureSnapshots } from './azure-snapshots.js';
import { toDomainError, type CallContext } from './errors.js';
import { IdempotencyMemo, MemoryIdempotencyRecords, StoreIdempotencyRecords } from './idempotency.js';
import { DEFAULT_SNAPSHOT_TIMEOUT_MS } from './limits.js';
import type { AzureFaceProviderOptions } from './options.js';
import { PersonRecords } from './person-records.js';
import { InMemoryRetainedImages, StoreRetainedImages, type RetainedImages } from './retained-images.js';
import { FaceTransport } from './transport.js';
import type { DetectionModel } from './face-detail.js';

/** What {@link createAdapterParts} builds. */
export interface AdapterParts {
  /** The instance name (`details.provider` of every error). */
  readonly name: string;
  /** The options as given (defaults are applied where each one is read). */
  readonly options: AzureFaceProviderOptions;
  /** The Face REST calls, with the adapter's retry policy. */
  readonly api: FaceTransport;
  /** Source images of indexed faces. */
  readonly images: RetainedImages;
  /** The userId → personId index in the gateway store; null without a store. */
  readonly persons: PersonRecords | null;
  /** Azure's own Snapshot API, for an instance with `snapshotApi: "v1.0"`. */
  readonly azureSnapshots: AzureSnapshots | null;
  /** ClientRequestToken outcomes of the user mutations (in the gateway store with `store`, else in memory). */
  readonly memo: IdempotencyMemo;
  /** The clock. @default Date.now */
  readonly now: () => number;
  /** Azure detection model for detect and add-face. @default "detection_03" */
  readonly detectionModel: DetectionModel;
  /** Parallel calls of a batch. @default 4 */
  readonly concurrency: number;
  /** The context errors of a call are mapped with. */
  callContext(collectionId?: string, userId?: string): CallContext;
  /** Logs a best-effort failure (never throws). */
  warn(what: string, error: unknown, collectionId: string): void;
  /**
   * Creation time for a new user: strictly increasing within the process, so users created in one
   * millisecond still list in creation order.
   */
  nextUserCreatedAt(): number;
}

/** Builds the parts of the instance `options` describes. */
export function createAdapterParts(options: AzureFaceProviderOptions): AdapterParts {
  const name = options.name;
  const now = options.now ?? Date.now;
  const api = new FaceTransport({
    endpoint: options.endpoint,
    apiKey: options.apiKey,
    maxAttempts: options.maxAttempts ?? 4,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    sleep: options.retrySleep,
  });
  const callContext = (collectionId?: string, userId?: string): CallContext => ({ provider: name, collectionId, userId });
  let lastUserCreatedAt = 0;
  const retentionMs = options.idempotencyRetentionMs ?? 24 * 60 * 60 * 1000;
  return {
    name,
    options,
    api,
    images: options.retainedImages ?? (options.store ? new StoreRetainedImages(options.store, name) : new InMemoryRetainedImages()),
    persons: options.store ? new PersonRecords(options.store, name) : null,
    azureSnapshots:
      options.snapshotApi === 'v1.0' && options.store && options.subscriptionId
        ? new AzureSnapshots({
            api,
            store: options.store,
            provider: name,
            subscriptionId: options.subscriptionId,
            pollMs: options.trainingPollMs ?? 1000,
            timeoutMs: options.snapshotTimeoutMs ?? DEFAULT_SNAPSHOT_TIMEOUT_MS,
            now,
          })
        : null,
    memo: new IdempotencyMemo(
      options.store ? new StoreIdempotencyRecords(options.store, name) : new MemoryIdempotencyRecords(retentionMs, now),
      retentionMs,
      now,
    ),
    now,
    detectionModel: options.detectionModel ?? 'detection_03',
    concurrency: options.concurrency ?? 4,
    callContext,
    warn(what, error, collectionId) {
      const e = toDomainError(error, callContext(collectionId));
      // A log line, not a response: Azure's own text goes with it.
      const text = providerTextOf(e);
      options.logger?.warn(
        { provider: name, collectionId, code: e.code, providerCode: e.details.providerCode, providerMessage: text },
        `azure-face: ${what}: ${e.message}${text ? ` (${text})` : ''}`,
      );
    },
    nextUserCreatedAt: () => (lastUserCreatedAt = Math.max(now(), lastUserCreatedAt + 1)),
  };
}
