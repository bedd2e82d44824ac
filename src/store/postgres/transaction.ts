/**
 * A write transaction of the PostgreSQL store: the shared queries
 * ({@link StoreQueries}) on one pooled client, plus the per-collection
 * serialization the SQLite store gets from its single writer.
 *
 * What is serialized, exactly: every transaction, the first time it
 * touches a collection, takes a transaction-scoped advisory lock on that
 * collection's name (schema + provider + collection id), held until COMMIT
 * or ROLLBACK. "Touches" is any {@link StoreTx} method that names a
 * collection — by ref, by key, or through a user's seq — read or write; the
 * table {@link TX_COLLECTION_LOCKS} classifies every method (adding a
 * method to StoreTx fails to compile until it is classified). So, across
 * all replicas sharing the schema, transactions on the same collection run
 * one after the other from their first touch of it, and every statement
 * after the lock sees everything the previous holder committed (READ
 * COMMITTED takes a snapshot per statement, and the lock is taken in a
 * statement of its own before any read of the collection). That is what the
 * local provider's read-then-write decisions (collection and per-user
 * quotas, counters, "already exists" checks, idempotency records) assume.
 * Locking the name rather than the row also covers collections that do not
 * exist yet: two replicas creating the same collection serialize, and the
 * second sees the first's row.
 *
 * Not serialized by this lock: collection-independent work (snapshots,
 * operations, idempotency pruning, listings of several collections). Those
 * rely on row locks and single-statement atomicity, which is all their
 * callers need. Shared images take row locks (see deleteUnreferencedImages).
 * A transaction that touches two collections locks them in the order it
 * touches them; two such transactions in opposite orders deadlock, and
 * PostgreSQL aborts one (SQLSTATE 40P01) after `deadlock_timeout`.
 */
import type { SqlRunner } from '../sql/runner.js';
import { StoreQueries } from '../sql/queries.js';
import type { CollectionRef } from '../../domain/records.js';
import type { CollectionRow, StoreTx, UserRow } from '../store.js';

/** How a StoreTx method finds the collection to lock, from its first argument. */
export type LockPolicy =
  /** A {@link CollectionRef} (or a row extending it): lock the name before anything else. */
  | 'ref'
  /** A collection key: lock the name of the collection that has it, if any. */
  | 'key'
  /** A user seq: lock the name of the user's collection, if any. */
  | 'user'
  /** Not collection-scoped. */
  | 'none';

/** The lock policy of every StoreTx method (exhaustive by `satisfies`). */
export const TX_COLLECTION_LOCKS = {
  getCollection: 'ref',
  insertCollection: 'ref',
  findUsers: 'ref',
  findFaces: 'ref',
  countUserFaces: 'ref',
  findUserFaces: 'ref',

  deleteCollection: 'key',
  listUsers: 'key',
  getUser: 'key',
  insertUser: 'key',
  getFacesWithDescriptors: 'key',
  associationMark: 'key',
  listAssociationChanges: 'key',
  listFaces: 'key',
  listFacesWithDescriptors: 'key',
  findFacesFromImage: 'key',
  insertFaces: 'key',
  deleteFaces: 'key',
  setFacesUser: 'key',
  getIdempotency: 'key',
  putIdempotency: 'key',
  copyUsersToSnapshot: 'key',
  copyFacesToSnapshot: 'key',
  listProviderRecords: 'ref',
  getProviderImage: 'ref',
  getProviderRecord: 'ref',
  putProviderRecords: 'ref',
  deleteProviderRecords: 'ref',
  putProviderImage: 'ref',
  deleteProviderImages: 'ref',
  deleteProviderCollection: 'ref',

  getUserFaces: 'user',
  deleteUser: 'user',
  refreshUserStatus: 'user',

  getCollections: 'none',
  listCollections: 'none',
  getImage: 'none',
  pruneIdempotency: 'none',
  getSnapshot: 'none',
  listSnapshots: 'none',
  getOperation: 'none',
  listOperationsByStatus: 'none',
  listSnapshotUsers: 'none',
  listSnapshotFaces: 'none',
  getSnapshotImage: 'none',
  insertSnapshot: 'none',
  updateSnapshot: 'none',
  deleteSnapshot: 'none',
  // By the source's name: an erasure waits for a take copying that collection, and then erases its copy too.
  deleteSnapshotsOf: 'ref',
  insertOperation: 'none',
  updateOperation: 'none',
  touchOperation: 'none',
  failStaleOperations: 'none',
  clearSnapshotContent: 'none',
  insertSnapshotUsers: 'none',
  insertSnapshotFaces: 'none',
  putSnapshotImage: 'none',
  expiredSnapshotsWithContent: 'none',
} as const satisfies Record<Exclude<keyof StoreTx, 'afterCommit'>, LockPolicy>;

/**
 * The advisory-lock key of a collection name: 64 bits of an MD5 over the
 * schema, provider and collection id (length-prefixed, so no two names
 * collide by concatenation). Hash collisions only serialize two unrelated
 * collections. The schema is part of the key so stores in different
 * schemas of one database do not wait for each other.
 */
function lockKey(provider: string, collectionId: string): string {
  return `('x' || left(md5(current_schema() || ' ' || length(${provider}) || ' ' || ${provider} || ${collectionId}), 16))::bit(64)::bigint`;
}

const LOCK_BY_REF = `SELECT pg_advisory_xact_lock(${lockKey('r.provider', 'r.collection_id')}) AS locked
  FROM (SELECT ?::text AS provider, ?::text AS collection_id) r`;
// The row read here may predate the lock (the statement's snapshot is taken
// before it waits), which is fine: only the immutable name is used.
const LOCK_BY_KEY = `SELECT c.provider, c.collection_id, pg_advisory_xact_lock(${lockKey('c.provider', 'c.collection_id')}) AS locked
  FROM collections c WHERE c.key = ?`;
const LOCK_BY_USER = `SELECT c.key, c.provider, c.collection_id, pg_advisory_xact_lock(${lockKey('c.provider', 'c.collection_id')}) AS locked
  FROM users u JOIN collections c ON c.key = u.collection_key WHERE u.seq = ?`;

/** An unambiguous in-process name of a collection (length-prefixed, like the lock key). */
export function collectionName(provider: string, collectionId: string): string {
  return `${provider.length}:${provider}${collectionId}`;
}

type AsyncMethod = (...args: unknown[]) => Promise<unknown>;

/** {@link StoreQueries} on a transaction's client, locking each collection on first touch. */
export class PostgresTransaction extends StoreQueries implements StoreTx {
  /** Collection names locked by this transaction (in-process form, {@link collectionName}). */
  private readonly lockedNames = new Set<string>();
  /** Keys of collections whose name this transaction holds locked. */
  private readonly lockedKeys = new Set<number>();
  /** User seq → collection key, learned from rows read under the lock (saves a lookup). */
  private readonly userCollections = new Map<number, number>();

  constructor(
    runner: SqlRunner,
    private readonly addHook: (hook: () => void) => void,
  ) {
    super(runner);
    for (const [method, policy] of Object.entries(TX_COLLECTION_LOCKS) as [keyof typeof TX_COLLECTION_LOCKS, LockPolicy][]) {
      if (policy === 'none') continue;
      const original = (StoreQueries.prototype as unknown as Record<string, AsyncMethod>)[method];
      const locked: AsyncMethod = async (...args) => {
        await this.lockFor(policy, args[0]);
        const result = await original.apply(this, args);
        this.learn(result);
        return result;
      };
      Object.defineProperty(this, method, { value: locked, writable: true, configurable: true });
    }
  }

  afterCommit(hook: () => void): void {
    this.addHook(hook);
  }

  /** The collections this transaction locked, as {@link collectionName}s. */
  get lockedCollections(): ReadonlySet<string> {
    return this.lockedNames;
  }

  private async lockFor(policy: LockPolicy, arg: unknown): Promise<void> {
    if (policy === 'ref') {
      const ref = arg as CollectionRef;
      const name = collectionName(ref.provider, ref.collectionId);
      if (this.lockedNames.has(name)) return;
      await this.sql.get(LOCK_BY_REF, [ref.provider, ref.collectionId]);
      this.lockedNames.add(name);
    } else if (policy === 'key') {
      const key = arg as number;
      if (this.lockedKeys.has(key)) return;
      const row = await this.sql.get<{ provider: string; collection_id: string }>(LOCK_BY_KEY, [key]);
      // No row: no such collection, nothing to serialize on (writes will find nothing or fail their foreign keys).
      if (row) this.holds(key, collectionName(row.provider, row.collection_id));
    } else if (policy === 'user') {
      const seq = arg as number;
      const key = this.userCollections.get(seq);
      if (key !== undefined && this.lockedKeys.has(key)) return;
      const row = await this.sql.get<{ key: number; provider: string; collection_id: string }>(LOCK_BY_USER, [seq]);
      if (row) {
        this.holds(row.key, collectionName(row.provider, row.collection_id));
        this.userCollections.set(seq, row.key);
      }
    }
  }

  private holds(key: number, name: string): void {
    this.lockedKeys.add(key);
    this.lockedNames.add(name);
  }

  /** Remembers which keys and users belong to locked collections, from rows read under the lock. */
  private learn(result: unknown): void {
    for (const item of Array.isArray(result) ? result : [result]) {
      if (isCollectionRow(item)) {
        if (this.lockedNames.has(collectionName(item.provider, item.collectionId))) this.lockedKeys.add(item.key);
      } else if (isUserRow(item)) {
        if (this.lockedKeys.has(item.collectionKey)) this.userCollections.set(item.seq, item.collectionKey);
      } else {
        return; // other rows (faces, counts): nothing to learn, and arrays are homogeneous
      }
    }
  }
}

function isCollectionRow(x: unknown): x is CollectionRow {
  const row = x as Partial<CollectionRow> | null;
  return (
    typeof row === 'object' &&
    row !== null &&
    typeof row.key === 'number' &&
    typeof row.collectionId === 'string' &&
    typeof row.provider === 'string'
  );
}

function isUserRow(x: unknown): x is UserRow {
  const row = x as Partial<UserRow> & { faceId?: unknown };
  return (
    typeof row === 'object' &&
    row !== null &&
    typeof row.seq === 'number' &&
    typeof row.collectionKey === 'number' &&
    typeof row.userId === 'string' &&
    typeof row.status === 'string' &&
    row.faceId === undefined
  );
}
