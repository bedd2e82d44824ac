/**
 * Trainings as operations. A provider that must train before its searches
 * see writes (Azure AI Face, {@link Trainable}) runs the rounds itself —
 * debounced after changes, at once on `trainCollection` — and reports each
 * one here; each becomes a TRAIN_COLLECTION operation, stored and published
 * through the same store and ProgressBus as snapshot operations, so
 * `snapshotProgress` follows it like any other.
 *
 * A round is shared by everyone whose changes it trains, so its operation
 * belongs to no single tenant: it is visible to every tenant granted its
 * collection (SnapshotService.getOperation). Providers without training
 * (local, Rekognition: search sees every write at once) answer
 * `trainCollection` with an operation that has already SUCCEEDED, so client
 * code can call it on any provider.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TrainingRounds } from '../datasources/provider.js';
import type { OperationPatch } from '../store/snapshot-store.js';
import type { CollectionRef } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { ProgressBus } from './progress-bus.js';
import type { OperationRecord } from '../domain/operation-records.js';

/** The owner of operations shared by every tenant granted their target collection. */
export const SHARED_OWNER = '*';

export interface TrainingOperationsOptions {
  store: Store;
  bus: ProgressBus;
  logger: Logger;
  now: () => Date;
  /** Stores a change of an operation, then publishes it (the snapshot service's one way of doing so). */
  update: (operationId: string, patch: OperationPatch) => Promise<OperationRecord>;
}

/** What a TRAIN_COLLECTION operation whose process stopped reporting is failed with. */
export const STALE_TRAINING_MESSAGE =
  'the gateway replica running this training stopped reporting; the collection is trained again on its next use';

export class TrainingOperations {
  /** The latest round of each collection started in this process (collection key → operation id). */
  private readonly latest = new Map<string, string>();
  /** Operations of rounds under way in this process, kept alive by {@link keepAlive}. */
  private readonly running = new Set<string>();

  constructor(private readonly options: TrainingOperationsOptions) {}

  /** The observer a trainable provider instance reports its rounds to. */
  roundsOf(provider: string): TrainingRounds {
    return {
      started: (collectionId) => this.started({ provider, collectionId }),
      finished: (operationId, error) => {
        void operationId
          .then((id) => {
            if (id === null) return null;
            this.running.delete(id);
            return this.options.update(id, error ? { status: 'FAILED', message: error.message } : { status: 'SUCCEEDED', percent: 100 });
          })
          .catch((err: unknown) => this.options.logger.warn({ err, provider }, 'could not record the end of a training'));
      },
    };
  }

  /**
   * Says, for each round under way in this process, that it still is (its
   * lastActionAt moves): replicas fail a RUNNING training nobody has touched
   * for a while ({@link SnapshotService}), as its replica must have died.
   */
  async keepAlive(): Promise<void> {
    const at = this.options.now();
    for (const id of this.running) {
      if (!(await this.options.store.transaction((tx) => tx.touchOperation(id, at)))) this.running.delete(id);
    }
  }

  /** The operation of the latest training of `ref` started by this process, if any. */
  latestOf(ref: CollectionRef): string | undefined {
    return this.latest.get(keyOf(ref));
  }

  /**
   * For a provider without training: an operation that SUCCEEDED at once,
   * owned by `tenant`, saying why nothing ran.
   */
  async untrained(tenant: string, target: CollectionRef, why: string): Promise<OperationRecord> {
    const now = this.options.now();
    const op = await this.options.store.transaction(async (tx) => {
      const created = await tx.insertOperation({
        id: randomUUID(),
        kind: 'TRAIN_COLLECTION',
        owner: tenant,
        snapshotId: null,
        target,
        createdAt: now,
      });
      return tx.updateOperation(created.id, { status: 'SUCCEEDED', percent: 100, message: why }, now);
    });
    this.options.bus.publish(op);
    return op;
  }

  private async started(target: CollectionRef): Promise<string> {
    const now = this.options.now();
    const op = await this.options.store.transaction(async (tx) => {
      const created = await tx.insertOperation({
        id: randomUUID(),
        kind: 'TRAIN_COLLECTION',
        owner: SHARED_OWNER,
        snapshotId: null,
        target,
        createdAt: now,
      });
      return tx.updateOperation(created.id, { status: 'RUNNING' }, now);
    });
    this.options.bus.publish(op);
    this.latest.set(keyOf(target), op.id);
    this.running.add(op.id);
    return op.id;
  }
}

const keyOf = (ref: CollectionRef) => `${ref.provider.length}:${ref.provider}${ref.collectionId}`;
