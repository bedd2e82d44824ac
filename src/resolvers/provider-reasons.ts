/**
 * Per-face failures carry `providerReasons` beside `reasons`: the reasons
 * the provider gave that the schema's enums cannot name. Adapters that
 * never meet one leave the field out; the schema lists it always.
 */

/** The entries with `providerReasons` filled (@default [] where the adapter gave none). */
export function withProviderReasons<T extends { providerReasons?: string[] }>(
  entries: readonly T[],
): (T & { providerReasons: string[] })[] {
  return entries.map((e) => ({ ...e, providerReasons: e.providerReasons ?? [] }));
}
