/**
 * Query limits: validation rules that refuse documents too deep, too costly,
 * with too many image inputs, aliases, root fields or introspection fields,
 * and a size check for the raw document, run before it is parsed.
 *
 * The cost rule also records each operation's cost ({@link operationCostOf}):
 * the rate limiter spends it (security/rate-limit.ts), so a request is
 * charged for what it asks, not one token whatever it asks.
 *
 * The rules are plain graphql-js `ValidationRule`s, so Apollo
 * (`validationRules`) and graphql-ws (in onSubscribe, ws/operation-args.ts)
 * run the same ones. Each
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
  isInputObjectType,
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
  type GraphQLInputObjectType,
  type GraphQLInputType,
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
   * Largest estimated cost of an operation: each field counts 1, and each
   * image it takes {@link imageCost} more, times the page size of every list
   * around it (`first`, or the argument's default).
   * `collection { users(first: 100) { edges { node { faces(first: 100) { edges { node { faceId } } } } } } }`
   * costs 30,302 (10,000 faces × 3 fields, plus 302). An introspection
   * field costs {@link introspectionCost}; only `__typename` is free. The
   * rate limiter spends this cost.
   * @default 50000
   */
  maxCost: number;
  /**
   * What one image input adds to a field's cost: a field with an
   * `ImageInput` in its arguments (`searchUsersByImage`, `indexFaces`) means
   * a decode and an inference on the local engine, or a billed call on a
   * cloud provider, where a plain field is a lookup in memory or one row of
   * a page.
   * @default 1000
   */
  imageCost: number;
  /**
   * What one provider call or index search adds to a field that makes it
   * without an image to decode: `searchFaces` and `searchUsers` (a billed
   * call on a cloud provider, a search of the collection locally), and
   * `identifyFaces` once per face it may search (its `maxFaces`, the
   * largest, 100, when given as a variable). A field declares its calls
   * with the {@link PROVIDER_CALLS} extension.
   * @default 100
   */
  providerCallCost: number;
  /**
   * What an introspection root field (`__schema`, `__type`) costs, whatever
   * it selects: the answer is built from the schema, whose size is fixed,
   * and how much of it one field may repeat is bounded by graphql-js's
   * MaxIntrospectionDepthRule (types within types at most twice) and
   * {@link maxDepth}. Counted by the fields under it, GraphiQL's
   * introspection query alone would cost more than {@link maxCost} (its
   * lists at {@link defaultListSize} each, 51,853), though its answer on
   * this schema is about 100 kB.
   * @default 1000
   */
  introspectionCost: number;
  /**
   * Most image inputs one operation may take (each `ImageInput` in the
   * arguments of its fields, through fragments and times the lists around
   * them); more is TOO_MANY_IMAGES before anything runs.
   * @default 4
   */
  maxImageInputs: number;
  /**
   * Most aliased fields in one document, counted as written (fragments once).
   * Not 100: clients legitimately batch up to 500 aliased mutations
   * (`u0: createUser(…) u1: createUser(…) …`) in one request.
   * @default 1000
   */
  maxAliases: number;
  /**
   * Most aliases of costly fields — those that take an image or declare
   * provider calls ({@link PROVIDER_CALLS}) — in one
   * document, counted as written (fragments once); graphql-armor's limit
   * for every alias. Cheap fields keep {@link maxAliases}: a batch of
   * `createUser`s is one cheap provider call each, no image.
   * @default 15
   */
  maxCostlyAliases: number;
  /**
   * Most introspection root fields (`__schema`, `__type`) in one document,
   * counted as written: the standard introspection query (GraphiQL, codegen)
   * has one, and each one more is the whole schema again.
   * @default 1
   */
  maxIntrospectionFields: number;
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
  imageCost: 1000,
  providerCallCost: 100,
  introspectionCost: 1000,
  maxImageInputs: 4,
  maxAliases: 1000,
  maxCostlyAliases: 15,
  maxIntrospectionFields: 1,
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
  'TOO_MANY_IMAGES',
  'TOO_MANY_COSTLY_ALIASES',
  'TOO_MANY_INTROSPECTION_FIELDS',
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

/**
 * Memoises a per-fragment computation, with `none` for a fragment that
 * (through cycles) reaches itself: NoFragmentCycles reports those.
 */
function fragmentMemo<K extends string, T = number>(
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

// ---------------------------------------------------------------------------
// Depth

function depthRule(max: number): ValidationRule {
  return (context) => {
    const schema = context.getSchema();
    const fragmentDepth = fragmentMemo<''>(
      context,
      (fragment) => depth(fragment.selectionSet, conditionType(context, fragment.typeCondition.name.value, undefined)),
      0,
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

/** What the cost rule found for one operation. */
export interface OperationCost {
  /** Its estimated cost, as {@link QueryLimits.maxCost} bounds it. */
  readonly cost: number;
  /** The image inputs it takes, as {@link QueryLimits.maxImageInputs} bounds them. */
  readonly images: number;
}

/**
 * The name of the input type that carries an image. A field takes images
 * when this type appears in its arguments, however deep: the schema, not a
 * list of field names, says which fields do.
 */
export const IMAGE_INPUT_TYPE = 'ImageInput';

/**
 * Costs recorded by the cost rule, by operation node. Apollo keeps a
 * validated document (its document store) and hands the same nodes to its
 * plugins and executor, and graphql-ws runs what onSubscribe validated, so
 * the rate limiter finds the cost of what it is about to run here, without
 * walking the document again.
 */
const recordedCosts = new WeakMap<OperationDefinitionNode, OperationCost>();

/** The cost the cost rule recorded for `operation` when it validated it; undefined for an operation it never saw. */
export function operationCostOf(operation: OperationDefinitionNode | null | undefined): OperationCost | undefined {
  return operation ? recordedCosts.get(operation) : undefined;
}

/**
 * Tokens the rate limiter takes for `operation`: its cost, at least 1 (a
 * request of nothing but `__typename` is still a request). An operation the
 * rule never saw counts 1.
 */
export function rateCostOf(operation: OperationDefinitionNode | null | undefined): number {
  return Math.max(1, operationCostOf(operation)?.cost ?? 1);
}

/**
 * Image inputs in an input type; a list counts as {@link QueryLimits.defaultListSize}
 * (10) of what it holds, as a list of objects does in the cost (no argument
 * takes a list of images today).
 */
function imagesInType(type: GraphQLInputType, seen: Set<GraphQLInputObjectType>): number {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return DEFAULT_QUERY_LIMITS.defaultListSize * imagesInType(nullable.ofType as GraphQLInputType, seen);
  if (!isInputObjectType(nullable)) return 0;
  if (nullable.name === IMAGE_INPUT_TYPE) return 1;
  // A recursive input type counts once.
  if (seen.has(nullable)) return 0;
  seen.add(nullable);
  let n = 0;
  for (const field of Object.values(nullable.getFields())) n += imagesInType(field.type, seen);
  seen.delete(nullable);
  return n;
}

/**
 * The field extension (type-graphql `@Extensions({ [PROVIDER_CALLS]: … })`)
 * by which a field declares the provider calls or index searches it makes
 * besides decoding its images: a number, or one per unit of an integer
 * field of its `input` argument (`default` when the input leaves it out,
 * `max`, its largest valid value, when it is a variable).
 */
export const PROVIDER_CALLS = 'providerCalls';
export type ProviderCalls = number | { perInputField: string; default: number; max: number };

/** The provider calls `node` (a use of `def`) asks for, from `def`'s {@link PROVIDER_CALLS} extension; 0 without one. */
export function providerCallsOf(def: GraphQLField<unknown, unknown>, node: FieldNode): number {
  const declared = def.extensions?.[PROVIDER_CALLS] as ProviderCalls | undefined;
  if (declared === undefined) return 0;
  if (typeof declared === 'number') return declared;
  const input = node.arguments?.find((a) => a.name.value === 'input')?.value;
  if (!input || input.kind !== Kind.OBJECT) return declared.max; // a variable: the largest it may be
  const value = input.fields.find((f) => f.name.value === declared.perInputField)?.value;
  if (!value || value.kind === Kind.NULL) return declared.default;
  if (value.kind === Kind.INT) return Math.min(declared.max, Math.max(0, Number(value.value)));
  return declared.max; // a variable, or a wrong type the spec rules report
}

/** True for a field that takes an image or declares provider calls: its aliases count against maxCostlyAliases. */
const isCostly = (def: GraphQLField<unknown, unknown>): boolean => imageInputsOf(def) > 0 || def.extensions?.[PROVIDER_CALLS] !== undefined;

/** Image inputs each field takes, from its argument types; computed once per field definition. */
const fieldImages = new WeakMap<GraphQLField<unknown, unknown>, number>();

/** How many image inputs `def`'s arguments hold (0 for most fields). */
export function imageInputsOf(def: GraphQLField<unknown, unknown>): number {
  let n = fieldImages.get(def);
  if (n === undefined) {
    n = 0;
    for (const arg of def.args) n += imagesInType(arg.type, new Set());
    fieldImages.set(def, n);
  }
  return n;
}

function costRule(limits: QueryLimits): ValidationRule {
  return (context) => {
    const schema = context.getSchema();
    // `pending`: the parent field was paginated, so the list right under it (its `edges`) is that page.
    type Pending = 'p' | 'n';
    const fragmentCost = fragmentMemo<Pending, OperationCost>(
      context,
      (fragment, pending) => cost(fragment.selectionSet, conditionType(context, fragment.typeCondition.name.value, undefined), pending),
      { cost: 0, images: 0 },
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

    function cost(set: SelectionSetNode, parent: GraphQLCompositeType | undefined, pending: Pending): OperationCost {
      let total = 0;
      let images = 0;
      for (const s of set.selections) {
        let part: OperationCost;
        if (s.kind === Kind.INLINE_FRAGMENT) {
          part = cost(s.selectionSet, conditionType(context, s.typeCondition?.name.value, parent), pending);
        } else if (s.kind === Kind.FRAGMENT_SPREAD) {
          part = fragmentCost(s.name.value, pending);
        } else if (s.name.value === '__typename') {
          continue;
        } else if ((s.name.value === '__schema' || s.name.value === '__type') && parent === schema.getQueryType()) {
          part = { cost: limits.introspectionCost, images: 0 };
        } else {
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
          const own = imageInputsOf(def);
          const calls = providerCallsOf(def, s);
          const below = s.selectionSet ? cost(s.selectionSet, compositeOrUndefined(named), childPending) : { cost: 0, images: 0 };
          part = {
            cost: 1 + own * limits.imageCost + calls * limits.providerCallCost + multiplier * below.cost,
            images: own + multiplier * below.images,
          };
        }
        total += part.cost;
        images += part.images;
      }
      return { cost: total, images };
    }

    return {
      OperationDefinition(op) {
        const found = cost(op.selectionSet, rootType(context, op), 'n');
        recordedCosts.set(op, found);
        if (found.cost > limits.maxCost) {
          context.reportError(
            limitError(
              'QUERY_TOO_COSTLY',
              `query cost: expected at most ${limits.maxCost}, got ${formatNumber(found.cost)} (${operationLabel(op)}; each field counts 1, and each image ${limits.imageCost} more, times the page size, first, of every list around it)`,
              limits.maxCost,
              found.cost,
              op,
            ),
          );
        }
        if (found.images > limits.maxImageInputs) {
          context.reportError(
            limitError(
              'TOO_MANY_IMAGES',
              `image inputs: expected at most ${limits.maxImageInputs} per operation, got ${formatNumber(found.images)} (${operationLabel(op)})`,
              limits.maxImageInputs,
              found.images,
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

/**
 * Aliases, aliases of costly fields (those taking images or declaring
 * provider calls) and introspection
 * root fields, each counted per document as written (a fragment once,
 * however often it is spread): what the document asks to repeat.
 */
function aliasRule(limits: QueryLimits): ValidationRule {
  return (context): ASTVisitor => {
    const queryType = context.getSchema().getQueryType();
    let aliases = 0;
    let costlyAliases = 0;
    let introspection = 0;
    const report = (code: LimitErrorCode, what: string, max: number, value: number) => {
      if (value > max) context.reportError(limitError(code, `${what}: expected at most ${max} per document, got ${value}`, max, value));
    };
    return {
      Field(node) {
        const name = node.name.value;
        if ((name === '__schema' || name === '__type') && context.getParentType() === queryType) introspection++;
        if (!node.alias) return;
        aliases++;
        const def = context.getFieldDef();
        if (def && isCostly(def)) costlyAliases++;
      },
      Document: {
        leave() {
          report('TOO_MANY_ALIASES', 'aliases', limits.maxAliases, aliases);
          report(
            'TOO_MANY_COSTLY_ALIASES',
            'aliases of fields that take images or call a provider',
            limits.maxCostlyAliases,
            costlyAliases,
          );
          report('TOO_MANY_INTROSPECTION_FIELDS', 'introspection fields (__schema, __type)', limits.maxIntrospectionFields, introspection);
        },
      },
    };
  };
}

function rootFieldRule(max: number): ValidationRule {
  return (context) => {
    const fragmentFields = fragmentMemo<''>(context, (fragment) => count(fragment.selectionSet), 0);
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
 * A limit of `Infinity` is never exceeded.
 */
export function limitRules(options: Partial<QueryLimits> = {}): ValidationRule[] {
  const limits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, ...options };
  const rules: ValidationRule[] = [];
  if (Number.isFinite(limits.maxDepth)) rules.push(depthRule(limits.maxDepth));
  // Always: it records each operation's cost for the rate limiter, whatever it refuses.
  rules.push(costRule(limits));
  rules.push(aliasRule(limits));
  if (Number.isFinite(limits.maxRootFields)) rules.push(rootFieldRule(limits.maxRootFields));
  return rules;
}
