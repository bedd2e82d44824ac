/**
 * Per-request DataLoaders. Each batches the lookups of one tick into one
 * call of a provider's batched getter per (provider, collection), so a page
 * of 100 users with their faces costs one list call plus one batched call.
 */
import DataLoader from 'dataloader';
import type { CallOptions, FaceProvider } from '../datasources/provider.js';
import type { CollectionRecord, FaceRecord, UserRecord } from '../domain/records.js';
import type { ProviderRegistry } from '../datasources/registry.js';

/** A collection on a provider instance. */
export interface CollectionKey {
  provider: string;
  collectionId: string;
}

/** A user or face in a collection. */
export interface ItemKey extends CollectionKey {
  id: string;
}

export interface Loaders {
  collection: DataLoader<CollectionKey, CollectionRecord | null, string>;
  user: DataLoader<ItemKey, UserRecord | null, string>;
  face: DataLoader<ItemKey, FaceRecord | null, string>;
  userFaceCount: DataLoader<ItemKey, number, string>;
  userFaces: DataLoader<ItemKey, FaceRecord[], string>;
  /**
   * Makes a page's users known to the `user` loader, so a later lookup of
   * one of them in this request costs no call; primed only when something
   * reads the `user` loader.
   */
  primeUsers(provider: string, records: readonly UserRecord[]): void;
  /** Drops every cached read (after a write). */
  clearAll(): void;
}

type LoaderName = Exclude<keyof Loaders, 'clearAll' | 'primeUsers'>;

// Length-prefixed, so no choice of names and ids makes two keys collide; cheaper than JSON.stringify.
const keyOf = (k: CollectionKey & { id?: string }): string =>
  `${k.provider.length}:${k.provider}${k.collectionId.length}:${k.collectionId}${k.id ?? ''}`;

/**
 * Groups keys by (provider, collection), calls `fetch` once per group with
 * the group's ids and puts each answer back in its key's place.
 */
function batchByCollection<V>(
  registry: ProviderRegistry,
  fetch: (provider: FaceProvider, collectionId: string, ids: string[]) => Promise<V[]>,
): (keys: readonly ItemKey[]) => Promise<(V | Error)[]> {
  return async (keys) => {
    const groups = new Map<string, { key: ItemKey; index: number }[]>();
    keys.forEach((key, index) => {
      const g = keyOf({ provider: key.provider, collectionId: key.collectionId });
      groups.set(g, [...(groups.get(g) ?? []), { key, index }]);
    });
    const out = new Array<V | Error>(keys.length);
    await Promise.all(
      [...groups.values()].map(async (members) => {
        const { provider: name, collectionId } = members[0].key;
        const provider = registry.get(name);
        try {
          if (!provider) throw new Error(`provider ${name} is not configured`);
          const values = await fetch(
            provider,
            collectionId,
            members.map((m) => m.key.id),
          );
          members.forEach((m, i) => (out[m.index] = values[i]));
        } catch (e) {
          members.forEach((m) => (out[m.index] = e as Error));
        }
      }),
    );
    return out;
  };
}

/**
 * Each loader is made on first use: most requests need one or two of them
 * (`{ providers { name } }` none), so making all five for every request
 * would be work for nothing.
 */
class RequestLoaders implements Loaders {
  private made: Partial<Record<LoaderName, { clearAll(): unknown }>> = {};

  /** `call`: the request's, passed to every batched provider call. */
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly call: CallOptions,
  ) {}

  private lazy<T extends { clearAll(): unknown }>(name: LoaderName, make: () => T): T {
    return (this.made[name] ??= make()) as T;
  }

  get collection(): Loaders['collection'] {
    return this.lazy('collection', () => {
      const batch = batchByCollection(this.registry, (p, _c, ids) => p.getCollections(ids, this.call));
      return new DataLoader(
        (keys: readonly CollectionKey[]) => batch(keys.map((k) => ({ provider: k.provider, collectionId: '', id: k.collectionId }))),
        {
          cacheKeyFn: keyOf,
        },
      );
    });
  }

  private unprimedUsers: { provider: string; records: readonly UserRecord[] }[] = [];

  get user(): Loaders['user'] {
    const loader = this.lazy(
      'user',
      () =>
        new DataLoader(
          batchByCollection(this.registry, (p, c, ids) => p.getUsers(c, ids, this.call)),
          { cacheKeyFn: keyOf },
        ),
    );
    if (this.unprimedUsers.length) {
      for (const { provider, records } of this.unprimedUsers) {
        for (const r of records) loader.prime({ provider, collectionId: r.collectionId, id: r.userId }, r);
      }
      this.unprimedUsers = [];
    }
    return loader;
  }

  primeUsers(provider: string, records: readonly UserRecord[]): void {
    this.unprimedUsers.push({ provider, records });
  }

  get face(): Loaders['face'] {
    return this.lazy(
      'face',
      () =>
        new DataLoader(
          batchByCollection(this.registry, (p, c, ids) => p.getFaces(c, ids, this.call)),
          { cacheKeyFn: keyOf },
        ),
    );
  }

  get userFaceCount(): Loaders['userFaceCount'] {
    return this.lazy(
      'userFaceCount',
      () =>
        new DataLoader(
          batchByCollection(this.registry, (p, c, ids) => p.countUserFaces(c, ids, this.call)),
          { cacheKeyFn: keyOf },
        ),
    );
  }

  get userFaces(): Loaders['userFaces'] {
    return this.lazy(
      'userFaces',
      () =>
        new DataLoader(
          batchByCollection(this.registry, (p, c, ids) => p.listUserFaces(c, ids, this.call)),
          { cacheKeyFn: keyOf },
        ),
    );
  }

  clearAll(): void {
    this.unprimedUsers = [];
    for (const loader of Object.values(this.made)) loader.clearAll();
  }
}

/** A request's loaders; `call` is the request's (its context), handed to each provider call they make. */
export function createLoaders(registry: ProviderRegistry, call: CallOptions): Loaders {
  return new RequestLoaders(registry, call);
}
