/**
 * Keeps the in-memory search indexes of one provider instance in step with
 * committed writes: this replica's own (applied from the store's afterCommit
 * hook, in commit order) and other replicas' (announced on the change feed).
 *
 * A replica marks its index of a collection behind when another replica
 * changed the collection's associations; the next search first re-reads the
 * faces the store's association log names since the index's mark
 * (user-face-index.ts). A reconnect of the feed may have lost messages, so
 * every index is marked behind then (the log itself loses nothing).
 */
import { randomUUID } from 'node:crypto';
import type { StoreTx } from '../../store/store.js';
import type { ChangeFeed } from '../definition.js';
import type { UserFaceChange, UserFaceIndexes } from './user-face-index.js';

/** The index upkeep of one provider instance. */
export class IndexSync {
  /** Tells this replica's own change messages from others'. */
  private readonly replicaId = randomUUID();

  /**
   * `name` is the instance name: feed keys are `<name>:<collection key>`.
   * Subscribes to `changes` (when given) at once.
   */
  constructor(
    private readonly name: string,
    private readonly indexes: UserFaceIndexes,
    private readonly changes: ChangeFeed | undefined,
  ) {
    this.changes?.onMessage((key, from) => {
      const cut = key.lastIndexOf(':');
      if (from !== this.replicaId && key.slice(0, cut) === this.name) this.indexes.behind(Number(key.slice(cut + 1)));
    });
    this.changes?.onReconnect(() => this.indexes.allBehind());
  }

  /** Once `tx` commits: applies `changes` to the collection's index and announces them. Nothing without changes. */
  afterCommit(tx: StoreTx, collectionKey: number, changes: UserFaceChange[]): void {
    if (changes.length > 0) {
      tx.afterCommit(() => {
        this.indexes.apply(collectionKey, changes);
        this.announce(collectionKey);
      });
    }
  }

  /** Once `tx` commits: forgets the deleted collection's index, here and on other replicas. */
  afterDelete(tx: StoreTx, collectionKey: number): void {
    tx.afterCommit(() => {
      this.indexes.drop(collectionKey);
      this.announce(collectionKey);
    });
  }

  /** Announces to other replicas that a collection's associations changed. */
  private announce(collectionKey: number): void {
    this.changes?.publish(`${this.name}:${collectionKey}`, this.replicaId);
  }
}
