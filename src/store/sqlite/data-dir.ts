/**
 * Start-up check of the embedded store's directory: it must exist (or be
 * creatable) and take a durable write. A read-only mount, a full disk or a
 * file in its place stops the gateway before it listens, with a message
 * naming the directory (main exits with ExitCode.DataDir, EX_IOERR), instead of failing on the
 * first write a client makes.
 *
 * The store holds biometric data (face descriptors, retained photos), so its
 * directory is created owner-only (0700) and its files are owner-only
 * (0600), whatever the process's umask: a umask can only take bits away
 * from a mode given at creation, and the files are chmod'ed explicitly. An
 * existing directory keeps its mode (the operator chose it, e.g. a volume a
 * backup agent reads); the files in it are still made 0600.
 */
import { chmodSync, closeSync, constants, fchmodSync, fsyncSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The data directory cannot be used; main() prints it and exits with ExitCode.DataDir. */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

const REASONS: Record<string, string> = {
  EROFS: 'a read-only file system',
  EACCES: 'no permission to write',
  EPERM: 'no permission to write',
  ENOSPC: 'a full disk',
  EDQUOT: 'a full disk quota',
  ENOTDIR: 'a file where a directory was expected',
  EEXIST: 'a file where a directory was expected',
};

/** Mode of a data directory the gateway creates: owner only. */
export const DATA_DIR_MODE = 0o700;
/** Mode of the store's files (the database, its -wal and -shm): owner read and write only. */
export const DATA_FILE_MODE = 0o600;

/** Creates `dir` if needed and writes, fsyncs and removes a probe file in it; throws DataDirError when that fails. */
export function checkDataDir(dir: string): void {
  const probe = join(dir, `.facegate-write-probe-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
    const fd = openSync(probe, 'w', DATA_FILE_MODE);
    try {
      writeSync(fd, 'facegate');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    unlinkSync(probe);
  } catch (e) {
    const code = String((e as { code?: unknown }).code ?? 'unknown error');
    throw new DataDirError(`data directory ${dir}: expected a writable directory, got ${REASONS[code] ?? 'an error'} (${code})`);
  }
}

/**
 * Makes the SQLite database `file` owner-only before SQLite opens it: creates
 * it empty (SQLite takes an empty file for a new database) with mode 0600,
 * and sets 0600 on an existing one and on a -wal / -shm left by an earlier
 * run. SQLite creates -wal and -shm with the database file's permissions,
 * so they follow it. Throws DataDirError when a mode cannot be set.
 */
export function restrictStoreFiles(file: string): void {
  try {
    const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, DATA_FILE_MODE);
    try {
      fchmodSync(fd, DATA_FILE_MODE);
    } finally {
      closeSync(fd);
    }
    for (const companion of [`${file}-wal`, `${file}-shm`]) {
      try {
        chmodSync(companion, DATA_FILE_MODE);
      } catch (e) {
        if ((e as { code?: unknown }).code !== 'ENOENT') throw e;
      }
    }
  } catch (e) {
    const code = String((e as { code?: unknown }).code ?? 'unknown error');
    throw new DataDirError(
      `store file ${file}: expected a file the gateway can own (mode 0600), got ${REASONS[code] ?? 'an error'} (${code})`,
    );
  }
}
