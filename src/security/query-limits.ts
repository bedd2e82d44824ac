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
import { getNamedType, Kind, type ASTVisitor, type GraphQLCompositeType, type SelectionSetNode, type ValidationRule } from 'graphql';
import { limitError, operationLabel, type LimitErrorCode } from './limit-errors.js';
import { costRule, isCostly } from './query-cost.js';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './query-limit-options.js';
import { compositeOrUndefined, conditionType, fieldDef, fragmentMemo, rootType } from './query-walk.js';

export * from './query-limit-options.js';
export * from './limit-errors.js';
export * from './query-cost.js';

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
