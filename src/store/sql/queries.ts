/**
 * The SQL of the store, over any {@link SqlRunner}: on SQLite the read-only
 * connection for committed reads and the writer connection inside a
 * transaction; on PostgreSQL (postgres-store.ts) a pool for committed reads
 * and one pooled client per transaction. Both backends run these same texts.
 *
 * Portable SQL only (`?` parameters, `RETURNING`, `ON CONFLICT`, `LIMIT`);
 * the PostgreSQL runner renumbers placeholders to `$n`. The only
 * dialect-specific fragments come from `this.sql.dialect`: id lists
 * (`IN (?, …)` vs `= ANY(?)`) and the row locks PostgreSQL needs before a
 * conditional delete. Every list is a keyset page and every id list is chunked.
 *
 * Exported as {@link StoreQueries}; `SqliteQueries` is the historical name.
 */
import { matchesAll } from '../../lib/glob.js';
import { decodeDescriptor, encodeDescriptor } from './descriptor-codec.js';
import { SqliteSnapshotQueries } from './snapshot-queries.js';
import { boxOf, chunks, required, unique } from './helpers.js';
import type { SqlRunner } from './runner.js';
import {
  ASSOCIATION_LOG_KEEP,
  STORE_BATCH_CHUNK,
  type AssociationChange,
  type CollectionRow,
  type FaceListFilter,
  type FaceRow,
  type FaceWithDescriptor,
  type IdempotencyRecord,
  type NewFace,
  type RetainedImage,
  type StoreTx,
  type UserRow,
} from '../store.js';
import { type CollectionRef } from '../../domain/records.js';
import { type KeysetPage, type StoredUserStatus } from '../rows.js';

interface CollectionSql {
  key: number;
  provider: string;
  collection_id: string;
  face_model_version: string | null;
  created_at: number;
  face_count: number;
  user_count: number;
}

interface UserSql {
  seq: number;
  collection_key: number;
  user_id: string;
  status: StoredUserStatus;
  created_at: number;
}

interface FaceSql {
  seq: number;
  collection_key: number;
  face_id: string;
  user_seq: number | null;
  user_id: string | null;
  external_image_id: string | null;
  bbox_left: number;
  bbox_top: number;
  bbox_width: number;
  bbox_height: number;
  confidence: number;
  image_sha256: string | null;
  indexed_at: number;
  descriptor?: Uint8Array;
}

const COLLECTION_COLUMNS = 'c.key, c.provider, c.collection_id, c.face_model_version, c.created_at, c.face_count, c.user_count';
const USER_COLUMNS = 'u.seq, u.collection_key, u.user_id, u.status, u.created_at';
const FACE_COLUMNS =
  'f.seq, f.collection_key, f.face_id, f.user_seq, u.user_id, f.external_image_id, ' +
  'f.bbox_left, f.bbox_top, f.bbox_width, f.bbox_height, f.confidence, f.image_sha256, f.indexed_at';
const FACE_FROM = 'faces f LEFT JOIN users u ON u.seq = f.user_seq';

/**
 * Store SQL over one runner; {@link StoreTx} except `afterCommit`, which the
 * store adds. Snapshots and operations come from {@link SqliteSnapshotQueries}.
 */
export class StoreQueries extends SqliteSnapshotQueries implements Omit<StoreTx, 'afterCommit'> {
  constructor(sql: SqlRunner) {
    super(sql);
  }

  // ---- collections -------------------------------------------------------

  async getCollection(ref: CollectionRef): Promise<CollectionRow | null> {
    const row = await this.sql.get<CollectionSql>(
      `SELECT ${COLLECTION_COLUMNS} FROM collections c WHERE c.provider = ? AND c.collection_id = ?`,
      [ref.provider, ref.collectionId],
    );
    return row ? toCollection(row) : null;
  }

  async getCollections(provider: string, collectionIds: readonly string[]): Promise<CollectionRow[]> {
    const out: CollectionRow[] = [];
    for (const ids of chunks(unique(collectionIds))) {
      const match = this.sql.dialect.in('c.collection_id', ids);
      const rows = await this.sql.all<CollectionSql>(
        `SELECT ${COLLECTION_COLUMNS} FROM collections c WHERE c.provider = ? AND ${match.sql}`,
        [provider, ...match.params],
      );
      for (const row of rows) out.push(toCollection(row));
    }
    return out;
  }

  async listCollections(provider: string, page: KeysetPage, idPatterns?: readonly string[]): Promise<CollectionRow[]> {
    // The filter is part of the query, so a page is full whenever rows follow (a tenant's listing never comes back short).
    const only = idPatterns && !matchesAll(idPatterns) ? this.sql.dialect.matchesAny('c.collection_id', idPatterns) : undefined;
    return (
      await this.sql.all<CollectionSql>(
        `SELECT ${COLLECTION_COLUMNS} FROM collections c WHERE c.provider = ? AND c.key > ?${only ? ` AND ${only.sql}` : ''} ORDER BY c.key LIMIT ?`,
        [provider, page.after ?? 0, ...(only?.params ?? []), page.limit],
      )
    ).map(toCollection);
  }

  async insertCollection(row: CollectionRef & { faceModelVersion: string | null; createdAt: Date }): Promise<CollectionRow> {
    const inserted = await this.sql.get<CollectionSql>(
      `INSERT INTO collections (provider, collection_id, face_model_version, created_at) VALUES (?, ?, ?, ?)
       RETURNING key, provider, collection_id, face_model_version, created_at, face_count, user_count`,
      [row.provider, row.collectionId, row.faceModelVersion, row.createdAt.getTime()],
    );
    return toCollection(required(inserted, 'INSERT INTO collections … RETURNING'));
  }

  async deleteCollection(collectionKey: number): Promise<void> {
    // Children first and explicitly (no ON DELETE CASCADE): the order is
    // visible here and identical on every backend. Faces go in bounded
    // batches so memory stays flat however large the collection.
    for (;;) {
      const batch = await this.sql.all<{ seq: number; image_sha256: string | null }>(
        'SELECT seq, image_sha256 FROM faces WHERE collection_key = ? ORDER BY seq LIMIT ?',
        [collectionKey, STORE_BATCH_CHUNK],
      );
      if (batch.length === 0) break;
      const match = this.sql.dialect.in(
        'seq',
        batch.map((r) => r.seq),
      );
      await this.sql.run(`DELETE FROM faces WHERE ${match.sql}`, match.params);
      await this.deleteUnreferencedImages(unique(batch.flatMap((r) => (r.image_sha256 === null ? [] : [r.image_sha256]))));
    }
    await this.sql.run('DELETE FROM idempotency WHERE collection_key = ?', [collectionKey]);
    await this.sql.run('DELETE FROM association_changes WHERE collection_key = ?', [collectionKey]);
    await this.sql.run('DELETE FROM users WHERE collection_key = ?', [collectionKey]);
    await this.sql.run('DELETE FROM collections WHERE key = ?', [collectionKey]);
  }

  // ---- users -------------------------------------------------------------

  async findUsers(ref: CollectionRef, userIds: readonly string[]): Promise<UserRow[] | null> {
    const ids = unique(userIds);
    if (ids.length === 0) return (await this.getCollection(ref)) ? [] : null;
    const out: UserRow[] = [];
    for (const chunk of chunks(ids)) {
      // LEFT JOIN from the collection: one statement answers both "does the
      // collection exist" (≥1 row) and "which users do".
      const match = this.sql.dialect.in('u.user_id', chunk);
      const rows = await this.sql.all<{ c_key: number } & NullableUserSql>(
        `SELECT c.key AS c_key, ${USER_COLUMNS}
         FROM collections c LEFT JOIN users u ON u.collection_key = c.key AND ${match.sql}
         WHERE c.provider = ? AND c.collection_id = ?`,
        [...match.params, ref.provider, ref.collectionId],
      );
      if (rows.length === 0) return null;
      for (const row of rows) if (row.seq !== null) out.push(toUser(row as UserSql));
    }
    return out;
  }

  async listUsers(collectionKey: number, page: KeysetPage): Promise<UserRow[]> {
    return (
      await this.sql.all<UserSql>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.collection_key = ? AND u.seq > ? ORDER BY u.seq LIMIT ?`, [
        collectionKey,
        page.after ?? 0,
        page.limit,
      ])
    ).map(toUser);
  }

  async getUser(collectionKey: number, userId: string): Promise<UserRow | null> {
    const row = await this.sql.get<UserSql>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.collection_key = ? AND u.user_id = ?`, [
      collectionKey,
      userId,
    ]);
    return row ? toUser(row) : null;
  }

  async insertUser(collectionKey: number, userId: string, createdAt: Date): Promise<UserRow> {
    const row = await this.sql.get<UserSql>(
      `INSERT INTO users (collection_key, user_id, status, created_at) VALUES (?, ?, 'CREATED', ?)
       RETURNING seq, collection_key, user_id, status, created_at`,
      [collectionKey, userId, createdAt.getTime()],
    );
    await this.sql.run('UPDATE collections SET user_count = user_count + 1 WHERE key = ?', [collectionKey]);
    return toUser(required(row, 'INSERT INTO users … RETURNING'));
  }

  async deleteUser(userSeq: number): Promise<string[]> {
    const faceIds = (await this.sql.all<{ face_id: string }>('SELECT face_id FROM faces WHERE user_seq = ? ORDER BY seq', [userSeq])).map(
      (r) => r.face_id,
    );
    await this.sql.run('UPDATE faces SET user_seq = NULL WHERE user_seq = ?', [userSeq]);
    const deleted = await this.sql.get<{ collection_key: number }>('DELETE FROM users WHERE seq = ? RETURNING collection_key', [userSeq]);
    if (deleted) {
      await this.sql.run('UPDATE collections SET user_count = user_count - 1 WHERE key = ?', [deleted.collection_key]);
      await this.logAssociationChange(deleted.collection_key, faceIds);
    }
    return faceIds;
  }

  async refreshUserStatus(userSeq: number): Promise<StoredUserStatus> {
    const row = await this.sql.get<{ status: StoredUserStatus }>(
      `UPDATE users SET status = CASE WHEN EXISTS (SELECT 1 FROM faces WHERE user_seq = ?) THEN 'ACTIVE' ELSE 'CREATED' END
       WHERE seq = ? RETURNING status`,
      [userSeq, userSeq],
    );
    return required(row, `UPDATE users (seq ${userSeq}) … RETURNING`).status;
  }

  // ---- faces -------------------------------------------------------------

  async findFaces(ref: CollectionRef, faceIds: readonly string[]): Promise<FaceRow[] | null> {
    const ids = unique(faceIds);
    if (ids.length === 0) return (await this.getCollection(ref)) ? [] : null;
    const out: FaceRow[] = [];
    for (const chunk of chunks(ids)) {
      const match = this.sql.dialect.in('f.face_id', chunk);
      const rows = await this.sql.all<{ c_key: number } & NullableFaceSql>(
        `SELECT c.key AS c_key, ${FACE_COLUMNS}
         FROM collections c
         LEFT JOIN faces f ON f.collection_key = c.key AND ${match.sql}
         LEFT JOIN users u ON u.seq = f.user_seq
         WHERE c.provider = ? AND c.collection_id = ?`,
        [...match.params, ref.provider, ref.collectionId],
      );
      if (rows.length === 0) return null;
      for (const row of rows) if (row.seq !== null) out.push(toFace(row as FaceSql));
    }
    return out;
  }

  async getFacesWithDescriptors(collectionKey: number, faceIds: readonly string[]): Promise<FaceWithDescriptor[]> {
    const out: FaceWithDescriptor[] = [];
    for (const chunk of chunks(unique(faceIds))) {
      const match = this.sql.dialect.in('f.face_id', chunk);
      const rows = await this.sql.all<FaceSql>(
        `SELECT ${FACE_COLUMNS}, f.descriptor FROM ${FACE_FROM}
         WHERE f.collection_key = ? AND ${match.sql}`,
        [collectionKey, ...match.params],
      );
      for (const row of rows) out.push(toFaceWithDescriptor(row));
    }
    return out;
  }

  async listFaces(collectionKey: number, filter: FaceListFilter, page: KeysetPage): Promise<FaceRow[]> {
    return (await this.selectFacePage(collectionKey, filter, page, false)).map(toFace);
  }

  async listFacesWithDescriptors(collectionKey: number, filter: FaceListFilter, page: KeysetPage): Promise<FaceWithDescriptor[]> {
    return (await this.selectFacePage(collectionKey, filter, page, true)).map(toFaceWithDescriptor);
  }

  async getUserFaces(userSeq: number): Promise<FaceWithDescriptor[]> {
    return (
      await this.sql.all<FaceSql>(`SELECT ${FACE_COLUMNS}, f.descriptor FROM ${FACE_FROM} WHERE f.user_seq = ? ORDER BY f.seq`, [userSeq])
    ).map(toFaceWithDescriptor);
  }

  async countUserFaces(ref: CollectionRef, userIds: readonly string[]): Promise<Map<string, number> | null> {
    const ids = unique(userIds);
    if (ids.length === 0) return (await this.getCollection(ref)) ? new Map() : null;
    const out = new Map<string, number>();
    for (const chunk of chunks(ids)) {
      const match = this.sql.dialect.in('u.user_id', chunk);
      const rows = await this.sql.all<{ c_key: number; user_id: string | null; n: number }>(
        `SELECT c.key AS c_key, u.user_id, COUNT(f.seq) AS n
         FROM collections c
         LEFT JOIN users u ON u.collection_key = c.key AND ${match.sql}
         LEFT JOIN faces f ON f.user_seq = u.seq
         WHERE c.provider = ? AND c.collection_id = ?
         GROUP BY c.key, u.user_id`,
        [...match.params, ref.provider, ref.collectionId],
      );
      if (rows.length === 0) return null;
      for (const row of rows) if (row.user_id !== null) out.set(row.user_id, Number(row.n));
    }
    return out;
  }

  async findUserFaces(ref: CollectionRef, userIds: readonly string[]): Promise<FaceRow[] | null> {
    const ids = unique(userIds);
    if (ids.length === 0) return (await this.getCollection(ref)) ? [] : null;
    const out: FaceRow[] = [];
    for (const chunk of chunks(ids)) {
      const match = this.sql.dialect.in('u.user_id', chunk);
      const rows = await this.sql.all<{ c_key: number } & NullableFaceSql>(
        `SELECT c.key AS c_key, ${FACE_COLUMNS}
         FROM collections c
         LEFT JOIN users u ON u.collection_key = c.key AND ${match.sql}
         LEFT JOIN faces f ON f.user_seq = u.seq
         WHERE c.provider = ? AND c.collection_id = ?
         ORDER BY f.seq`,
        [...match.params, ref.provider, ref.collectionId],
      );
      if (rows.length === 0) return null;
      for (const row of rows) if (row.seq !== null) out.push(toFace(row as FaceSql));
    }
    return out;
  }

  async findFacesFromImage(collectionKey: number, imageSha256: string, externalImageId: string | null): Promise<FaceRow[]> {
    const externalMatch = externalImageId === null ? 'f.external_image_id IS NULL' : 'f.external_image_id = ?';
    const params: unknown[] = [imageSha256, collectionKey];
    if (externalImageId !== null) params.push(externalImageId);
    return (
      await this.sql.all<FaceSql>(
        `SELECT ${FACE_COLUMNS} FROM ${FACE_FROM}
         WHERE f.image_sha256 = ? AND f.collection_key = ? AND ${externalMatch} ORDER BY f.seq`,
        params,
      )
    ).map(toFace);
  }

  async insertFaces(collectionKey: number, faces: readonly NewFace[], image: RetainedImage | null): Promise<FaceRow[]> {
    if (faces.length === 0) return [];
    if (image) {
      // An upsert rather than DO NOTHING: the no-op update locks an existing
      // row (PostgreSQL), so a concurrent transaction deleting its last face
      // in another collection cannot delete the image under this insert —
      // it waits, and its delete then sees this face (deleteUnreferencedImages).
      await this.sql.run(
        `INSERT INTO images (sha256, bytes, created_at) VALUES (?, ?, ?)
         ON CONFLICT (sha256) DO UPDATE SET created_at = images.created_at`,
        [image.sha256, Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength), Date.now()],
      );
    }
    const out: FaceRow[] = [];
    for (const face of faces) {
      const box = face.boundingBox;
      const row = await this.sql.get<{ seq: number }>(
        `INSERT INTO faces (face_id, collection_key, user_seq, external_image_id, bbox_left, bbox_top, bbox_width,
           bbox_height, confidence, descriptor, image_sha256, indexed_at)
         VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
        [
          face.faceId,
          collectionKey,
          face.externalImageId,
          box.left,
          box.top,
          box.width,
          box.height,
          face.confidence,
          encodeDescriptor(face.descriptor),
          image?.sha256 ?? null,
          face.indexedAt.getTime(),
        ],
      );
      out.push({
        seq: required(row, 'INSERT INTO faces … RETURNING').seq,
        collectionKey,
        faceId: face.faceId,
        userSeq: null,
        userId: null,
        externalImageId: face.externalImageId,
        boundingBox: { ...box },
        confidence: face.confidence,
        imageSha256: image?.sha256 ?? null,
        indexedAt: new Date(face.indexedAt.getTime()),
      });
    }
    await this.sql.run('UPDATE collections SET face_count = face_count + ? WHERE key = ?', [faces.length, collectionKey]);
    return out;
  }

  async deleteFaces(collectionKey: number, faceSeqs: readonly number[]): Promise<void> {
    for (const chunk of chunks(unique(faceSeqs))) {
      const match = this.sql.dialect.in('seq', chunk);
      const images = (
        await this.sql.all<{ image_sha256: string }>(
          `SELECT DISTINCT image_sha256 FROM faces
           WHERE collection_key = ? AND ${match.sql} AND image_sha256 IS NOT NULL`,
          [collectionKey, ...match.params],
        )
      ).map((r) => r.image_sha256);
      const { changes } = await this.sql.run(`DELETE FROM faces WHERE collection_key = ? AND ${match.sql}`, [
        collectionKey,
        ...match.params,
      ]);
      await this.sql.run('UPDATE collections SET face_count = face_count - ? WHERE key = ?', [changes, collectionKey]);
      await this.deleteUnreferencedImages(images);
    }
  }

  async setFacesUser(collectionKey: number, faceSeqs: readonly number[], userSeq: number | null): Promise<void> {
    const faceIds: string[] = [];
    for (const chunk of chunks(unique(faceSeqs))) {
      const match = this.sql.dialect.in('seq', chunk);
      const rows = await this.sql.all<{ face_id: string }>(
        `UPDATE faces SET user_seq = ? WHERE collection_key = ? AND ${match.sql} RETURNING face_id`,
        [userSeq, collectionKey, ...match.params],
      );
      for (const r of rows) faceIds.push(r.face_id);
    }
    await this.logAssociationChange(collectionKey, faceIds);
  }

  /**
   * Records that `faceIds` changed user, under the collection's next change
   * number, and prunes changes older than ASSOCIATION_LOG_KEEP. Nothing for
   * no faces, so every change number has rows (a reader tells a pruned gap by it).
   */
  private async logAssociationChange(collectionKey: number, faceIds: readonly string[]): Promise<void> {
    if (faceIds.length === 0) return;
    const bumped = await this.sql.get<{ association_changes: number }>(
      'UPDATE collections SET association_changes = association_changes + 1 WHERE key = ? RETURNING association_changes',
      [collectionKey],
    );
    const change = Number(required(bumped, `UPDATE collections (key ${collectionKey}) … RETURNING`).association_changes);
    for (const chunk of chunks(unique(faceIds))) {
      await this.sql.run(
        `INSERT INTO association_changes (collection_key, change, face_id) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`,
        chunk.flatMap((faceId) => [collectionKey, change, faceId]),
      );
    }
    if (change > ASSOCIATION_LOG_KEEP && change % 1000 === 0) {
      await this.sql.run('DELETE FROM association_changes WHERE collection_key = ? AND change <= ?', [
        collectionKey,
        change - ASSOCIATION_LOG_KEEP,
      ]);
    }
  }

  async associationMark(collectionKey: number): Promise<number | null> {
    const row = await this.sql.get<{ association_changes: number }>('SELECT association_changes FROM collections WHERE key = ?', [
      collectionKey,
    ]);
    return row ? Number(row.association_changes) : null;
  }

  async listAssociationChanges(collectionKey: number, after: number, limit: number): Promise<AssociationChange[]> {
    const rows = await this.sql.all<{ change: number; face_id: string }>(
      'SELECT change, face_id FROM association_changes WHERE collection_key = ? AND change > ? ORDER BY change, face_id LIMIT ?',
      [collectionKey, after, limit],
    );
    return rows.map((r) => ({ change: Number(r.change), faceId: r.face_id }));
  }

  // ---- images ------------------------------------------------------------

  async getImage(sha256: string): Promise<Uint8Array | null> {
    const row = await this.sql.get<{ bytes: Uint8Array }>('SELECT bytes FROM images WHERE sha256 = ?', [sha256]);
    return row ? new Uint8Array(row.bytes) : null;
  }

  /**
   * Biometric data must not linger: an image goes with the last face that
   * references it. Images are shared by collections, so on PostgreSQL a
   * transaction of another collection may be inserting a face of the same
   * image right now: the candidates are locked first (sorted, so two
   * deleters cannot deadlock on them), and the DELETE, a statement of its
   * own, then sees every face committed by the lock's previous holder.
   */
  private async deleteUnreferencedImages(candidates: readonly string[]): Promise<void> {
    for (const chunk of chunks(candidates)) {
      const match = this.sql.dialect.in('sha256', chunk);
      if (this.sql.dialect.lockRows) {
        await this.sql.all(`SELECT sha256 FROM images WHERE ${match.sql} ORDER BY sha256 FOR UPDATE`, match.params);
      }
      await this.sql.run(
        `DELETE FROM images WHERE ${match.sql}
         AND NOT EXISTS (SELECT 1 FROM faces WHERE faces.image_sha256 = images.sha256)`,
        match.params,
      );
    }
  }

  // ---- idempotency -------------------------------------------------------

  async getIdempotency(collectionKey: number, operation: string, clientRequestToken: string): Promise<IdempotencyRecord | null> {
    const row = await this.sql.get<{ request_hash: string; response: string; created_at: number }>(
      `SELECT request_hash, response, created_at FROM idempotency
       WHERE collection_key = ? AND operation = ? AND client_request_token = ?`,
      [collectionKey, operation, clientRequestToken],
    );
    return row ? { requestHash: row.request_hash, response: row.response, createdAt: new Date(row.created_at) } : null;
  }

  async putIdempotency(collectionKey: number, operation: string, clientRequestToken: string, record: IdempotencyRecord): Promise<void> {
    await this.sql.run(
      `INSERT INTO idempotency (collection_key, operation, client_request_token, request_hash, response, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [collectionKey, operation, clientRequestToken, record.requestHash, record.response, record.createdAt.getTime()],
    );
  }

  async pruneIdempotency(cutoff: Date): Promise<number> {
    return (await this.sql.run('DELETE FROM idempotency WHERE created_at < ?', [cutoff.getTime()])).changes;
  }

  // ---- helpers -----------------------------------------------------------

  private async selectFacePage(
    collectionKey: number,
    filter: FaceListFilter,
    page: KeysetPage,
    withDescriptors: boolean,
  ): Promise<FaceSql[]> {
    const where = ['f.collection_key = ?', 'f.seq > ?'];
    const params: unknown[] = [collectionKey, page.after ?? 0];
    if (filter.userId !== undefined) {
      // Resolve the user first so the planner walks faces_by_user.
      where.push('f.user_seq = (SELECT seq FROM users WHERE collection_key = ? AND user_id = ?)');
      params.push(collectionKey, filter.userId);
    }
    if (filter.unassociated) where.push('f.user_seq IS NULL');
    if (filter.associated) where.push('f.user_seq IS NOT NULL');
    params.push(page.limit);
    return await this.sql.all<FaceSql>(
      `SELECT ${FACE_COLUMNS}${withDescriptors ? ', f.descriptor' : ''} FROM ${FACE_FROM}
       WHERE ${where.join(' AND ')} ORDER BY f.seq LIMIT ?`,
      params,
    );
  }
}

/** The historical name of {@link StoreQueries}, from when only SQLite ran it. */
export { StoreQueries as SqliteQueries };

type Nullable<T> = { [K in keyof T]: T[K] | null };
type NullableUserSql = Nullable<UserSql>;
type NullableFaceSql = Nullable<FaceSql>;

function toCollection(row: CollectionSql): CollectionRow {
  return {
    key: row.key,
    provider: row.provider,
    collectionId: row.collection_id,
    faceModelVersion: row.face_model_version,
    createdAt: new Date(row.created_at),
    faceCount: Number(row.face_count),
    userCount: Number(row.user_count),
  };
}

function toUser(row: UserSql): UserRow {
  return {
    seq: row.seq,
    collectionKey: row.collection_key,
    userId: row.user_id,
    status: row.status,
    createdAt: new Date(row.created_at),
  };
}

function toFace(row: FaceSql): FaceRow {
  return {
    seq: row.seq,
    collectionKey: row.collection_key,
    faceId: row.face_id,
    userSeq: row.user_seq,
    userId: row.user_id,
    externalImageId: row.external_image_id,
    boundingBox: boxOf(row),
    confidence: row.confidence,
    imageSha256: row.image_sha256,
    indexedAt: new Date(row.indexed_at),
  };
}

function toFaceWithDescriptor(row: FaceSql): FaceWithDescriptor {
  if (!row.descriptor) {
    throw new Error(`faces row ${row.face_id}: expected a descriptor column, got none (query without f.descriptor)`);
  }
  return { ...toFace(row), descriptor: decodeDescriptor(row.descriptor) };
}
