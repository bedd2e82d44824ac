/**
 * Snapshots and the operations that take and apply them: validation and
 * access rules at request time, the work itself in the job queue, every
 * state change stored and then published.
 *
 * A take runs as one consistent copy; a take interrupted by a crash is run
 * again from the start on restart (it replaces its partial content). An
 * apply interrupted by a crash is marked FAILED and its partial target
 * collection removed: re-running it half-way could duplicate users or faces.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isSnapshotCapable, isTrainable, type CallOptions, type FaceProvider, type SnapshotCapable } from '../datasources/provider.js';
import type { ProviderRegistry } from '../datasources/registry.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { OperationPatch } from '../store/snapshot-store.js';
import type { CollectionRef } from '../domain/records.js';
import type { KeysetPage } from '../store/rows.js';
import type { Store } from '../store/store.js';
import { InProcessJobQueue, type JobQueue } from './job-queue.js';
import { OperationPoll } from './operation-poll.js';
import { ProgressBus } from './progress-bus.js';
import { SHARED_OWNER, STALE_TRAINING_MESSAGE, TrainingOperations } from './training-operations.js';
import { isTerminal, type OperationRecord, type SnapshotRecord } from '../domain/operation-records.js';

export interface SnapshotServiceOptions {
  store: Store;
  registry: ProviderRegistry;
  bus: ProgressBus;
  logger: Logger;
  /** How long a snapshot can be applied after it is taken. @default 48 hours */
  snapshotTtlMs?: number;
  /** Clock, injectable for tests. @default () => new Date() */
  now?: () => Date;
  /** Builds the queue operations wait in. @default an in-process queue */
  queue?: (run: (operationId: string) => Promise<void>) => JobQueue;
  /** Whether a tenant may use a collection: who sees a shared (training) operation. @default nobody but its owner */
  canSee?: (tenant: string, ref: CollectionRef) => boolean;
  /**
   * With replicas: a RUNNING training whose lastActionAt is older than this
   * is failed, since the replica running it died (each replica keeps its own
   * trainings' lastActionAt moving, a third of this apart). Without it a
   * single process fails them at its next start ({@link SnapshotService.resume}).
   * @default undefined (no sweep)
   */
  staleTrainingMs?: number;
}

export const DEFAULT_SNAPSHOT_TTL_MS = 48 * 60 * 60 * 1000;

/** While an operation is followed, it is re-read from the store this often (once for all its subscribers on this replica). */
const REREAD_EVERY_MS = 1000;

/** Progress events of a running operation are stored at most this often (they are published every time). */
const STORE_PROGRESS_EVERY_MS = 1000;

/** Expired snapshots emptied per transaction. */
const PURGE_BATCH = 20;

const STATUS_RANK = { NOT_STARTED: 0, RUNNING: 1, SUCCEEDED: 2, FAILED: 2 } as const;

/** Whether `next` is a later state than `prev` (statuses and counts only move forward). */
function isLater(prev: OperationRecord, next: OperationRecord): boolean {
  const a = STATUS_RANK[prev.status];
  const b = STATUS_RANK[next.status];
  return b > a || (b === a && !isTerminal(next.status) && (next.processedItems > prev.processedItems || next.percent > prev.percent));
}

export class SnapshotService {
  private readonly store: Store;
  private readonly registry: ProviderRegistry;
  private readonly bus: ProgressBus;
  /** The periodic store reads of followed operations, one per operation. */
  private readonly polls: OperationPoll;
  private readonly logger: Logger;
  private readonly ttlMs: number;
  private readonly now: () => Date;
  private readonly queue: JobQueue;
  private readonly canSee: (tenant: string, ref: CollectionRef) => boolean;
  /** TRAIN_COLLECTION operations, reported by trainable providers. */
  readonly trainings: TrainingOperations;
  private purgeTimer: NodeJS.Timeout | undefined;
  private readonly staleTrainingMs: number | undefined;
  private trainingTimer: NodeJS.Timeout | undefined;

  constructor(options: SnapshotServiceOptions) {
    this.store = options.store;
    this.registry = options.registry;
    this.bus = options.bus;
    this.polls = new OperationPoll({
      read: (id) => this.store.getOperation(id),
      deliver: (record) => this.bus.deliverLocally(record),
      logger: options.logger,
      everyMs: REREAD_EVERY_MS,
    });
    this.logger = options.logger;
    this.ttlMs = options.snapshotTtlMs ?? DEFAULT_SNAPSHOT_TTL_MS;
    this.now = options.now ?? (() => new Date());
    this.queue = (options.queue ?? ((run) => new InProcessJobQueue(run)))((id) => this.run(id));
    this.canSee = options.canSee ?? (() => false);
    this.staleTrainingMs = options.staleTrainingMs;
    this.trainings = new TrainingOperations({
      store: this.store,
      bus: this.bus,
      logger: this.logger,
      now: this.now,
      update: (id, patch) => this.update(id, patch),
    });
    for (const provider of this.registry.list())
      if (isTrainable(provider)) void provider.observeTraining(this.trainings.roundsOf(provider.name));
  }

  /**
   * At start. With the in-process queue: re-run pending takes and fail
   * interrupted applies (removing their partial target). With a shared
   * queue, jobs of dead replicas are re-delivered by the queue itself; only
   * operations never enqueued (Redis was down) are enqueued again.
   */
  async resume(): Promise<void> {
    const pending = await this.store.listOperationsByStatus(this.queue.redelivers ? ['NOT_STARTED'] : ['NOT_STARTED', 'RUNNING']);
    for (const op of pending) {
      if (op.kind === 'TRAIN_COLLECTION') {
        // The provider ran it, not the queue; it trains again when the collection is next used.
        await this.update(op.id, {
          status: 'FAILED',
          message: 'interrupted by a gateway restart; the collection is trained again on its next use',
        });
      } else if (op.kind === 'APPLY_SNAPSHOT' && op.status === 'RUNNING') {
        await this.removeTarget(op);
        await this.update(op.id, {
          status: 'FAILED',
          message: 'interrupted by a gateway restart; the partial target collection was removed',
        });
      } else {
        this.logger.info({ operationId: op.id, kind: op.kind }, 'resuming operation after restart');
        this.queue.enqueue(op.id);
      }
    }
  }

  /** At start: {@link resume}, then purge expired snapshots and sweep stale trainings periodically until {@link stop}. */
  async start(): Promise<void> {
    await this.resume();
    this.startPurging();
    this.startSweepingTrainings();
  }

  stop(): Promise<void> {
    clearInterval(this.purgeTimer);
    clearInterval(this.trainingTimer);
    this.polls.stop();
    return this.queue.stop();
  }

  /**
   * Biometric data must not outlive its use: once a snapshot has expired
   * (it can no longer be applied) its users, faces, descriptors and
   * retained images are deleted; the record stays, so an apply still
   * answers SNAPSHOT_EXPIRED. Runs every quarter TTL (1 s..60 s) from
   * {@link startPurging}; returns how many snapshots it emptied.
   */
  async purgeExpired(): Promise<number> {
    let purged = 0;
    for (;;) {
      const ids = await this.store.transaction(async (tx) => {
        const expired = await tx.expiredSnapshotsWithContent(this.now(), PURGE_BATCH);
        for (const id of expired) await tx.clearSnapshotContent(id);
        return expired;
      });
      purged += ids.length;
      if (ids.length > 0) this.logger.info({ snapshotIds: ids }, 'expired snapshots emptied (users, faces, descriptors, images)');
      if (ids.length < PURGE_BATCH) return purged;
    }
  }

  /** Purges expired snapshots now and then periodically until {@link stop}. */
  startPurging(): void {
    this.purgeTimer = this.repeat(
      () => this.purgeExpired(),
      Math.min(60_000, Math.max(1000, Math.floor(this.ttlMs / 4))),
      'purging expired snapshots failed',
    );
  }

  /**
   * Keeps this process's trainings alive, then fails the stale ones (their
   * replica died) and publishes them; returns those. Nothing without
   * `staleTrainingMs`.
   */
  async sweepTrainings(): Promise<OperationRecord[]> {
    const staleMs = this.staleTrainingMs;
    if (staleMs === undefined) return [];
    await this.trainings.keepAlive();
    const now = this.now();
    const failed = await this.store.transaction((tx) =>
      tx.failStaleOperations('TRAIN_COLLECTION', new Date(now.getTime() - staleMs), STALE_TRAINING_MESSAGE, now),
    );
    for (const op of failed) {
      this.logger.warn({ operationId: op.id, target: op.target }, 'failed a training whose replica stopped reporting');
      this.bus.publish(op);
    }
    return failed;
  }

  /** Runs {@link sweepTrainings} now and every third of staleTrainingMs until {@link stop}. */
  startSweepingTrainings(): void {
    if (this.staleTrainingMs === undefined) return;
    // The first sweep, at once, also fails those left by a whole cluster's restart.
    this.trainingTimer = this.repeat(
      () => this.sweepTrainings(),
      Math.max(100, Math.floor(this.staleTrainingMs / 3)),
      'sweeping stale trainings failed',
    );
  }

  /** Runs `task` now and then every `everyMs` (an unref'd timer, cleared by {@link stop}); a failure is logged as `failure`. */
  private repeat(task: () => Promise<unknown>, everyMs: number, failure: string): NodeJS.Timeout {
    const run = () => void task().catch((err: unknown) => this.logger.error({ err }, failure));
    run();
    return setInterval(run, everyMs).unref();
  }

  // ---- requests ------------------------------------------------------------

  /**
   * Starts a take; the operation is returned NOT_STARTED at once. `call`:
   * the request's, for the provider calls made before. `shareWith`: the
   * provider's own subscriptions allowed to apply its copy (Azure v1.0's
   * applyScope); UNSUPPORTED_OPERATION on a provider that takes no copy of its own.
   */
  async takeSnapshot(
    tenant: string,
    source: CollectionRef,
    applyScope: string[],
    userData: string | null,
    call?: CallOptions,
    shareWith: readonly string[] = [],
  ): Promise<OperationRecord> {
    const provider = this.snapshotProvider(source.provider, 'TAKE_SNAPSHOT');
    if (shareWith.length > 0 && !provider.startTake)
      throw new DomainError(
        'UNSUPPORTED_OPERATION',
        `azureApplyScope: provider ${provider.name} (${provider.kind}) keeps no snapshot copy of its own that another subscription could apply; expected no azureApplyScope, got ${shareWith.length} subscription id(s)`,
        { provider: provider.name, operation: 'TAKE_SNAPSHOT' },
      );
    await provider.checkTakeable?.(source.collectionId);
    const [collection] = await provider.getCollections([source.collectionId], call);
    if (!collection) {
      throw new DomainError('COLLECTION_NOT_FOUND', `collection ${source.collectionId} does not exist on ${source.provider}`, {
        collectionId: source.collectionId,
      });
    }
    const snapshotId = randomUUID();
    // The provider's own take (Azure v1.0) is submitted now: its refusal answers this request and leaves nothing.
    await provider.startTake?.(source.collectionId, snapshotId, shareWith, call);
    const now = this.now();
    const op = await this.store.transaction(async (tx) => {
      await tx.insertSnapshot({
        id: snapshotId,
        owner: tenant,
        source,
        applyScope,
        userData,
        state: 'TAKING',
        userCount: 0,
        faceCount: 0,
        createdAt: now,
        lastUpdatedAt: now,
        expiresAt: new Date(now.getTime() + this.ttlMs),
      });
      return tx.insertOperation({ id: randomUUID(), kind: 'TAKE_SNAPSHOT', owner: tenant, snapshotId, target: null, createdAt: now });
    });
    this.bus.publish(op);
    this.queue.enqueue(op.id);
    return op;
  }

  /** Starts an apply (CREATE_NEW); refuses at once what can be known at once. `call`: the request's, for those checks. */
  async applySnapshot(tenant: string, snapshotId: string, target: CollectionRef, call?: CallOptions): Promise<OperationRecord> {
    const snapshot = await this.visibleSnapshot(tenant, snapshotId);
    if (snapshot.owner !== tenant && !snapshot.applyScope.includes(tenant)) {
      throw new DomainError('FORBIDDEN', `snapshot ${snapshotId} may be applied by its owner and its applyScope; ${tenant} is neither`);
    }
    if (snapshot.expiresAt.getTime() <= this.now().getTime()) {
      throw new DomainError('SNAPSHOT_EXPIRED', `snapshot ${snapshotId} expired at ${snapshot.expiresAt.toISOString()}`, {
        snapshotId,
        expiredAt: snapshot.expiresAt,
      });
    }
    if (snapshot.state !== 'READY') {
      throw new DomainError('INVALID_INPUT', `snapshotId: expected a snapshot whose take succeeded, got one that is ${snapshot.state}`, {
        field: 'input.snapshotId',
      });
    }
    const provider = this.snapshotProvider(target.provider, 'APPLY_SNAPSHOT');
    await provider.checkApplicable?.(snapshotId, call);
    const [existing] = await provider.getCollections([target.collectionId], call);
    if (existing) {
      throw new DomainError(
        'COLLECTION_ALREADY_EXISTS',
        `collection ${target.collectionId} exists on ${target.provider}; apply creates a new one`,
        {
          collectionId: target.collectionId,
        },
      );
    }
    const op = await this.store.transaction((tx) =>
      tx.insertOperation({ id: randomUUID(), kind: 'APPLY_SNAPSHOT', owner: tenant, snapshotId, target, createdAt: this.now() }),
    );
    this.bus.publish(op);
    this.queue.enqueue(op.id);
    return op;
  }

  async deleteSnapshot(tenant: string, snapshotId: string): Promise<void> {
    const snapshot = await this.visibleSnapshot(tenant, snapshotId);
    if (snapshot.owner !== tenant) throw new DomainError('FORBIDDEN', `snapshot ${snapshotId} can be deleted only by its owner`);
    // The provider's own copy first (Azure's v1.0 snapshots): if that fails, nothing is deleted and a retry completes.
    const source = this.registry.get(snapshot.source.provider);
    if (source && isSnapshotCapable(source)) await source.deleteSnapshotCopy?.(snapshotId);
    await this.store.transaction((tx) => tx.deleteSnapshot(snapshotId));
  }

  /**
   * An erasure: deletes every snapshot taken of `source`, whoever owns it,
   * with its users, faces, descriptors and images (deleteCollection with
   * `deleteSnapshots`; the caller has checked the tenant's grant on the
   * collection). A take still running on it fails (its snapshot is gone). Returns the ids erased.
   */
  async eraseSnapshotsOf(tenant: string, source: CollectionRef): Promise<string[]> {
    // The provider's own copies first (Azure's v1.0 snapshots), as deleteSnapshot: a failure leaves the rows for a retry.
    const provider = this.registry.get(source.provider);
    if (provider && isSnapshotCapable(provider)) await provider.deleteSnapshotCopiesOf?.(source.collectionId);
    const erased = await this.store.transaction((tx) => tx.deleteSnapshotsOf(source));
    if (erased.length > 0) this.logger.info({ tenant, source, snapshotIds: erased }, 'snapshots erased with their collection');
    return erased;
  }

  /** A snapshot the tenant may see (owner or in applyScope), else null. */
  async getSnapshot(tenant: string, snapshotId: string): Promise<SnapshotRecord | null> {
    const s = await this.store.getSnapshot(snapshotId);
    return s && (s.owner === tenant || s.applyScope.includes(tenant)) ? s : null;
  }

  listSnapshots(tenant: string, page: KeysetPage): Promise<{ seq: number; snapshot: SnapshotRecord }[]> {
    return this.store.listSnapshots(tenant, page);
  }

  async getOperation(tenant: string, operationId: string): Promise<OperationRecord | null> {
    const op = await this.store.getOperation(operationId);
    if (!op) return null;
    return op.owner === tenant || (op.owner === SHARED_OWNER && op.target !== null && this.canSee(tenant, op.target)) ? op : null;
  }

  /**
   * Trains a collection: on a provider that needs it, the round started now
   * (shared with everyone whose changes it includes); elsewhere an
   * operation that SUCCEEDED at once. Throws COLLECTION_NOT_FOUND. `call`:
   * the request's (the round itself, shared, is not cancelled with it).
   */
  async trainCollection(tenant: string, target: CollectionRef, call?: CallOptions): Promise<OperationRecord> {
    const provider = this.registry.get(target.provider);
    if (!provider)
      throw new DomainError(
        'INVALID_INPUT',
        `provider: expected a configured provider, got ${JSON.stringify(target.provider.slice(0, 64))}`,
        { field: 'input.collection.provider' },
      );
    if (!provider.capabilities.has('TRAIN_COLLECTION') || !isTrainable(provider)) {
      const [collection] = await provider.getCollections([target.collectionId], call);
      if (!collection) {
        throw new DomainError('COLLECTION_NOT_FOUND', `collection ${target.collectionId} does not exist on ${target.provider}`, {
          collectionId: target.collectionId,
        });
      }
      return this.trainings.untrained(
        tenant,
        target,
        `provider ${provider.name} (${provider.kind}) needs no training: its searches see every write at once`,
      );
    }
    const operationId = await provider.trainCollection(target.collectionId, call);
    const op = operationId ? await this.store.getOperation(operationId) : null;
    if (!op)
      throw new DomainError(
        'PROVIDER_UNAVAILABLE',
        `training of ${target.collectionId} on ${target.provider}: expected a recorded operation, got none (the store could not record it)`,
        { provider: target.provider },
      );
    return op;
  }

  /**
   * The operation's current state, then every later change, ending after
   * the terminal one. Subscribes before reading so nothing falls between.
   * Throws OPERATION_NOT_FOUND at once for an unknown id.
   *
   * A hand-written iterator, not an async generator: a generator's
   * `return()` waits until its body reaches a `yield`, so a client leaving a
   * quiet operation would keep its stream (and its bus listener) until the
   * next change. Here `return()` closes the bus subscription, which ends a
   * pending `next()` at once.
   */
  async progress(tenant: string, operationId: string): Promise<AsyncIterableIterator<OperationRecord>> {
    const events = this.bus.subscribe(operationId);
    const current = await this.getOperation(tenant, operationId).catch(async (e: unknown) => {
      await events.return();
      throw e;
    });
    if (!current) {
      await events.return();
      throw new DomainError('OPERATION_NOT_FOUND', `operation ${operationId} does not exist`);
    }
    // Visibility was checked above; the shared read (store, not tenant-filtered) only refreshes the same operation.
    let unfollow = isTerminal(current.status) ? () => {} : this.polls.follow(operationId, () => void events.return());
    let last: OperationRecord | null = null;
    let ended = false;
    const end = (): IteratorResult<OperationRecord> => {
      ended = true;
      unfollow();
      unfollow = () => {};
      void events.return();
      return { value: undefined, done: true };
    };
    const stream: AsyncIterableIterator<OperationRecord> = {
      async next() {
        if (ended) return { value: undefined, done: true };
        if (!last) return { value: (last = current), done: false };
        while (!isTerminal(last.status)) {
          const next = await events.next();
          if (ended || next.done) break;
          if (!isLater(last, next.value)) continue;
          return { value: (last = next.value), done: false };
        }
        return end();
      },
      async return() {
        return end();
      },
      [Symbol.asyncIterator]: () => stream,
    };
    return stream;
  }

  // ---- the work --------------------------------------------------------------

  private async run(operationId: string): Promise<void> {
    const op = await this.store.getOperation(operationId);
    if (!op || isTerminal(op.status)) return;
    this.logger.info({ operationId, kind: op.kind, status: op.status }, 'operation started');
    try {
      if (op.kind === 'TAKE_SNAPSHOT') await this.runTake(op);
      else if (op.kind === 'APPLY_SNAPSHOT') await this.runApply(op);
      else throw new Error(`operation kind ${op.kind} has no runner`);
    } catch (e) {
      const message = isDomainError(e) ? e.message : 'internal error; see the gateway log';
      this.logger.error({ err: e, operationId }, 'operation failed');
      if (op.kind === 'TAKE_SNAPSHOT' && op.snapshotId) {
        await this.store
          .transaction((tx) => tx.updateSnapshot(op.snapshotId!, { state: 'FAILED', lastUpdatedAt: this.now() }))
          .catch(() => {});
      }
      if (op.kind === 'APPLY_SNAPSHOT' && !(isDomainError(e) && e.code === 'COLLECTION_ALREADY_EXISTS')) await this.removeTarget(op);
      await this.update(operationId, { status: 'FAILED', message });
    }
  }

  private async runTake(op: OperationRecord): Promise<void> {
    const snapshot = await this.store.getSnapshot(op.snapshotId!);
    if (!snapshot) throw new DomainError('SNAPSHOT_NOT_FOUND', `snapshot ${op.snapshotId} was deleted before its take ran`);
    const provider = this.snapshotProvider(snapshot.source.provider, 'TAKE_SNAPSHOT');
    let running = await this.update(op.id, { status: 'RUNNING', percent: 0, processedItems: 0 });
    // The copy is one transaction: progress is published as it goes and stored once it commits.
    const counts = await provider.exportToSnapshot(snapshot.source.collectionId, snapshot.id, ({ processed, total }) => {
      running = {
        ...running,
        processedItems: processed,
        totalItems: total,
        percent: percentOf(processed, total),
        lastActionAt: this.now(),
      };
      this.bus.publish(running);
    });
    const done = await this.store.transaction(async (tx) => {
      await tx.updateSnapshot(snapshot.id, {
        state: 'READY',
        userCount: counts.userCount,
        faceCount: counts.faceCount,
        lastUpdatedAt: this.now(),
      });
      const total = counts.userCount + counts.faceCount;
      return tx.updateOperation(op.id, { status: 'SUCCEEDED', percent: 100, processedItems: total, totalItems: total }, this.now());
    });
    this.bus.publish(done);
  }

  private async runApply(op: OperationRecord): Promise<void> {
    const target = op.target!;
    const provider = this.snapshotProvider(target.provider, 'APPLY_SNAPSHOT');
    // A re-delivered apply (its replica died) starts over: the partial target is this operation's own.
    if (op.status === 'RUNNING') await this.removeTarget(op);
    await this.update(op.id, { status: 'RUNNING', percent: 0, processedItems: 0 });
    let lastStored = 0;
    const counts = await provider.importFromSnapshot(op.snapshotId!, target.collectionId, async ({ processed, total }) => {
      const patch: OperationPatch = { processedItems: processed, totalItems: total, percent: percentOf(processed, total) };
      if (Date.now() - lastStored >= STORE_PROGRESS_EVERY_MS) {
        lastStored = Date.now();
        await this.update(op.id, patch);
      } else {
        const current = await this.store.getOperation(op.id);
        if (current) this.bus.publish({ ...current, ...patch, lastActionAt: this.now() });
      }
    });
    const total = counts.userCount + counts.faceCount;
    await this.update(op.id, { status: 'SUCCEEDED', percent: 100, processedItems: total, totalItems: total });
  }

  // ---- helpers ---------------------------------------------------------------

  /** Stores a change, then publishes the stored record. */
  private async update(operationId: string, patch: OperationPatch): Promise<OperationRecord> {
    const record = await this.store.transaction((tx) => tx.updateOperation(operationId, patch, this.now()));
    this.bus.publish(record);
    return record;
  }

  private async removeTarget(op: OperationRecord): Promise<void> {
    if (!op.target) return;
    const provider = this.registry.get(op.target.provider);
    await provider?.deleteCollection(op.target.collectionId).catch(() => {
      // Already gone, or never created: nothing to clean.
    });
  }

  private async visibleSnapshot(tenant: string, snapshotId: string): Promise<SnapshotRecord> {
    const snapshot = await this.store.getSnapshot(snapshotId);
    // Someone else's snapshot is reported as missing unless its applyScope names the tenant.
    if (!snapshot || (snapshot.owner !== tenant && !snapshot.applyScope.includes(tenant))) {
      throw new DomainError('SNAPSHOT_NOT_FOUND', `snapshot ${snapshotId} does not exist`, { snapshotId });
    }
    return snapshot;
  }

  private snapshotProvider(name: string, operation: 'TAKE_SNAPSHOT' | 'APPLY_SNAPSHOT'): FaceProvider & SnapshotCapable {
    const provider = this.registry.get(name);
    if (!provider) {
      const names = this.registry
        .list()
        .map((p) => p.name)
        .join(', ');
      throw new DomainError(
        'INVALID_INPUT',
        `provider: expected a configured provider (${names}), got ${JSON.stringify(name.slice(0, 64))}`,
        {
          field: operation === 'TAKE_SNAPSHOT' ? 'input.collection.provider' : 'input.target.provider',
        },
      );
    }
    if (!provider.capabilities.has(operation) || !isSnapshotCapable(provider)) {
      throw new DomainError(
        'UNSUPPORTED_OPERATION',
        `provider ${name} (${provider.kind}) cannot ${operation.toLowerCase().replace('_', ' ')} yet`,
        {
          provider: name,
          operation,
        },
      );
    }
    return provider;
  }
}

function percentOf(processed: number, total: number): number {
  return total === 0 ? 100 : Math.min(100, Math.round((processed / total) * 10_000) / 100);
}
