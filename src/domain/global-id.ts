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
 * read: a page of 100 users does not encode 100 ids nobody selected.
 */
export function defineGlobalId<T extends object>(Class: { prototype: T }, type: NodeTypeName, parts: (self: T) => string[]): void {
  Object.defineProperty(Class.prototype, 'id', {
    get(this: T) {
      return toGlobalId(type, ...parts(this));
    },
    configurable: true,
  });
}

/** Decodes a global id; null for anything that is not one of ours. */
export function fromGlobalId(id: string): { type: NodeTypeName; parts: string[] } | null {
  if (id.length > 2048) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length < 2 || !value.every((v) => typeof v === 'string')) return null;
    const [type, ...parts] = value as string[];
    const known: NodeTypeName[] = ['Provider', 'Collection', 'User', 'Face', 'Snapshot', 'Operation'];
    return known.includes(type as NodeTypeName) ? { type: type as NodeTypeName, parts } : null;
  } catch {
    return null;
  }
}
