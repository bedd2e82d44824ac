/**
 * Wraps every method call of an object (a provider) with `around`, which
 * runs the call and may observe it; used for metrics and for trace spans.
 */
export type CallHook = (method: string, call: () => Promise<unknown>) => Promise<unknown>;

/** Members that are not provider calls: `close`, and the synchronous `readVersion`. */
const NOT_CALLS: ReadonlySet<string> = new Set(['close', 'readVersion']);

/** The same object, each method call (but {@link NOT_CALLS}) going through `around`. */
export function interceptCalls<T extends object>(target: T, around: CallHook): T {
  return new Proxy(target, {
    get(object, prop, receiver) {
      const value: unknown = Reflect.get(object, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || NOT_CALLS.has(prop)) return value;
      return (...args: unknown[]) => around(prop, () => (value as (...a: unknown[]) => Promise<unknown>).apply(object, args));
    },
  });
}
