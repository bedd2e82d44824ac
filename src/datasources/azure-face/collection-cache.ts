/**
 * This process's state of each collection: its loaded index
 * (./collection-index.ts) with the trainers of its group and of its face
 * list, and its lock.
 *
 * - Reads are answered from the index, loaded from Azure on first use and
 *   again when older than `indexMaxAgeMs` (never while a training runs).
 * - Every write holds the collection's lock, so writes of one collection
 *   never interleave; when the lock is released the change feed (several
 *   replicas) is told, and other replicas drop their index of the
 *   collection. A message from another replica drops ours; a reconnect
 *   drops them all, since messages may have been missed.
 * - An Azure answer that the group is gone drops the index, so the next
 *   call loads it again instead of answering from a stale one.
 */
import { randomUUID } from 'node:crypto';
import type { DomainError } from '../../domain/errors.js';
import { AsyncMutex } from '../../lib/async-mutex.js';
import type { CallOptions, TrainingRounds, UserMutationInput } from '../provider.js';
import type { AdapterParts } from './adapter-parts.js';
import { loadIndex, type CollectionIndex } from './collection-index.js';
import { hasCode, toDomainError, type CallContext } from './errors.js';
import { DEFAULT_TRAINING_TIMEOUT_MS } from './limits.js';
import type { Resumable } from './idempotency.js';
import { groupTraining, listTraining, Trainer, type TrainingTarget } from './training.js';
import { encodeListFace } from './userdata.js';

/** A collection's loaded index and the trainers of its LargePersonGroup and of its companion LargeFaceList. */
export interface LoadedCollection {
  index: CollectionIndex;
  trainer: Trainer;
  /** Trains the face registry (findsimilars); only on demand, never on a timer. */
  listTrainer: Trainer;
}

/** The loaded collections and their locks, of one provider instance. */
export class CollectionCache {
  private readonly loaded = new Map<string, Promise<LoadedCollection>>();
  private readonly locks = new Map<string, AsyncMutex>();
  /** Tells this replica's own change messages from others'. */
  private readonly replicaId = randomUUID();
  private rounds: TrainingRounds | undefined;

  constructor(private readonly parts: AdapterParts) {
    const { name, options } = parts;
    options.changes?.onMessage((key, from) => {
      const cut = key.lastIndexOf(':');
      if (from !== this.replicaId && key.slice(0, cut) === name) this.forget(key.slice(cut + 1));
    });
    options.changes?.onReconnect(() => {
      for (const collectionId of [...this.loaded.keys()]) this.forget(collectionId);
    });
  }

  /** The collection's index, rebuilt from Azure on first use (or when older than `indexMaxAgeMs`). */
  async index(collectionId: string, call: CallOptions | undefined): Promise<LoadedCollection> {
    const { api, persons, now, concurrency, options } = this.parts;
    const cached = this.loaded.get(collectionId);
    if (cached) {
      const loaded = await cached;
      const maxAge = options.indexMaxAgeMs;
      if (maxAge === undefined || now() - loaded.index.loadedAt < maxAge || loaded.trainer.busy || loaded.listTrainer.busy) return loaded;
      if (this.loaded.get(collectionId) === cached) this.forget(collectionId);
      return this.index(collectionId, call);
    }
    const loading = (async (): Promise<LoadedCollection> => {
      const recorded = (await persons?.load(collectionId)) ?? new Map<string, string>();
      const result = await this.call(this.parts.callContext(collectionId), () =>
        loadIndex(api, collectionId, now(), concurrency, recorded, call),
      );
      const current = new Map([...result.index.users.values()].map((u) => [u.userId, u.personId]));
      await persons
        ?.reconcile(collectionId, recorded, current)
        .catch((e: unknown) => this.parts.warn('could not record the rebuilt person index', e, collectionId));
      const loaded = this.loadedOf(result.index);
      for (const repair of result.repairs) {
        void api
          .updateListFace(collectionId, repair.faceId, encodeListFace(repair.data), call)
          .catch((e: unknown) => this.parts.warn(`could not repair the link of face ${repair.faceId}`, e, collectionId));
      }
      if (result.needsTraining) loaded.trainer.schedule();
      return loaded;
    })();
    this.loaded.set(collectionId, loading);
    loading.catch(() => {
      if (this.loaded.get(collectionId) === loading) this.loaded.delete(collectionId);
    });
    return loading;
  }

  /** Caches `index` of a collection just created here, in place of whatever was cached for its id. */
  adopt(index: CollectionIndex): void {
    this.forget(index.collectionId);
    this.loaded.set(index.collectionId, Promise.resolve(this.loadedOf(index)));
  }

  /** Drops a collection's cached index (and stops its trainer). */
  forget(collectionId: string): void {
    const entry = this.loaded.get(collectionId);
    if (!entry) return;
    this.loaded.delete(collectionId);
    entry.then(
      (l) => closeTrainers(l),
      () => undefined,
    );
  }

  /** Runs `fn` holding the collection's lock: mutations of one collection never interleave. */
  async locked<T>(collectionId: string, fn: () => Promise<T>): Promise<T> {
    let lock = this.locks.get(collectionId);
    if (!lock) this.locks.set(collectionId, (lock = new AsyncMutex()));
    const release = await lock.acquire();
    try {
      return await fn();
    } finally {
      release();
      if (lock.pending === 0) this.locks.delete(collectionId);
      // Every locked call may have changed Azure (even a failed one, part-way): other replicas re-read.
      this.parts.options.changes?.publish(`${this.parts.name}:${collectionId}`, this.replicaId);
    }
  }

  /** A user mutation: locked, ClientRequestToken-aware, Azure failures mapped. */
  mutate<T>(
    input: UserMutationInput,
    call: CallOptions | undefined,
    operation: string,
    request: unknown,
    fn: (loaded: LoadedCollection, resumable: Resumable) => Promise<T>,
  ): Promise<T> {
    const { collectionId, clientRequestToken } = input;
    return this.locked(collectionId, async () => {
      const loaded = await this.index(collectionId, call);
      return this.parts.memo.run(collectionId, operation, clientRequestToken, request, async (resumable) => {
        try {
          return await fn(loaded, resumable);
        } catch (e) {
          throw this.mapError(e, this.parts.callContext(collectionId, input.userId));
        }
      });
    });
  }

  /** One Azure call (with the transport's retries), failures mapped; a vanished group drops its index. */
  async call<T>(ctx: CallContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.mapError(e, ctx);
    }
  }

  /** Where training rounds are reported from now on (each trainer reads it at a round's start). */
  observeTraining(rounds: TrainingRounds): void {
    this.rounds = rounds;
  }

  /** Stops every trainer and forgets every index (the provider is closing). */
  close(): void {
    for (const entry of this.loaded.values())
      entry.then(
        (l) => closeTrainers(l),
        () => undefined,
      );
    this.loaded.clear();
  }

  private mapError(e: unknown, ctx: CallContext): DomainError {
    if (ctx.collectionId !== undefined && hasCode(e, 'LargePersonGroupNotFound')) this.forget(ctx.collectionId);
    return toDomainError(e, ctx);
  }

  private loadedOf(index: CollectionIndex): LoadedCollection {
    const { api } = this.parts;
    // Only the group's rounds are TRAIN_COLLECTION operations; the list is trained inside the search that needs it.
    return {
      index,
      trainer: this.trainerFor(groupTraining(api, index), () => this.rounds),
      listTrainer: this.trainerFor(listTraining(api, index), () => undefined),
    };
  }

  private trainerFor(target: TrainingTarget, rounds: () => TrainingRounds | undefined): Trainer {
    const { options } = this.parts;
    return new Trainer(
      target,
      {
        debounceMs: options.trainDebounceMs ?? 2000,
        pollMs: options.trainingPollMs ?? 1000,
        timeoutMs: options.trainingTimeoutMs ?? DEFAULT_TRAINING_TIMEOUT_MS,
        onError: (e) => this.parts.warn(`training failed (${target.kind})`, e, target.collectionId),
        rounds,
      },
      this.parts.callContext(target.collectionId),
    );
  }
}

function closeTrainers(loaded: LoadedCollection): void {
  loaded.trainer.close();
  loaded.listTrainer.close();
}
