/**
 * `npm start`: builds only when a source changed since the last build, then
 * runs the gateway (dist/src/main.js) in this process.
 *
 * The up-to-date check is a walk of the sources' modification times
 * (src/, bench/, the tsconfigs, package.json, package-lock.json: about 300
 * stats, milliseconds) against the newest one the last build saw, kept in
 * dist/.build-stamp. Even `tsc -b`'s own check of an unchanged project costs
 * seconds of starting the compiler. When something changed, `tsc -b`
 * rebuilds what it must (incremental, dist/tsconfig.build.tsbuildinfo); a
 * newer package-lock.json (dependencies changed, which `tsc -b` does not
 * look at) forces a full build.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = path.join(ROOT, 'dist', '.build-stamp');
const SOURCE_DIRS = ['src', 'bench'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];
const LOCKFILE = 'package-lock.json';

/** The newest modification time (ms) under `dir`, 0 when it does not exist. */
function newestUnder(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const mtimeOf = (file) => {
  try {
    return statSync(path.join(ROOT, file)).mtimeMs;
  } catch {
    return 0;
  }
};

/** What the last build saw: the newest source and lockfile times; zeros when there was none. */
function lastBuild() {
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    statSync(path.join(ROOT, 'dist', 'src', 'main.js'));
    return { sources: Number(stamp.sources) || 0, lockfile: Number(stamp.lockfile) || 0 };
  } catch {
    return { sources: 0, lockfile: 0 };
  }
}

const now = {
  sources: Math.max(...SOURCE_DIRS.map((d) => newestUnder(path.join(ROOT, d))), ...SOURCE_FILES.map(mtimeOf)),
  lockfile: mtimeOf(LOCKFILE),
};
const last = lastBuild();
if (now.sources > last.sources || now.lockfile > last.lockfile) {
  const force = now.lockfile > last.lockfile ? ['--force'] : [];
  process.stderr.write(`facegate: sources changed since the last build; building (tsc -b ${force.join(' ')})\n`);
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json', ...force], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  // The times seen before the build: a file saved while it ran is newer, and builds next time.
  writeFileSync(STAMP, JSON.stringify(now));
}

await import(path.join(ROOT, 'dist', 'src', 'main.js'));
