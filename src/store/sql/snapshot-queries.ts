/**
 * The SQL of snapshots and long-running operations, over any
 * {@link SqlRunner}, on SQLite and PostgreSQL alike. {@link StoreQueries}
 * extends this class, so the store's committed reads and a transaction's
 * reads and writes both include it.
 *
 * Same rules as the rest of the store's SQL: portable texts (`?`
 * parameters, `RETURNING`, `INSERT … SELECT`, `LIMIT`), keyset pages, id
 * lists chunked (through `this.sql.dialect`). Snapshot copies run as
 * `INSERT … SELECT` so content moves from the source tables to the snapshot
 * tables inside the database: no row of a chunk passes through JavaScript,
 * and descriptors and images are copied byte for byte.
 *
 * The apply scope is stored twice: as a JSON array in `snapshots.apply_scope`
 * (read back whole, so the record round-trips exactly) and as one
 * `snapshot_visibility` row per tenant (owner included), which is what
 * {@link listSnapshots} scans. Querying inside the JSON instead (SQLite
 * `json_each`, PostgreSQL `jsonb ? tenant`) would differ per dialect and
 * could not use an index in keyset order.
 */
import type { CollectionRef } from '../../domain/records.js';
import type { OperationKind, OperationRecord, OperationStatus, SnapshotRecord } from '../../domain/operation-records.js';
import { decodeDescriptor, encodeDescriptor } from './descriptor-codec.js';
import { ProviderRecordQueries } from './provider-record-queries.js';
import type {
  CopyChunk,
  NewOperation,
  OperationPatch,
  SnapshotFaceRow,
  SnapshotPatch,
  SnapshotUserRow,
  SnapshotWriter,
} from '../snapshot-store.js';
import { boxOf, chunks, required, unique } from './helpers.js';
import type { SqlRunner } from './runner.js';
import { STORE_BATCH_CHUNK } from '../store.js';
import { type KeysetPage, type StoredUserStatus } from '../rows.js';

interface SnapshotSql {
  seq: number;
  id: string;
  owner: string;
  source_provider: string;
  source_collection_id: string;
  apply_scope: string;
  user_data: string | null;
  state: SnapshotRecord['state'];
  user_count: number;
  face_count: number;
  created_at: number;
  last_updated_at: number;
  expires_at: number;
}

interface OperationSql {
  seq: number;
  id: string;
  kind: string;
  owner: string;
  status: OperationStatus;
  percent: number;
  processed_items: number;
  total_items: number | null;
  snapshot_id: string | null;
  target_provider: string | null;
  target_collection_id: string | null;
  message: string | null;
  created_at: number;
  last_action_at: number;
}

interface SnapshotUserSql {
  seq: number;
  user_id: string;
  status: StoredUserStatus;
}

interface SnapshotFaceSql {
  seq: number;
  face_id: string;
  user_id: string | null;
  external_image_id: string | null;
  bbox_left: number;
  bbox_top: number;
  bbox_width: number;
  bbox_height: number;
  confidence: number;
  descriptor: Uint8Array;
  image_sha256: string | null;
  indexed_at: number;
}

// Unqualified: also the RETURNING lists, and unambiguous in the join with
// snapshot_visibility (whose columns are tenant and snapshot_seq).
const SNAPSHOT_COLUMNS =
  'seq, id, owner, source_provider, source_collection_id, apply_scope, user_data, state, ' +
  'user_count, face_count, created_at, last_updated_at, expires_at';
const OPERATION_COLUMNS =
  'seq, id, kind, owner, status, percent, processed_items, total_items, snapshot_id, target_provider, ' +
  'target_collection_id, message, created_at, last_action_at';
const SNAPSHOT_FACE_COLUMNS =
  'seq, face_id, user_id, external_image_id, bbox_left, bbox_top, bbox_width, bbox_height, confidence, ' +
  'descriptor, image_sha256, indexed_at';

/** Exhaustive by `satisfies`: adding a kind to OperationKind fails to compile until it is listed here. */
const OPERATION_KINDS = {
  TAKE_SNAPSHOT: true,
  APPLY_SNAPSHOT: true,
  TRAIN_COLLECTION: true,
} satisfies Record<OperationKind, true>;

/** Snapshot and operation SQL over one runner: {@link SnapshotWriter}. */
export class SqliteSnapshotQueries extends ProviderRecordQueries implements SnapshotWriter {
  constructor(sql: SqlRunner) {
    super(sql);
  }

  // ---- snapshots ---------------------------------------------------------

  async getSnapshot(id: string): Promise<SnapshotRecord | null> {
    const row = await this.sql.get<SnapshotSql>(`SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE id = ?`, [id]);
    return row ? toSnapshot(row) : null;
  }

  async listSnapshots(tenant: string, page: KeysetPage): Promise<{ seq: number; snapshot: SnapshotRecord }[]> {
    return (
      await this.sql.all<SnapshotSql>(
        `SELECT ${SNAPSHOT_COLUMNS}
         FROM snapshot_visibility v JOIN snapshots s ON s.seq = v.snapshot_seq
         WHERE v.tenant = ? AND v.snapshot_seq > ? ORDER BY v.snapshot_seq LIMIT ?`,
        [tenant, page.after ?? 0, page.limit],
      )
    ).map((row) => ({ seq: row.seq, snapshot: toSnapshot(row) }));
  }

  async insertSnapshot(snapshot: SnapshotRecord): Promise<void> {
    const inserted = await this.sql.get<{ seq: number }>(
      `INSERT INTO snapshots (id, owner, source_provider, source_collection_id, apply_scope, user_data, state,
         user_count, face_count, created_at, last_updated_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
      [
        snapshot.id,
        snapshot.owner,
        snapshot.source.provider,
        snapshot.source.collectionId,
        JSON.stringify(snapshot.applyScope),
        snapshot.userData,
        snapshot.state,
        snapshot.userCount,
        snapshot.faceCount,
        snapshot.createdAt.getTime(),
        snapshot.lastUpdatedAt.getTime(),
        snapshot.expiresAt.getTime(),
      ],
    );
    const seq = required(inserted, 'INSERT INTO snapshots … RETURNING').seq;
    for (const tenants of chunks(unique([snapshot.owner, ...snapshot.applyScope]))) {
      await this.sql.run(
        `INSERT INTO snapshot_visibility (tenant, snapshot_seq) VALUES ${tenants.map(() => '(?, ?)').join(', ')}`,
        tenants.flatMap((tenant) => [tenant, seq]),
      );
    }
  }

  async updateSnapshot(id: string, patch: SnapshotPatch): Promise<SnapshotRecord> {
    const sets: string[] = [];
    const params: unknown[] = [];
    if (patch.state !== undefined) set(sets, params, 'state', patch.state);
    if (patch.userCount !== undefined) set(sets, params, 'user_count', patch.userCount);
    if (patch.faceCount !== undefined) set(sets, params, 'face_count', patch.faceCount);
    if (patch.lastUpdatedAt !== undefined) set(sets, params, 'last_updated_at', patch.lastUpdatedAt.getTime());
    if (sets.length === 0) {
      const current = await this.getSnapshot(id);
      if (!current) throw new Error(`updateSnapshot: expected snapshot ${id} to exist, got none`);
      return current;
    }
    // The column list is built from fixed names only (at most 2^4 texts for the statement cache).
    const row = await this.sql.get<SnapshotSql>(
      `UPDATE snapshots SET ${sets.join(', ')} WHERE id = ?
       RETURNING ${SNAPSHOT_COLUMNS}`,
      [...params, id],
    );
    if (!row) throw new Error(`updateSnapshot: expected snapshot ${id} to exist, got none`);
    return toSnapshot(row);
  }

  async deleteSnapshot(id: string): Promise<boolean> {
    const row = await this.sql.get<{ seq: number }>('SELECT seq FROM snapshots WHERE id = ?', [id]);
    if (!row) return false;
    await this.clearSnapshotContent(id);
    await this.sql.run('DELETE FROM snapshot_visibility WHERE snapshot_seq = ?', [row.seq]);
    await this.sql.run('DELETE FROM snapshots WHERE seq = ?', [row.seq]);
    return true;
  }

  async deleteSnapshotsOf(source: CollectionRef): Promise<string[]> {
    // A scan of snapshots: they are few (each expires), and an erasure is rare.
    const rows = await this.sql.all<{ id: string }>(
      'SELECT id FROM snapshots WHERE source_provider = ? AND source_collection_id = ? ORDER BY seq',
      [source.provider, source.collectionId],
    );
    for (const { id } of rows) await this.deleteSnapshot(id);
    return rows.map((r) => r.id);
  }

  async expiredSnapshotsWithContent(now: Date, limit: number): Promise<string[]> {
    const rows = await this.sql.all<{ id: string }>(
      `SELECT s.id FROM snapshots s
       WHERE s.expires_at <= ?
       AND (EXISTS (SELECT 1 FROM snapshot_faces f WHERE f.snapshot_id = s.id)
         OR EXISTS (SELECT 1 FROM snapshot_users u WHERE u.snapshot_id = s.id)
         OR EXISTS (SELECT 1 FROM snapshot_images i WHERE i.snapshot_id = s.id))
       ORDER BY s.seq LIMIT ?`,
      [now.getTime(), limit],
    );
    return rows.map((r) => r.id);
  }

  async clearSnapshotContent(snapshotId: string): Promise<void> {
    // Children before parents, explicitly (no ON DELETE CASCADE), as in
    // deleteCollection: faces reference images. One statement per table: the
    // rows never reach JavaScript, so memory stays flat at any size; the time
    // is proportional to the content, like the take that copied it.
    await this.sql.run('DELETE FROM snapshot_faces WHERE snapshot_id = ?', [snapshotId]);
    await this.sql.run('DELETE FROM snapshot_users WHERE snapshot_id = ?', [snapshotId]);
    await this.sql.run('DELETE FROM snapshot_images WHERE snapshot_id = ?', [snapshotId]);
  }

  // ---- snapshot content --------------------------------------------------

  async listSnapshotUsers(snapshotId: string, page: KeysetPage): Promise<SnapshotUserRow[]> {
    return (
      await this.sql.all<SnapshotUserSql>(
        'SELECT seq, user_id, status FROM snapshot_users WHERE snapshot_id = ? AND seq > ? ORDER BY seq LIMIT ?',
        [snapshotId, page.after ?? 0, page.limit],
      )
    ).map((row) => ({ seq: row.seq, userId: row.user_id, status: row.status }));
  }

  async listSnapshotFaces(snapshotId: string, page: KeysetPage): Promise<SnapshotFaceRow[]> {
    return (
      await this.sql.all<SnapshotFaceSql>(
        `SELECT ${SNAPSHOT_FACE_COLUMNS} FROM snapshot_faces WHERE snapshot_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
        [snapshotId, page.after ?? 0, page.limit],
      )
    ).map(toSnapshotFace);
  }

  async getSnapshotImage(snapshotId: string, sha256: string): Promise<Uint8Array | null> {
    const row = await this.sql.get<{ bytes: Uint8Array }>('SELECT bytes FROM snapshot_images WHERE snapshot_id = ? AND sha256 = ?', [
      snapshotId,
      sha256,
    ]);
    return row ? new Uint8Array(row.bytes) : null;
  }

  async copyUsersToSnapshot(collectionKey: number, snapshotId: string, afterSeq: number | null, limit: number): Promise<CopyChunk> {
    const { changes } = await this.sql.run(
      `INSERT INTO snapshot_users (snapshot_id, seq, user_id, status)
       SELECT ?, u.seq, u.user_id, u.status FROM users u
       WHERE u.collection_key = ? AND u.seq > ? ORDER BY u.seq LIMIT ?`,
      [snapshotId, collectionKey, afterSeq ?? 0, copyLimit(limit)],
    );
    return this.copied('snapshot_users', snapshotId, changes);
  }

  async copyFacesToSnapshot(collectionKey: number, snapshotId: string, afterSeq: number | null, limit: number): Promise<CopyChunk> {
    const after = afterSeq ?? 0;
    const n = copyLimit(limit);
    // Images first (the faces' foreign key points at them): those of this
    // chunk's faces not already copied by an earlier chunk. The subquery is
    // the same chunk the face copy below selects; both run in this
    // transaction, so they see the same rows.
    await this.sql.run(
      `INSERT INTO snapshot_images (snapshot_id, sha256, bytes)
       SELECT ?, i.sha256, i.bytes FROM images i
       WHERE i.sha256 IN (
         SELECT f.image_sha256 FROM faces f WHERE f.collection_key = ? AND f.seq > ? ORDER BY f.seq LIMIT ?
       )
       AND NOT EXISTS (SELECT 1 FROM snapshot_images si WHERE si.snapshot_id = ? AND si.sha256 = i.sha256)`,
      [snapshotId, collectionKey, after, n, snapshotId],
    );
    const { changes } = await this.sql.run(
      `INSERT INTO snapshot_faces (snapshot_id, seq, face_id, user_id, external_image_id, bbox_left, bbox_top,
         bbox_width, bbox_height, confidence, descriptor, image_sha256, indexed_at)
       SELECT ?, f.seq, f.face_id, u.user_id, f.external_image_id, f.bbox_left, f.bbox_top,
         f.bbox_width, f.bbox_height, f.confidence, f.descriptor, f.image_sha256, f.indexed_at
       FROM faces f LEFT JOIN users u ON u.seq = f.user_seq
       WHERE f.collection_key = ? AND f.seq > ? ORDER BY f.seq LIMIT ?`,
      [snapshotId, collectionKey, after, n],
    );
    return this.copied('snapshot_faces', snapshotId, changes);
  }

  async insertSnapshotUsers(snapshotId: string, users: readonly SnapshotUserRow[]): Promise<void> {
    for (const u of users) {
      await this.sql.run('INSERT INTO snapshot_users (snapshot_id, seq, user_id, status) VALUES (?, ?, ?, ?)', [
        snapshotId,
        u.seq,
        u.userId,
        u.status,
      ]);
    }
  }

  async putSnapshotImage(snapshotId: string, sha256: string, bytes: Uint8Array): Promise<void> {
    await this.sql.run(
      `INSERT INTO snapshot_images (snapshot_id, sha256, bytes) VALUES (?, ?, ?)
       ON CONFLICT (snapshot_id, sha256) DO NOTHING`,
      [snapshotId, sha256, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
    );
  }

  async insertSnapshotFaces(snapshotId: string, faces: readonly SnapshotFaceRow[]): Promise<void> {
    for (const f of faces) {
      const b = f.boundingBox;
      await this.sql.run(
        `INSERT INTO snapshot_faces (snapshot_id, seq, face_id, user_id, external_image_id, bbox_left, bbox_top,
           bbox_width, bbox_height, confidence, descriptor, image_sha256, indexed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          snapshotId,
          f.seq,
          f.faceId,
          f.userId,
          f.externalImageId,
          b.left,
          b.top,
          b.width,
          b.height,
          f.confidence,
          f.descriptor.length === 0 ? Buffer.alloc(0) : encodeDescriptor(f.descriptor),
          f.imageSha256,
          f.indexedAt.getTime(),
        ],
      );
    }
  }

  // ---- operations --------------------------------------------------------

  async getOperation(id: string): Promise<OperationRecord | null> {
    const row = await this.sql.get<OperationSql>(`SELECT ${OPERATION_COLUMNS} FROM operations WHERE id = ?`, [id]);
    return row ? toOperation(row) : null;
  }

  async listOperationsByStatus(statuses: readonly OperationStatus[]): Promise<OperationRecord[]> {
    // At most four distinct statuses: no chunking of the IN list needed. The
    // rows come in keyset pages so no single statement runs long.
    const wanted = unique(statuses);
    const out: OperationRecord[] = [];
    if (wanted.length === 0) return out;
    for (let after = 0; ;) {
      const match = this.sql.dialect.in('status', wanted);
      const rows = await this.sql.all<OperationSql>(
        `SELECT ${OPERATION_COLUMNS} FROM operations
         WHERE ${match.sql} AND seq > ? ORDER BY seq LIMIT ?`,
        [...match.params, after, STORE_BATCH_CHUNK],
      );
      for (const row of rows) out.push(toOperation(row));
      if (rows.length < STORE_BATCH_CHUNK) return out;
      after = rows[rows.length - 1].seq;
    }
  }

  async insertOperation(op: NewOperation): Promise<OperationRecord> {
    const at = op.createdAt.getTime();
    const row = await this.sql.get<OperationSql>(
      `INSERT INTO operations (id, kind, owner, status, percent, processed_items, total_items, snapshot_id,
         target_provider, target_collection_id, message, created_at, last_action_at)
       VALUES (?, ?, ?, 'NOT_STARTED', 0, 0, NULL, ?, ?, ?, NULL, ?, ?) RETURNING ${OPERATION_COLUMNS}`,
      [op.id, op.kind, op.owner, op.snapshotId, op.target?.provider ?? null, op.target?.collectionId ?? null, at, at],
    );
    return toOperation(required(row, 'INSERT INTO operations … RETURNING'));
  }

  async updateOperation(id: string, patch: OperationPatch, at: Date): Promise<OperationRecord> {
    const sets: string[] = [];
    const params: unknown[] = [];
    if (patch.status !== undefined) set(sets, params, 'status', patch.status);
    if (patch.percent !== undefined) set(sets, params, 'percent', patch.percent);
    if (patch.processedItems !== undefined) set(sets, params, 'processed_items', patch.processedItems);
    if (patch.totalItems !== undefined) set(sets, params, 'total_items', patch.totalItems);
    if (patch.message !== undefined) set(sets, params, 'message', patch.message);
    if (patch.target !== undefined) {
      set(sets, params, 'target_provider', patch.target?.provider ?? null);
      set(sets, params, 'target_collection_id', patch.target?.collectionId ?? null);
    }
    set(sets, params, 'last_action_at', at.getTime());
    // The column list is built from fixed names only (at most 2^6 texts for the statement cache).
    const row = await this.sql.get<OperationSql>(`UPDATE operations SET ${sets.join(', ')} WHERE id = ? RETURNING ${OPERATION_COLUMNS}`, [
      ...params,
      id,
    ]);
    if (!row) throw new Error(`updateOperation: expected operation ${id} to exist, got none`);
    return toOperation(row);
  }

  async touchOperation(id: string, at: Date): Promise<boolean> {
    const row = await this.sql.get<{ id: string }>(
      `UPDATE operations SET last_action_at = ? WHERE id = ? AND status = 'RUNNING' RETURNING id`,
      [at.getTime(), id],
    );
    return row !== undefined;
  }

  async failStaleOperations(kind: OperationKind, staleBefore: Date, message: string, at: Date): Promise<OperationRecord[]> {
    const rows = await this.sql.all<OperationSql>(
      `UPDATE operations SET status = 'FAILED', message = ?, last_action_at = ?
       WHERE status = 'RUNNING' AND kind = ? AND last_action_at < ? RETURNING ${OPERATION_COLUMNS}`,
      [message, at.getTime(), kind, staleBefore.getTime()],
    );
    return rows.map(toOperation);
  }

  // ---- helpers -----------------------------------------------------------

  /**
   * A copy's result. A chunk copies rows in seq order and each chunk starts
   * after the previous one, so the snapshot's largest seq is this chunk's
   * last (one primary-key probe; the copied rows stay in the database).
   */
  private async copied(table: 'snapshot_users' | 'snapshot_faces', snapshotId: string, changes: number): Promise<CopyChunk> {
    if (changes === 0) return { copied: 0, lastSeq: null };
    const row = await this.sql.get<{ last: number | null }>(`SELECT MAX(seq) AS last FROM ${table} WHERE snapshot_id = ?`, [snapshotId]);
    return { copied: changes, lastSeq: required(row, `SELECT MAX(seq) FROM ${table}`).last };
  }
}

function set(sets: string[], params: unknown[], column: string, value: unknown): void {
  sets.push(`${column} = ?`);
  params.push(value);
}

/** A copy chunk must be bounded: `LIMIT` with a negative value means "no limit" in SQLite. */
function copyLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`snapshot copy: expected a positive integer limit, got ${limit}`);
  }
  return limit;
}

function toSnapshot(row: SnapshotSql): SnapshotRecord {
  return {
    id: row.id,
    owner: row.owner,
    source: { provider: row.source_provider, collectionId: row.source_collection_id },
    applyScope: parseScope(row),
    userData: row.user_data,
    state: row.state,
    userCount: Number(row.user_count),
    faceCount: Number(row.face_count),
    createdAt: new Date(row.created_at),
    lastUpdatedAt: new Date(row.last_updated_at),
    expiresAt: new Date(row.expires_at),
  };
}

function parseScope(row: SnapshotSql): string[] {
  let scope: unknown;
  try {
    scope = JSON.parse(row.apply_scope);
  } catch {
    scope = undefined;
  }
  if (!Array.isArray(scope) || !scope.every((tenant) => typeof tenant === 'string')) {
    throw new Error(
      `snapshots row ${row.id}: expected apply_scope to be a JSON array of strings, got ${JSON.stringify(row.apply_scope.slice(0, 200))}`,
    );
  }
  return scope;
}

function toOperation(row: OperationSql): OperationRecord {
  if (!Object.hasOwn(OPERATION_KINDS, row.kind)) {
    throw new Error(
      `operations row ${row.id}: expected kind ${Object.keys(OPERATION_KINDS).join(' | ')}, got ${JSON.stringify(row.kind)} (written by a newer facegate?)`,
    );
  }
  return {
    id: row.id,
    kind: row.kind as OperationKind,
    owner: row.owner,
    status: row.status,
    percent: row.percent,
    processedItems: Number(row.processed_items),
    totalItems: row.total_items === null ? null : Number(row.total_items),
    snapshotId: row.snapshot_id,
    // The table's CHECK keeps both target columns null or both set.
    target:
      row.target_provider === null || row.target_collection_id === null
        ? null
        : { provider: row.target_provider, collectionId: row.target_collection_id },
    message: row.message,
    createdAt: new Date(row.created_at),
    lastActionAt: new Date(row.last_action_at),
  };
}

function toSnapshotFace(row: SnapshotFaceSql): SnapshotFaceRow {
  return {
    seq: row.seq,
    faceId: row.face_id,
    userId: row.user_id,
    externalImageId: row.external_image_id,
    boundingBox: boxOf(row),
    confidence: row.confidence,
    // Empty for faces from a provider that keeps no descriptors (Azure): see insertSnapshotFaces.
    descriptor: row.descriptor.byteLength === 0 ? new Float32Array(0) : decodeDescriptor(row.descriptor),
    imageSha256: row.image_sha256,
    indexedAt: new Date(row.indexed_at),
  };
}
