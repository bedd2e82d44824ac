/** Walking a document's selections with their schema types, for the limit rules. */
import {
  isCompositeType,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationContext,
} from 'graphql';

/** The definition of the field `node` selects on `parent`, meta fields (`__typename`, `__schema`, `__type`) included. */
export function fieldDef(
  schema: GraphQLSchema,
  parent: GraphQLCompositeType | undefined,
  node: FieldNode,
): GraphQLField<unknown, unknown> | undefined {
  const name = node.name.value;
  if (name === '__typename') return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
  }
  if (!parent || !('getFields' in parent)) return undefined;
  return parent.getFields()[name];
}

/** `type` when it can hold selections, else undefined. */
export function compositeOrUndefined(type: GraphQLNamedType | undefined | null): GraphQLCompositeType | undefined {
  return type && isCompositeType(type) ? type : undefined;
}

/** The type a fragment condition names, or `fallback` (the enclosing type) when it names none. */
export function conditionType(
  context: ValidationContext,
  name: string | undefined,
  fallback: GraphQLCompositeType | undefined,
): GraphQLCompositeType | undefined {
  return name === undefined ? fallback : compositeOrUndefined(context.getSchema().getType(name));
}

/** The root type of `op` (query, mutation or subscription). */
export function rootType(context: ValidationContext, op: OperationDefinitionNode): GraphQLCompositeType | undefined {
  return context.getSchema().getRootType(op.operation) ?? undefined;
}

/**
 * Memoises a per-fragment computation, with `none` for a fragment that
 * (through cycles) reaches itself: NoFragmentCycles reports those.
 */
export function fragmentMemo<K extends string, T = number>(
  context: ValidationContext,
  compute: (fragment: FragmentDefinitionNode, key: K) => T,
  none: T,
) {
  const done = new Map<string, T>();
  const active = new Set<string>();
  return (name: string, key: K): T => {
    const id = `${name}\u0000${key}`;
    const known = done.get(id);
    if (known !== undefined) return known;
    const fragment = context.getFragment(name);
    if (!fragment || active.has(id)) return none;
    active.add(id);
    const value = compute(fragment, key);
    active.delete(id);
    done.set(id, value);
    return value;
  };
}
