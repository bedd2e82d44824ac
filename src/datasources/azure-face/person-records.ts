/**
 * The userId → personId index of each collection, kept in the gateway store
 * (provider records of kind {@link PERSON_KIND}). Azure has no lookup of
 * persons by name, and a person whose create answer was lost may exist
 * twice: the record names the person facegate acknowledged, which the
 * rebuild (listing the persons) prefers. The records are rebuildable: every
 * index rebuild rewrites them from the listing.
 */
import type { Store } from '../../store/store.js';

export const PERSON_KIND = 'azure-face.person';
const PAGE = 1000;

export class PersonRecords {
  constructor(
    private readonly store: Store,
    private readonly provider: string,
  ) {}

  /** userId → personId of the collection. */
  async load(collectionId: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let after: string | null = null; ;) {
      const page = await this.store.listProviderRecords(this.ref(collectionId), PERSON_KIND, after, PAGE);
      for (const r of page) out.set(r.key, r.value);
      if (page.length < PAGE) return out;
      after = page[page.length - 1].key;
    }
  }

  put(collectionId: string, userId: string, personId: string): Promise<void> {
    return this.store.transaction((tx) =>
      tx.putProviderRecords(this.ref(collectionId), PERSON_KIND, [{ key: userId, value: personId }], new Date()),
    );
  }

  remove(collectionId: string, userId: string): Promise<void> {
    return this.store.transaction((tx) => tx.deleteProviderRecords(this.ref(collectionId), PERSON_KIND, [userId]));
  }

  /** Makes the stored index equal `current` (after a rebuild), writing only the differences. */
  async reconcile(collectionId: string, stored: ReadonlyMap<string, string>, current: ReadonlyMap<string, string>): Promise<void> {
    const puts = [...current].filter(([userId, personId]) => stored.get(userId) !== personId).map(([key, value]) => ({ key, value }));
    const stale = [...stored.keys()].filter((userId) => !current.has(userId));
    if (puts.length === 0 && stale.length === 0) return;
    await this.store.transaction(async (tx) => {
      await tx.putProviderRecords(this.ref(collectionId), PERSON_KIND, puts, new Date());
      await tx.deleteProviderRecords(this.ref(collectionId), PERSON_KIND, stale);
    });
  }

  private ref(collectionId: string) {
    return { provider: this.provider, collectionId };
  }
}
