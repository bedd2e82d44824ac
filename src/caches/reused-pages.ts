/**
 * Reused pages: what list resolvers built from a provider's answers, reused
 * by later requests while the provider's {@link FaceProvider.readVersion}
 * stays the same.
 *
 * A page of 100 users with their faces is ~500 objects (records, nodes,
 * edges, connections) that every request used to make anew and the garbage
 * collector then reclaimed: most of the page's cost. The local provider
 * knows when its data changed (any commit moves its store's version), so
 * while nothing changed a repeat of the same list is answered with the same
 * objects, and no provider call.
 *
 * - Holds: `Query.collection` answers (the collection, or null) and
 *   `Collection.users` pages (the connection, its users and, through
 *   ./user-faces.ts, their faces when the page selected them).
 * - Key: the provider instance, then a key this module builds from
 *   everything a value depends on besides the provider's data: collection
 *   id, `first`, `after`, and whether the users' faces (or only their
 *   face counts) were loaded.
 * - Bound: {@link MAX_WEIGHT} records a provider, all entries together.
 * - Dropped: every entry of a provider when its version moves; the oldest
 *   entries when a new one would go over the bound; all of them with the
 *   gateway that owns this cache.
 *
 * Rules that keep it correct:
 * - an entry is kept only if the version was the same before and after it
 *   was built, so it never mixes data from both sides of a commit;
 * - only values that do not depend on the caller are kept: the tenant's
 *   grant is checked by the resolver before it asks, every time;
 * - kept values are shared by concurrent requests and never changed.
 *
 * Providers without a version (cloud providers, a store shared by
 * replicas) build every time.
 *
 * One instance per gateway, made where the provider registry is made and
 * reached through the request context. Entries are held in a WeakMap by
 * provider instance, so a provider's entries never outlive it.
 */
import type { FaceProvider } from '../datasources/provider.js';
import type { Collection } from '../schema/collection.type.js';
import type { Connection } from '../schema/connection.types.js';
import type { User } from '../schema/user.type.js';

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

/** What a `Collection.users` page depends on besides the provider's data. */
export interface UsersPageKey {
  collectionId: string;
  first: number;
  after: string | null;
  /** Whether the page's users were given their faces (./user-faces.ts). */
  withFaces: boolean;
  /** Whether the page's users were given their face counts alone (./user-faces.ts); false when `withFaces`. */
  withCounts?: boolean;
}

interface Entries {
  version: number;
  values: Map<string, { value: unknown; weight: number }>;
  weight: number;
}

/** The reused pages of one gateway's providers; see the module comment for what is kept and when it goes. */
export class ReusedPages {
  private readonly byProvider = new WeakMap<FaceProvider, Entries>();

  /** `Query.collection(ref:)` on `provider`: the kept answer for `collectionId`, or the one `build` makes. */
  collection(provider: FaceProvider, collectionId: string, build: () => Promise<Built<Collection | null>>): Promise<Collection | null> {
    return this.reuse(provider, `collection:${collectionId}`, build);
  }

  /** `Collection.users(first:, after:)` on `provider`: the kept page for `page`, or the one `build` makes. */
  users(provider: FaceProvider, page: UsersPageKey, build: () => Promise<Built<Connection<User>>>): Promise<Connection<User>> {
    // The collection id is length-prefixed, so no id and cursor make two keys collide.
    const loaded = page.withFaces ? 'faces' : page.withCounts ? 'counts' : '';
    const key = `users:${page.first}:${loaded}:${page.collectionId.length}:${page.collectionId}${page.after ?? ''}`;
    return this.reuse(provider, key, build);
  }

  /**
   * The value kept for `key` on `provider` at its current version, or the
   * one `build` makes (kept when reusable). Each key is made by one method
   * above, so the value under it always has that method's type.
   */
  private async reuse<T>(provider: FaceProvider, key: string, build: () => Promise<Built<T>>): Promise<T> {
    const version = provider.readVersion?.();
    if (version === undefined) return (await build()).value;
    let entries = this.byProvider.get(provider);
    if (entries?.version !== version) this.byProvider.set(provider, (entries = { version, values: new Map(), weight: 0 }));
    const kept = entries.values.get(key);
    if (kept !== undefined) return kept.value as T;
    const built = await build();
    const weight = Math.max(1, built.weight ?? 1);
    if (built.reusable && weight <= MAX_WEIGHT && provider.readVersion?.() === version && this.byProvider.get(provider) === entries) {
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
}
