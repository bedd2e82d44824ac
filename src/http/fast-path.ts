/**
 * The fast path: a repeat of a query Apollo already parsed, validated and
 * compiled is answered straight from its {@link QueryPlan}, without Apollo's
 * request pipeline (header map, plugin hooks, hashing, document store,
 * context copy, the awaits between them), which costs more than running a
 * small query.
 *
 * It takes only requests whose answer it knows to be Apollo's, byte for
 * byte: a POST whose content-type is JSON, whose body is one operation
 * (`query` a string, `variables` absent, null or an object, `operationName`
 * absent, null or a string, no `extensions`), whose Accept header makes
 * Apollo answer `application/json; charset=utf-8`, and whose query text and
 * operationName have a plan. Everything else — first sightings, mutations,
 * GET, batches, other media types, variables that do not coerce — is
 * Apollo's. The answer is what Apollo would send: the jit result, its errors
 * formatted as Apollo formats them (execution/apollo-errors.ts) and ordered
 * errors, data; Apollo's trailing newline; status 200 or what an error's
 * `extensions.http` asks for; the same headers; the same operation and
 * request metrics.
 *
 * Apollo plugins do not see these requests: the gateway has no plugin that
 * needs to (the operation metrics are counted here the same way), and turns
 * the fast path off when it adds one (tracing).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { ResponseBatch } from './response-batch.js';
import { resultLabel } from '../observability/operation-metrics.js';
import { ensureGraphQLError, formatErrorsAsApollo, type FormatError } from '../execution/apollo-errors.js';
import { asGraphQLJsError } from '../execution/jit-gateway.js';
import type { QueryPlan, QueryPlans } from '../execution/query-plans.js';

/**
 * Accept headers for which Apollo's negotiation (negotiator, over
 * application/json, application/graphql-response+json and the callback
 * variant) picks `application/json; charset=utf-8`. A list, not a
 * negotiation of our own: any other header goes to Apollo.
 */
const JSON_ACCEPTS = new Set<string | undefined>([
  undefined,
  '',
  '*/*',
  'application/json',
  'application/json; charset=utf-8',
  'application/json, */*',
  'application/json, text/plain, */*',
]);

const CONTENT_TYPE = 'application/json; charset=utf-8';

/** A body the fast path may take: one operation, as Apollo reads it. */
export interface OperationBody {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/** The metric children of one plan, resolved once per plan rather than per request. */
class PlanMetrics {
  readonly seconds: { observe(value: number): void };
  private readonly results = new Map<string, { inc(): void }>();
  private readonly statuses = new Map<number, { inc(): void }>();

  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly operation: string,
  ) {
    this.seconds = metrics.graphqlOperationSeconds.labels(operation, 'query');
  }

  /** facegate_graphql_operations_total for `result`. */
  result(result: string): { inc(): void } {
    let child = this.results.get(result);
    if (!child) this.results.set(result, (child = this.metrics.graphqlOperations.labels(this.operation, 'query', result)));
    return child;
  }

  /** facegate_graphql_requests_total for `status`. */
  status(status: number): { inc(): void } {
    let child = this.statuses.get(status);
    if (!child) this.statuses.set(status, (child = this.metrics.graphqlRequests.labels(this.operation, String(status))));
    return child;
  }
}

/** Answers repeats of known queries without Apollo; see the module comment for which. */
export class QueryFastPath {
  private readonly bound = new WeakMap<QueryPlan, PlanMetrics>();
  private readonly cached: { inc(): void };

  constructor(
    private readonly plans: QueryPlans,
    private readonly metrics: GatewayMetrics,
    private readonly formatError: FormatError,
    private readonly responses: ResponseBatch,
  ) {
    this.cached = metrics.queryPlanRequests.labels('cached');
  }

  /** The plan for this request (its body already parsed) when the fast path may answer it; undefined otherwise. */
  planFor(req: IncomingMessage, body: unknown): QueryPlan | undefined {
    if (!isPlainJsonOperation(req, body)) return undefined;
    return this.plans.get(body.query, body.operationName ?? undefined);
  }

  /**
   * Runs `plan` for `body` (a body {@link planFor} accepted) with `context`
   * (which carries the request's cancellation signal to every provider call,
   * as on Apollo's path) and queues the whole response on the batch. False,
   * with nothing written or counted, when the variables do not coerce:
   * Apollo answers those with graphql-js's own messages.
   */
  async answer(plan: QueryPlan, body: unknown, context: object, requestId: string, res: ServerResponse): Promise<boolean> {
    const { variables } = body as OperationBody;
    const started = performance.now();
    let result: ExecutionResult;
    let errors: readonly GraphQLError[] | undefined;
    let status: number | undefined;
    try {
      result = await plan.compiled.query(undefined, context, variables ?? {});
      if (result.errors?.length && result.data === undefined) return false;
      errors = result.errors?.map(asGraphQLJsError);
    } catch (e) {
      // Apollo answers an executor that throws with the error alone, 500 unless the error asks otherwise.
      result = {};
      errors = [ensureGraphQLError(e)];
      status = 500;
    }
    let bound = this.bound.get(plan);
    if (!bound) {
      // The operation the plan runs (it parsed and validated when Apollo ran it), labelled as on Apollo's path.
      bound = new PlanMetrics(this.metrics, this.metrics.operationNames.label(plan.operationName));
      this.bound.set(plan, bound);
    }
    const headers: Record<string, string> = { 'x-request-id': requestId };
    let formattedErrors: GraphQLFormattedError[] | undefined;
    if (errors) {
      const formatted = formatErrorsAsApollo(errors, this.formatError);
      formattedErrors = formatted.formattedErrors;
      status = formatted.httpFromErrors.status ?? status;
      for (const [name, value] of formatted.httpFromErrors.headers) headers[name] = value;
    }
    if (!headers['content-type']) headers['content-type'] = CONTENT_TYPE;
    bound.result(resultLabel(formattedErrors, context)).inc();
    bound.seconds.observe((performance.now() - started) / 1000);
    const code = status ?? 200;
    bound.status(code).inc();
    this.cached.inc();
    this.responses.end(res, code, headers, serialize(plan, result, formattedErrors) + '\n');
    return true;
  }
}

/**
 * Whether Apollo would read this request (its body already parsed) as one
 * operation and answer it `application/json; charset=utf-8`: a POST with a
 * JSON content type (so it passes CSRF prevention), an {@link OperationBody}
 * and an Accept header of {@link JSON_ACCEPTS}. The requests the fast path
 * and the kept refusals (graphql-handler.ts) may answer without Apollo.
 */
export function isPlainJsonOperation(req: IncomingMessage, body: unknown): body is OperationBody {
  if (req.method !== 'POST' || !isOperationBody(body) || !JSON_ACCEPTS.has(req.headers.accept)) return false;
  const contentType = req.headers['content-type'];
  return contentType === 'application/json' || contentType?.startsWith('application/json;') === true;
}

/** The result as Apollo writes it (errors, data, extensions), through the plan's compiled serializer when there are no errors. */
function serialize(plan: QueryPlan, result: ExecutionResult, errors: GraphQLFormattedError[] | undefined): string {
  if (errors === undefined && result.extensions === undefined) {
    // graphql-jit's serializer when the document has one (compiled-json.ts), JSON.stringify otherwise.
    try {
      return plan.compiled.stringify({ data: result.data });
    } catch {
      // A value it refuses (none expected): JSON.stringify writes what Apollo writes.
    }
  }
  return JSON.stringify({ errors, data: result.data, extensions: result.extensions });
}

function isOperationBody(body: unknown): body is OperationBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { query, operationName, variables } = body as Record<string, unknown>;
  return (
    typeof query === 'string' &&
    !('extensions' in body) &&
    (operationName === undefined || operationName === null || typeof operationName === 'string') &&
    (variables === undefined || variables === null || (typeof variables === 'object' && !Array.isArray(variables)))
  );
}
