/**
 * A Map with a size bound that drops the least recently used entry first.
 *
 * A hit only stamps its entry with a use counter, because hits are the hot
 * path (the query-plan lookup of every fast-path request) and re-inserting
 * the key on every hit, the usual Map LRU, rehashes it each time. Inserting into a full cache scans for
 * the oldest stamp instead, which is rare (a new query text) and bounded.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; used: number }>();
  private uses = 0;

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new Error(`BoundedCache: expected a positive integer size, got ${maxEntries}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    entry.used = ++this.uses;
    return entry.value;
  }

  set(key: K, value: V): void {
    const entry = this.entries.get(key);
    if (entry) {
      entry.value = value;
      entry.used = ++this.uses;
      return;
    }
    if (this.entries.size >= this.maxEntries) this.evictOldest();
    this.entries.set(key, { value, used: ++this.uses });
  }

  clear(): void {
    this.entries.clear();
  }

  private evictOldest(): void {
    let oldest: K | undefined;
    let oldestUse = Infinity;
    for (const [key, entry] of this.entries) {
      if (entry.used < oldestUse) {
        oldestUse = entry.used;
        oldest = key;
      }
    }
    this.entries.delete(oldest as K);
  }
}
