/**
 * Values a list resolver loaded for its items in one batch, kept by item
 * object for the item's own field resolver.
 *
 * The field resolver then answers a plain value, which graphql-jit
 * completes without a promise, a microtask or a DataLoader lookup: for a
 * page of 100 users and their faces, 100 of each fewer than each
 * `User.faces` loading through DataLoader.
 */
export class Preloaded<V> {
  private byItem = new WeakMap<object, V | Error>();

  /** Records `value` (or the error the batch failed with) for `item`. */
  set(item: object, value: V | Error): void {
    this.byItem.set(item, value);
  }

  /** The value preloaded for `item`; undefined when none was; throws the batch's error when it failed. */
  get(item: object): V | undefined {
    const value = this.byItem.get(item);
    if (value instanceof Error) throw value;
    return value;
  }

  /** Forgets everything (after a write, like the DataLoaders' clearAll). */
  clearAll(): void {
    this.byItem = new WeakMap();
  }
}
