/**
 * Start-up check of the embedded store's directory: it must exist (or be
 * creatable) and take a durable write. A read-only mount, a full disk or a
 * file in its place stops the gateway before it listens, with a message
 * naming the directory (main exits with ExitCode.DataDir, EX_IOERR), instead of failing on the
 * first write a client makes.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
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

/** Creates `dir` if needed and writes, fsyncs and removes a probe file in it; throws DataDirError when that fails. */
export function checkDataDir(dir: string): void {
  const probe = join(dir, `.facegate-write-probe-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(probe, 'w');
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
