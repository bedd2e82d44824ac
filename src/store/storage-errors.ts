/**
 * Failures of the storage under the store (a full disk, a file system gone
 * read-only, an I/O error) as domain errors: PROVIDER_UNAVAILABLE with a
 * providerCode STORE_FULL, STORE_READ_ONLY or STORE_IO_ERROR. The failed
 * transaction is rolled back, so nothing of it is written; acknowledged
 * writes are untouched. Messages name the condition, never a path or SQL.
 */
import { DomainError } from '../domain/errors.js';

type StorageCode = 'STORE_FULL' | 'STORE_READ_ONLY' | 'STORE_IO_ERROR';

/** Codes the store layer puts in `providerCode` (see {@link storageFailure}). */
export const STORAGE_CODES: ReadonlySet<string> = new Set<StorageCode>(['STORE_FULL', 'STORE_READ_ONLY', 'STORE_IO_ERROR']);

const WHAT: Record<StorageCode, string> = {
  STORE_FULL: 'a full disk',
  STORE_READ_ONLY: 'a read-only file system or database',
  STORE_IO_ERROR: 'an I/O error',
};

function classify(code: string): StorageCode | null {
  // better-sqlite3: SQLITE_FULL, SQLITE_READONLY_*, SQLITE_IOERR_*; node: ENOSPC, EROFS, EIO.
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === '53100') return 'STORE_FULL';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === '25006') return 'STORE_READ_ONLY';
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO' || code === '58030') return 'STORE_IO_ERROR';
  return null;
}

/** The DomainError for a storage failure (by its SQLite, PostgreSQL or errno code), or null for any other error. */
export function storageFailure(error: unknown): DomainError | null {
  const raw = (error as { code?: unknown } | null)?.code;
  const code = typeof raw === 'string' ? classify(raw) : null;
  if (!code) return null;
  return new DomainError(
    'PROVIDER_UNAVAILABLE',
    `store: expected room to write durably, got ${WHAT[code]} (${String(raw)}); nothing of this request was written, earlier writes are kept`,
    { providerCode: code },
  );
}
