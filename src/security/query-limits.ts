/**
 * Query limits: validation rules that refuse documents too deep, too costly,
 * with too many aliases or root fields, and a size check for the raw
 * document, run before it is parsed.
 *
 * The rules are plain graphql-js `ValidationRule`s, so Apollo
 * (`validationRules`) and graphql-ws (`validate`) run the same ones. Each
 * refusal is one GraphQL error with a stable `extensions.code`, and
 * `extensions.limit` / `extensions.value` with the numbers the message says.
 *
 * Apollo re-labels every validation error `GRAPHQL_VALIDATION_FAILED`;
 * {@link limitErrorCode} finds the original code again for `formatError`.
 */
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLFormattedError,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/** Limits on one GraphQL document. A limit of `Infinity` turns its check off. */
export interface QueryLimits {
  /**
   * Deepest nesting of fields in an operation; `{ providers { name } }` is 2.
   * `__Type.ofType` does not add a level, so the standard introspection query
   * (GraphiQL, codegen) is 6 deep.
   * @default 12
   */
  maxDepth: number;
  /**
   * Largest estimated cost of an operation: each field counts 1, times the
   * page size of every list around it (`first`, or the argument's default).
   * `collection { users(first: 100) { edges { node { faces(first: 100) { edges { node { faceId } } } } } } }`
   * costs 30,302 (10,000 faces × 3 fields, plus 302).
   * `__typename` and introspection (`__schema`, `__type`) cost nothing.
   * @default 50000
   */
  maxCost: number;
  /**
   * Most aliased fields in one document, counted as written (fragments once).
   * Not 100: clients legitimately batch up to 500 aliased mutations
   * (`u0: createUser(…) u1: createUser(…) …`) in one request.
   * @default 1000
   */
  maxAliases: number;
  /**
   * Most fields at the root of one operation, through fragments; this is
   * what bounds batched mutations.
   * @default 1000
   */
  maxRootFields: number;
  /**
   * Longest document, in characters (UTF-16 code units), checked before
   * parsing by {@link checkDocumentSize}. 500 aliased `createUser`s with
   * their error fields are about 70,000.
   * @default 100000
   */
  maxDocumentChars: number;
  /**
   * The largest `first` any list accepts. This is the one page-size limit:
   * the gateway hands the same number (the config's `limits.maxPageSize`)
   * to the resolvers, which refuse a larger `first` with INVALID_INPUT
   * before doing any work. A `first` given as a variable counts as this
   * (rules run before variables are known); a literal above it counts as
   * this too. Below 100, a list asked without `first` (the schema's
   * defaults are 50 and 100) is refused as well.
   * @default 500
   */
  maxPageSize: number;
  /**
   * Page size assumed for a `first` argument that is absent and has no
   * default in the schema (every `first` in this schema has one: 50 or 100).
   * @default 100
   */
  defaultPageSize: number;
  /**
   * Length assumed for a list of objects that has no `first` argument, e.g.
   * `providers` or `IndexFacesSuccess.faces`. The `edges` list right under
   * a paginated field is not multiplied again.
   * @default 10
   */
  defaultListSize: number;
}

/** Each limit's default, as documented on {@link QueryLimits}; the config file's `limits` override them one by one. */
export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = Object.freeze({
  maxDepth: 12,
  maxCost: 50_000,
  maxAliases: 1000,
  maxRootFields: 1000,
  maxDocumentChars: 100_000,
  maxPageSize: 500,
  defaultPageSize: 100,
  defaultListSize: 10,
});

/** The `extensions.code` of each limit's error. */
export const LIMIT_ERROR_CODES = [
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COSTLY',
  'TOO_MANY_ALIASES',
  'TOO_MANY_ROOT_FIELDS',
  'DOCUMENT_TOO_LARGE',
] as const;
export type LimitErrorCode = (typeof LIMIT_ERROR_CODES)[number];

const LIMIT_CODES = new Set<string>(LIMIT_ERROR_CODES);

function limitError(code: LimitErrorCode, message: string, limit: number, value: number, nodes?: OperationDefinitionNode): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code, limit, value } });
}

function operationLabel(op: OperationDefinitionNode): string {
  return op.name ? `${op.operation} ${op.name.value}` : `anonymous ${op.operation}`;
}

const formatNumber = (n: number): string => (Number.isFinite(n) && n < 1e15 ? String(Math.round(n)) : n.toExponential(2));

/**
 * The limit code of an error that Apollo has wrapped (its ValidationError
 * keeps ours as `originalError` but replaces `extensions.code`), or undefined.
 */
export function limitErrorCode(error: unknown): LimitErrorCode | undefined {
  for (let e = error, hops = 0; e && typeof e === 'object' && hops < 5; e = (e as { originalError?: unknown }).originalError, hops++) {
    const code = (e as { extensions?: { code?: unknown } }).extensions?.code;
    if (typeof code === 'string' && LIMIT_CODES.has(code)) return code as LimitErrorCode;
  }
  return undefined;
}

/** The DOCUMENT_TOO_LARGE error for a `query` longer than `max` characters; null otherwise (non-strings included: Apollo reports those). */
export function documentSizeError(query: unknown, max: number): GraphQLError | null {
  if (typeof query !== 'string' || query.length <= max) return null;
  return limitError('DOCUMENT_TOO_LARGE', `document size: expected at most ${max} characters, got ${query.length}`, max, query.length);
}

/**
 * Checks the raw `query` before anything parses it. Returns the response
 * body to send (with status 400) when it is longer than `max` characters,
 * null when it may go on.
 */
export function checkDocumentSize(query: unknown, max: number): { errors: GraphQLFormattedError[] } | null {
  const error = documentSizeError(query, max);
  return error ? { errors: [error.toJSON()] } : null;
}

// ---------------------------------------------------------------------------
// Walking selections with their types

function fieldDef(
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

function compositeOrUndefined(type: GraphQLNamedType | undefined | null): GraphQLCompositeType | undefined {
  return type && isCompositeType(type) ? type : undefined;
}

function conditionType(
  context: ValidationContext,
  name: string | undefined,
  fallback: GraphQLCompositeType | undefined,
): GraphQLCompositeType | undefined {
  return name === undefined ? fallback : compositeOrUndefined(context.getSchema().getType(name));
}

function rootType(context: ValidationContext, op: OperationDefinitionNode): GraphQLCompositeType | undefined {
  return context.getSchema().getRootType(op.operation) ?? undefined;
}

/** Memoises a per-fragment computation, with 0 for a fragment that (through cycles) reaches itself: NoFragmentCycles reports those. */
function fragmentMemo<K extends string>(context: ValidationContext, compute: (fragment: FragmentDefinitionNode, key: K) => number) {
  const done = new Map<string, number>();
  const active = new Set<string>();
  return (name: string, key: K): number => {
    const id = `${name}\u0000${key}`;
    const known = done.get(id);
    if (known !== undefined) return known;
    const fragment = context.getFragment(name);
    if (!fragment || active.has(id)) return 0;
    active.add(id);
    const value = compute(fragment, key);
    active.delete(id);
    done.set(id, value);
    return value;
  };
}

// ---------------------------------------------------------------------------
// Depth

function depthRule(max: number): ValidationRule {
  return (context) => {
    const schema = context.getSchema();
    const fragmentDepth = fragmentMemo<''>(context, (fragment) =>
      depth(fragment.selectionSet, conditionType(context, fragment.typeCondition.name.value, undefined)),
    );
    function depth(set: SelectionSetNode, parent: GraphQLCompositeType | undefined): number {
      let deepest = 0;
      for (const s of set.selections) {
        let d: number;
        if (s.kind === Kind.FIELD) {
          const def = fieldDef(schema, parent, s);
          // `ofType` walks a chain of wrappers (one object each): no fan-out, no level.
          const level = s.name.value === 'ofType' && parent?.name === '__Type' ? 0 : 1;
          d = level + (s.selectionSet ? depth(s.selectionSet, compositeOrUndefined(def && getNamedType(def.type))) : 0);
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          d = depth(s.selectionSet, conditionType(context, s.typeCondition?.name.value, parent));
        } else {
          d = fragmentDepth(s.name.value, '');
        }
        if (d > deepest) deepest = d;
      }
      return deepest;
    }
    return {
      OperationDefinition(op) {
        const d = depth(op.selectionSet, rootType(context, op));
        if (d > max) {
          context.reportError(
            limitError('QUERY_TOO_DEEP', `query depth: expected at most ${max} levels, got ${d} (${operationLabel(op)})`, max, d, op),
          );
        }
        return false;
      },
    };
  };
}

// ---------------------------------------------------------------------------
// Cost

function costRule(limits: QueryLimits): ValidationRule {
  return (context) => {
    const schema = context.getSchema();
    // `pending`: the parent field was paginated, so the list right under it (its `edges`) is that page.
    type Pending = 'p' | 'n';
    const fragmentCost = fragmentMemo<Pending>(context, (fragment, pending) =>
      cost(fragment.selectionSet, conditionType(context, fragment.typeCondition.name.value, undefined), pending),
    );

    function pageSize(node: FieldNode, def: GraphQLField<unknown, unknown>): number {
      const arg = node.arguments?.find((a) => a.name.value === 'first');
      if (!arg) {
        const fallback = def.args.find((a) => a.name === 'first')?.defaultValue;
        return typeof fallback === 'number' ? Math.max(0, fallback) : limits.defaultPageSize;
      }
      if (arg.value.kind === Kind.INT) return Math.min(limits.maxPageSize, Math.max(0, Number(arg.value.value)));
      if (arg.value.kind === Kind.VARIABLE) return limits.maxPageSize;
      if (arg.value.kind === Kind.NULL) return limits.defaultPageSize;
      return limits.defaultPageSize; // a wrong type: the spec rules report it
    }

    function cost(set: SelectionSetNode, parent: GraphQLCompositeType | undefined, pending: Pending): number {
      let total = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.INLINE_FRAGMENT) {
          total += cost(s.selectionSet, conditionType(context, s.typeCondition?.name.value, parent), pending);
          continue;
        }
        if (s.kind === Kind.FRAGMENT_SPREAD) {
          total += fragmentCost(s.name.value, pending);
          continue;
        }
        const name = s.name.value;
        if (name === '__typename' || name === '__schema' || name === '__type') continue;
        const def = fieldDef(schema, parent, s);
        if (!def) {
          total += 1;
          continue;
        }
        const named = getNamedType(def.type);
        let multiplier = 1;
        let childPending: Pending = 'n';
        if (def.args.some((a) => a.name === 'first')) {
          multiplier = pageSize(s, def);
          childPending = 'p';
        } else if (isListType(getNullableType(def.type)) && isCompositeType(named)) {
          multiplier = pending === 'p' ? 1 : limits.defaultListSize;
        }
        total += 1 + (s.selectionSet ? multiplier * cost(s.selectionSet, compositeOrUndefined(named), childPending) : 0);
      }
      return total;
    }

    return {
      OperationDefinition(op) {
        const c = cost(op.selectionSet, rootType(context, op), 'n');
        if (c > limits.maxCost) {
          context.reportError(
            limitError(
              'QUERY_TOO_COSTLY',
              `query cost: expected at most ${limits.maxCost}, got ${formatNumber(c)} (${operationLabel(op)}; each field counts 1 times the page size, first, of every list around it)`,
              limits.maxCost,
              c,
              op,
            ),
          );
        }
        return false;
      },
    };
  };
}

// ---------------------------------------------------------------------------
// Aliases and root fields

function aliasRule(max: number): ValidationRule {
  return (context): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias) aliases++;
      },
      Document: {
        leave() {
          if (aliases > max) {
            context.reportError(
              limitError('TOO_MANY_ALIASES', `aliases: expected at most ${max} per document, got ${aliases}`, max, aliases),
            );
          }
        },
      },
    };
  };
}

function rootFieldRule(max: number): ValidationRule {
  return (context) => {
    const fragmentFields = fragmentMemo<''>(context, (fragment) => count(fragment.selectionSet));
    function count(set: SelectionSetNode): number {
      let n = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) n += 1;
        else if (s.kind === Kind.INLINE_FRAGMENT) n += count(s.selectionSet);
        else n += fragmentFields(s.name.value, '');
      }
      return n;
    }
    return {
      OperationDefinition(op) {
        const n = count(op.selectionSet);
        if (n > max) {
          context.reportError(
            limitError(
              'TOO_MANY_ROOT_FIELDS',
              `root fields: expected at most ${max} per operation, got ${n} (${operationLabel(op)})`,
              max,
              n,
              op,
            ),
          );
        }
        return false;
      },
    };
  };
}

/**
 * The validation rules for `options` (missing fields take
 * {@link DEFAULT_QUERY_LIMITS}), to run after graphql-js's specifiedRules.
 */
export function limitRules(options: Partial<QueryLimits> = {}): ValidationRule[] {
  const limits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, ...options };
  const rules: ValidationRule[] = [];
  if (Number.isFinite(limits.maxDepth)) rules.push(depthRule(limits.maxDepth));
  if (Number.isFinite(limits.maxCost)) rules.push(costRule(limits));
  if (Number.isFinite(limits.maxAliases)) rules.push(aliasRule(limits.maxAliases));
  if (Number.isFinite(limits.maxRootFields)) rules.push(rootFieldRule(limits.maxRootFields));
  return rules;
}
