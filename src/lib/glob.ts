/**
 * Glob patterns where `*` matches any run of characters (possibly empty) and
 * every other character stands for itself, case-sensitively: the syntax of
 * tenant grants' collection patterns. One matcher for JavaScript and the
 * texts that say the same in SQL (SQLite GLOB, PostgreSQL LIKE).
 */

/** A RegExp matching exactly what `glob` matches. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Whether the patterns match everything (one of them is `*` alone), so a filter on them can be left out. */
export const matchesAll = (globs: readonly string[]): boolean => globs.some((g) => g === '*');

/** `glob` for SQLite's GLOB operator (case-sensitive): `?` and `[` are made literal with brackets. */
export function globForSqlite(glob: string): string {
  return glob.replace(/[?[]/g, (c) => `[${c}]`);
}

/** `glob` for PostgreSQL's `LIKE … ESCAPE '\'` (case-sensitive): `\`, `%`, `_` escaped, `*` becomes `%`. */
export function globForLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}
