/**
 * The SQL of {@link ProviderRecordWriter} over any {@link SqlRunner}, on
 * SQLite and PostgreSQL alike (portable texts, chunked key lists). The
 * store's query classes extend it.
 */
import type { ProviderRecord, ProviderRecordWriter } from '../provider-record-store.js';
import { chunks, unique } from './helpers.js';
import type { SqlRunner } from './runner.js';
import type { CollectionRef } from '../../domain/records.js';

export class ProviderRecordQueries implements ProviderRecordWriter {
  constructor(protected readonly sql: SqlRunner) {}

  async listProviderRecords(ref: CollectionRef, kind: string, afterKey: string | null, limit: number): Promise<ProviderRecord[]> {
    return this.sql.all<ProviderRecord>(
      `SELECT record_key AS key, value FROM provider_records
       WHERE provider = ? AND collection_id = ? AND kind = ? AND record_key > ? ORDER BY record_key LIMIT ?`,
      [ref.provider, ref.collectionId, kind, afterKey ?? '', limit],
    );
  }

  async getProviderRecord(ref: CollectionRef, kind: string, key: string): Promise<string | null> {
    const row = await this.sql.get<{ value: string }>(
      'SELECT value FROM provider_records WHERE provider = ? AND collection_id = ? AND kind = ? AND record_key = ?',
      [ref.provider, ref.collectionId, kind, key],
    );
    return row?.value ?? null;
  }

  async getProviderImage(ref: CollectionRef, sha256: string): Promise<Uint8Array | null> {
    const row = await this.sql.get<{ bytes: Uint8Array }>(
      'SELECT bytes FROM provider_images WHERE provider = ? AND collection_id = ? AND sha256 = ?',
      [ref.provider, ref.collectionId, sha256],
    );
    return row ? new Uint8Array(row.bytes) : null;
  }

  async putProviderRecords(ref: CollectionRef, kind: string, records: readonly ProviderRecord[], at: Date): Promise<void> {
    for (const r of records) {
      await this.sql.run(
        `INSERT INTO provider_records (provider, collection_id, kind, record_key, value, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (provider, collection_id, kind, record_key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        [ref.provider, ref.collectionId, kind, r.key, r.value, at.getTime()],
      );
    }
  }

  async deleteProviderRecords(ref: CollectionRef, kind: string, keys: readonly string[]): Promise<void> {
    for (const chunk of chunks(unique(keys))) {
      const match = this.sql.dialect.in('record_key', chunk);
      await this.sql.run(`DELETE FROM provider_records WHERE provider = ? AND collection_id = ? AND kind = ? AND ${match.sql}`, [
        ref.provider,
        ref.collectionId,
        kind,
        ...match.params,
      ]);
    }
  }

  async putProviderImage(ref: CollectionRef, sha256: string, bytes: Uint8Array, at: Date): Promise<void> {
    await this.sql.run(
      `INSERT INTO provider_images (provider, collection_id, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (provider, collection_id, sha256) DO NOTHING`,
      [ref.provider, ref.collectionId, sha256, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), at.getTime()],
    );
  }

  async deleteProviderImages(ref: CollectionRef, sha256s: readonly string[]): Promise<void> {
    for (const chunk of chunks(unique(sha256s))) {
      const match = this.sql.dialect.in('sha256', chunk);
      await this.sql.run(`DELETE FROM provider_images WHERE provider = ? AND collection_id = ? AND ${match.sql}`, [
        ref.provider,
        ref.collectionId,
        ...match.params,
      ]);
    }
  }

  async deleteProviderCollection(ref: CollectionRef): Promise<void> {
    await this.sql.run('DELETE FROM provider_records WHERE provider = ? AND collection_id = ?', [ref.provider, ref.collectionId]);
    await this.sql.run('DELETE FROM provider_images WHERE provider = ? AND collection_id = ?', [ref.provider, ref.collectionId]);
  }
}
