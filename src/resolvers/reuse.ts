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
 * - a version change drops every entry of that provider, and at most
 *   {@link MAX_WEIGHT} records are kept a provider;
 * - only values that do not depend on the caller are kept: the tenant's
 *   grant is checked by the resolver before it asks, every time;
 * - kept values are shared by concurrent requests and never changed.
 *
 * Providers without a version (cloud providers, a store shared by
 * replicas) build every time, as before.
 */
import type { FaceProvider } from '../datasources/provider.js';

/**
 * Objects (records, users, faces) kept a provider, all entries together; the
 * oldest entries go first. A page of 100 users with one face each weighs 200.
 */
const MAX_WEIGHT = 50_000;

/** What a build answers: the value, whether it may be kept (false when part of it failed), and how many objects it holds. */
export interface Built<T> {
  value: T;
  reusable: boolean;
  /** Records the value holds (users, faces…), counted against {@link MAX_WEIGHT}. @default 1 */
  weight?: number;
}

interface Entries {
  version: number;
  values: Map<string, { value: unknown; weight: number }>;
  weight: number;
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
  if (entries?.version !== version) byProvider.set(provider, (entries = { version, values: new Map(), weight: 0 }));
  const kept = entries.values.get(key);
  if (kept !== undefined) return kept.value as T;
  const built = await build();
  const weight = Math.max(1, built.weight ?? 1);
  if (built.reusable && weight <= MAX_WEIGHT && provider.readVersion?.() === version && byProvider.get(provider) === entries) {
    for (const [oldest, entry] of entries.values) {
      if (entries.weight + weight <= MAX_WEIGHT) break;
      entries.values.delete(oldest);
      entries.weight -= entry.weight;
    }
    entries.values.set(key, { value: built.value, weight });
    entries.weight += weight;
  }
  return built.value;
}
