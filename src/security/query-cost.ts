/**
 * The cost model: what one operation costs (fields times the page sizes
 * around them, images, provider calls, introspection), refused over
 * `maxCost` / `maxImageInputs`, and recorded for the rate limiter
 * ({@link operationCostOf}).
 */
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInputObjectType,
  isListType,
  Kind,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { formatNumber, limitError, operationLabel } from './limit-errors.js';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './query-limit-options.js';
import { compositeOrUndefined, conditionType, fieldDef, fragmentMemo, rootType } from './query-walk.js';

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
/** Whether aliasing a field repeats paid work: it takes images or declares provider calls. */
export const isCostly = (def: GraphQLField<unknown, unknown>): boolean =>
  imageInputsOf(def) > 0 || def.extensions?.[PROVIDER_CALLS] !== undefined;

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

export function costRule(limits: QueryLimits): ValidationRule {
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
