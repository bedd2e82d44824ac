/**
 * Query plans: the graphql-jit compilation of a query document Apollo has
 * already parsed, validated (with the limit rules) and run, looked up by the
 * request as sent — its query text and operationName — so a repeat can be
 * answered without parsing, hashing or validating it again
 * (execution/fast-path.ts).
 *
 * Validation depends on the document alone (the schema never changes at run
 * time, and the limit rules count a `first` given as a variable as the
 * largest page), so a text Apollo accepted once is accepted every time.
 * Apollo reads `operationName` only when it is a string: `null` and absent
 * select the same operation and share a plan.
 */
import type { CompiledQuery } from 'graphql-jit';
import { BoundedCache } from '../lib/bounded-cache.js';

/** What a repeat of a query needs to run without Apollo. */
export interface QueryPlan {
  readonly compiled: CompiledQuery;
  /** The name of the operation the request selected (from the document), null for an anonymous one. */
  readonly operationName: string | null;
  /** What the operation costs its tenant's rate limit (security/query-limits.ts `rateCostOf`), paid on the fast path too. */
  readonly cost: number;
}

/** The plans of query documents Apollo ran, least recently used dropped first. */
export class QueryPlans {
  private readonly plans: BoundedCache<string, QueryPlan>;

  /** @param maxPlans plans kept; @default 1000 (as many as compiled documents) */
  constructor(maxPlans = 1000) {
    this.plans = new BoundedCache(maxPlans);
  }

  get size(): number {
    return this.plans.size;
  }

  /** The plan of `query` with `operationName` (undefined when the request sent none or null). */
  get(query: string, operationName: string | undefined): QueryPlan | undefined {
    return this.plans.get(planKey(query, operationName));
  }

  /** Notes the plan Apollo ran for `query` with `operationName` (as Apollo read them from the request). */
  record(query: string, operationName: string | undefined, plan: QueryPlan): void {
    this.plans.set(planKey(query, operationName), plan);
  }

  clear(): void {
    this.plans.clear();
  }
}

/**
 * One string per (query, operationName) pair, unambiguous for any texts: a
 * name is prefixed by its length, and "no name" by a character no length
 * starts with.
 */
function planKey(query: string, operationName: string | undefined): string {
  return operationName === undefined ? `-${query}` : `${operationName.length}:${operationName}${query}`;
}
