/**
 * Small helpers shared by the store's SQL modules: placeholder lists,
 * id-list chunking and the "one row back" check.
 */
import { STORE_BATCH_CHUNK } from './store.js';

/** The row a `… RETURNING` or single-row lookup must produce, or an error naming the statement. */
export function required<T>(row: T | undefined, what: string): T {
  if (row === undefined) throw new Error(`${what}: expected one row back, got none`);
  return row;
}

/** `?, ?, …` with `n` placeholders. */
export function marks(n: number): string {
  return new Array<string>(n).fill('?').join(', ');
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** Splits an id list into statements of at most {@link STORE_BATCH_CHUNK} ids. */
export function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += STORE_BATCH_CHUNK) out.push(items.slice(i, i + STORE_BATCH_CHUNK));
  return out;
}
