/**
 * What the local provider's operations share: the state of one provider
 * instance, handed to each operation module explicitly rather than read
 * from the class.
 */
import type { FaceEngineApi } from '../../engine/types.js';
import type { Store } from '../../store/store.js';
import type { IdempotentMutations } from './idempotent-mutations.js';
import type { IndexSync } from './index-sync.js';
import type { UserFaceIndexes } from './user-face-index.js';

/** The state of one local provider instance. */
export interface LocalDeps {
  /** Instance name; scopes this instance's collections in the shared store. */
  readonly name: string;
  readonly store: Store;
  /** Shared by all local instances of the process. */
  readonly engine: FaceEngineApi;
  /** Clock of every timestamp written. */
  readonly now: () => Date;
  /** This instance's search indexes, one per collection, loaded on first search. */
  readonly indexes: UserFaceIndexes;
  /** Applies committed association changes to {@link indexes} and tells other replicas. */
  readonly sync: IndexSync;
  /** Runs the token-aware user mutations. */
  readonly mutations: IdempotentMutations;
}
