/**
 * What list resolvers built from a provider's answers, reused by later
 * requests while the provider's {@link FaceProvider.readVersion} stays the
 * same.
 *
 * A page of 100 users with their faces is ~500 objects (records, nodes,
 * edges, connections) that every request used to make anew and the garbage
 * collector then reclaimed: most of the page's cost. The local provider
 * knows when its data changed (any commit moves its store's version), so
 * while nothing changed a repeat of the same list is answered with the same
 * objects, and no provider call.
 *
 * Rules that keep it correct:
 * - an entry is kept only if the version was the same before and after it
 *   was built, so it never mixes data from both sides of a commit;
 * - a version change drops every entry of that provider;
 * - only values that do not depend on the caller are kept: the tenant's
 *   grant is checked by the resolver before it asks, every time;
 * - kept values are shared by concurrent requests and never changed.
 *
 * Providers without a version (cloud providers, a store shared by
 * replicas) build every time, as before.
 */
import type { FaceProvider } from '../datasources/provider.js';

/** Entries kept a provider; at the limit the oldest goes. */
const MAX_ENTRIES = 256;

/** What a build answers: the value, and whether it may be kept (false when part of it failed). */
export interface Built<T> {
  value: T;
  reusable: boolean;
}

interface Entries {
  version: number;
  values: Map<string, unknown>;
}

const byProvider = new WeakMap<FaceProvider, Entries>();

/**
 * The value kept for `key` on `provider` at its current version, or the one
 * `build` makes (kept when reusable). `key` must name everything the value
 * depends on besides the provider's data: collection, arguments, selection.
 */
export async function reuse<T>(provider: FaceProvider, key: string, build: () => Promise<Built<T>>): Promise<T> {
  const version = provider.readVersion?.();
  if (version === undefined) return (await build()).value;
  let entries = byProvider.get(provider);
  if (entries?.version !== version) byProvider.set(provider, (entries = { version, values: new Map() }));
  const kept = entries.values.get(key);
  if (kept !== undefined) return kept as T;
  const built = await build();
  if (built.reusable && provider.readVersion?.() === version && byProvider.get(provider) === entries) {
    if (entries.values.size >= MAX_ENTRIES) entries.values.delete(entries.values.keys().next().value as string);
    entries.values.set(key, built.value);
  }
  return built.value;
}
