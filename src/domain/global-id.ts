/**
 * Global object ids for `node(id:)`: base64url of a JSON array
 * `[typename, ...key parts]`. Opaque to clients, stable across restarts.
 */
export type NodeTypeName = 'Provider' | 'Collection' | 'User' | 'Face' | 'Snapshot' | 'Operation';

export function toGlobalId(type: NodeTypeName, ...parts: string[]): string {
  return Buffer.from(JSON.stringify([type, ...parts])).toString('base64url');
}

/**
 * Gives every instance of `Class` an `id` computed from the instance when
 * first read and kept for the instance's life: a page of 100 users does not
 * encode 100 ids nobody selected, and a page reused across requests
 * (caches/reused-pages.ts) encodes its ids once, not once a request. The
 * key parts of an instance never change after it is made, so neither does
 * its id. Kept in a WeakMap rather than on the instance, so every instance
 * keeps its class's shape.
 */
export function defineGlobalId<T extends object>(Class: { prototype: T }, type: NodeTypeName, parts: (self: T) => string[]): void {
  const ids = new WeakMap<T, string>();
  Object.defineProperty(Class.prototype, 'id', {
    get(this: T) {
      let id = ids.get(this);
      if (id === undefined) ids.set(this, (id = toGlobalId(type, ...parts(this))));
      return id;
    },
    configurable: true,
  });
}

/**
 * How many key parts each type's id carries, as the types' own `toGlobalId`
 * calls write them: a provider by name, a collection by provider and id,
 * users and faces by provider, collection and id; snapshots and operations
 * by their uuid.
 */
const PART_COUNTS: Readonly<Record<NodeTypeName, number>> = {
  Provider: 1,
  Collection: 2,
  User: 3,
  Face: 3,
  Snapshot: 1,
  Operation: 1,
};

const isNodeTypeName = (type: string): type is NodeTypeName => Object.hasOwn(PART_COUNTS, type);

/**
 * Decodes a global id; null for anything that is not one of ours: not
 * base64url JSON, an unknown type, or not exactly its type's number of
 * non-empty string parts (so resolvers may index the parts they expect).
 */
export function fromGlobalId(id: string): { type: NodeTypeName; parts: string[] } | null {
  if (id.length > 2048) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string' && v.length > 0)) return null;
    const [type, ...parts] = value as string[];
    if (type === undefined || !isNodeTypeName(type) || parts.length !== PART_COUNTS[type]) return null;
    return { type, parts };
  } catch {
    return null;
  }
}
