/**
 * Calls resolver methods directly where type-graphql's wrapper would add
 * nothing but cost.
 *
 * type-graphql wraps every resolver method in a function that, for each
 * call, collects the method's parameters, and passes every `@Arg` through
 * an `async` validation step even when validation is off: one `Promise.all`
 * and its microtasks per call, 100 times for `User.faces` on a page of 100
 * users. {@link directResolvers} replaces that wrapper, on the built
 * schema, by a function that hands the method its root, scalar arguments,
 * context and info as they are — only for fields where the wrapper would
 * do exactly that:
 * - no global middleware, auth checker, validation, validate function or
 *   custom container in the build options (a tracing middleware registered
 *   as a global middleware turns the whole bypass off, so it sees every
 *   resolver);
 * - no middleware (`@UseMiddleware`) and no `@Authorized` on the field or
 *   its resolver class;
 * - parameters of the kinds `@Root()` (whole root), `@Arg` of a scalar type
 *   without its own validation, `@Ctx()` and `@Info()` only (input-object
 *   arguments, which type-graphql turns into class instances, keep the
 *   wrapper).
 * A root that is not yet an instance of the field's type (type-graphql
 * would convert it) goes through the original wrapper.
 */
import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { isObjectType } from 'graphql';
import { getMetadataStorage, type BuildSchemaOptions } from 'type-graphql';

type Resolve = GraphQLFieldResolver<unknown, unknown>;
type Method = (...params: unknown[]) => unknown;

/** What a parameter needs from the resolver call: the root, one argument, the context, or the info. */
type ParamSource = { kind: 'root'; type: unknown } | { kind: 'arg'; name: string } | { kind: 'context' } | { kind: 'info' };

/** The resolver metadata read here (type-graphql's own definitions are not exported). */
interface ResolverMeta {
  target: new () => Record<string, Method>;
  methodName: string;
  schemaName: string;
  kind?: 'internal' | 'external';
  getObjectType?: () => unknown;
  params?: ReadonlyArray<Record<string, unknown> & { kind: string; index: number }>;
  middlewares?: readonly unknown[];
  roles?: readonly unknown[];
}

/** True when the build options leave type-graphql's wrapper something to do on every field. */
function optionsNeedWrapper(options: BuildSchemaOptions): boolean {
  return Boolean(options.globalMiddlewares?.length || options.authChecker || options.validate || options.validateFn || options.container);
}

/** How each parameter of `meta`'s method is filled, or null when the wrapper must stay. */
function paramSources(meta: ResolverMeta, inputTargets: ReadonlySet<unknown>): ParamSource[] | null {
  const out: ParamSource[] = [];
  for (const p of [...(meta.params ?? [])].sort((a, b) => a.index - b.index)) {
    if (p.index !== out.length) return null;
    if (p.kind === 'root' && p.propertyName === undefined) {
      out.push({ kind: 'root', type: typeof p.getType === 'function' ? (p.getType as () => unknown)() : undefined });
    } else if (p.kind === 'arg' && p.validateSettings === undefined && p.validateFn === undefined) {
      const type = (p.getType as () => unknown)();
      if (inputTargets.has(type)) return null;
      out.push({ kind: 'arg', name: p.name as string });
    } else if (p.kind === 'context' && p.propertyName === undefined) {
      out.push({ kind: 'context' });
    } else if (p.kind === 'info') {
      out.push({ kind: 'info' });
    } else {
      return null;
    }
  }
  return out;
}

function directResolver(method: Method, instance: unknown, sources: readonly ParamSource[], fallback: Resolve): Resolve {
  const rootTypes = sources.flatMap((s) => (s.kind === 'root' && typeof s.type === 'function' ? [s.type] : []));
  return (root, args, context, info) => {
    for (const type of rootTypes) if (!(root instanceof type)) return fallback(root, args, context, info);
    const params = new Array<unknown>(sources.length);
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i];
      params[i] =
        s.kind === 'root' ? root : s.kind === 'arg' ? (args as Record<string, unknown>)[s.name] : s.kind === 'context' ? context : info;
    }
    return method.apply(instance, params);
  };
}

/**
 * Replaces type-graphql's resolver wrapper by a direct call on the fields of
 * `schema` (built by type-graphql with `options`) where the wrapper would
 * only pass parameters through. Returns how many fields it changed.
 */
export function directResolvers(schema: GraphQLSchema, options: BuildSchemaOptions): number {
  if (optionsNeedWrapper(options)) return 0;
  const storage = getMetadataStorage();
  const resolverClasses = new Set<unknown>(options.resolvers as readonly unknown[]);
  const inputTargets = new Set<unknown>([...storage.inputTypes, ...storage.argumentTypes].map((t) => t.target));
  const typeNames = new Map<unknown, string>([...storage.objectTypes, ...storage.interfaceTypes].map((t) => [t.target, t.name]));
  const instances = new Map<unknown, unknown>();
  const roots: [ResolverMeta, string | undefined][] = [
    ...(storage.queries as unknown as ResolverMeta[]).map((m): [ResolverMeta, string | undefined] => [m, schema.getQueryType()?.name]),
    ...(storage.fieldResolvers as unknown as ResolverMeta[])
      .filter((m) => m.kind === 'external')
      .map((m): [ResolverMeta, string | undefined] => [m, typeNames.get(m.getObjectType?.())]),
  ];
  let changed = 0;
  for (const [meta, typeName] of roots) {
    if (!resolverClasses.has(meta.target) || meta.middlewares?.length || meta.roles) continue;
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = isObjectType(type) ? type.getFields()[meta.schemaName] : undefined;
    const method = meta.target.prototype[meta.methodName] as Method | undefined;
    const sources = paramSources(meta, inputTargets);
    if (!field?.resolve || typeof method !== 'function' || !sources) continue;
    let instance = instances.get(meta.target);
    if (!instance) instances.set(meta.target, (instance = new meta.target()));
    field.resolve = directResolver(method, instance, sources, field.resolve);
    changed++;
  }
  return changed;
}
