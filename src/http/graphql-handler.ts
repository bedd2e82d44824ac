/**
 * One GraphQL request over HTTP, in the order its refusals are decided:
 * authentication (401), the tenant's rate limit (429: one token before
 * parsing), a multipart request without a preflight header (400, CSRF), the
 * body (413, 400; JSON, or multipart with files: http/multipart.ts), the
 * document's size (400); then the fast
 * path when it knows the query, the kept refusal when the same text was
 * refused before for its document alone (did not parse or validate:
 * caches/refused-documents.ts), Apollo otherwise, its complete answers
 * written through the response batch. The rest of the operation's cost is
 * paid once it is known: by the plan on the fast path, by Apollo's
 * operationCostPlugin after validation (429 again when it cannot be).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLFormattedError } from 'graphql';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import { MAX_IMAGE_BYTES } from '../domain/validation.js';
import type { RefusedDocuments } from '../caches/refused-documents.js';
import { refusedForDocument } from '../execution/document-refusals.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { requestOperationLabel, resultLabel } from '../observability/operation-metrics.js';
import { INVALID_OPERATION } from '../observability/operation-names.js';
import { createContext, type ContextDeps, type GatewayContext } from '../resolvers/context.js';
import type { Authenticator, Caller } from '../security/authenticator.js';
import { credentialsOfHeaders } from '../security/credentials.js';
import { checkDocumentSize } from '../security/query-limits.js';
import { throttledResponse, type RateLimiter, type Throttle } from '../security/rate-limit.js';
import type { BodyBudget } from './body-budget.js';
import { BodyTooLarge, graphqlBodyOf, type GraphQLBody } from './body.js';
import { isMultipart, lacksPreflight, MultipartRefusal, readMultipartBody } from './multipart.js';
import { isPlainJsonOperation, type QueryFastPath } from './fast-path.js';
import type { RequestHandler } from './http-server.js';
import { searchOf } from './request-url.js';
import type { ResponseBatch } from './response-batch.js';
import { requestSignal } from './request-signal.js';
import { sendJson } from './send.js';

/** What {@link createGraphQLHandler} answers with. */
export interface GraphQLHandlerOptions {
  /** Started; answers every request the fast path does not. */
  apollo: ApolloServer<GatewayContext>;
  authenticator: Authenticator;
  /** Each tenant's request rate. @default undefined: no limit */
  rateLimiter?: RateLimiter;
  /** What each request's context is made of. */
  deps: ContextDeps;
  metrics: GatewayMetrics;
  /** Complete responses are queued here, written once per event-loop turn. */
  responses: ResponseBatch;
  /** Answers repeats of known queries without Apollo. @default undefined: every request goes through Apollo */
  fastPath?: QueryFastPath;
  /** Largest accepted request body, in bytes; a longer one is answered 413. */
  maxBodyBytes: number;
  /** Longest accepted query document, in characters; a longer one is answered 400 before it is parsed. */
  maxDocumentChars: number;
  /** Large bodies held at once; others wait, unread. */
  bodyBudget: BodyBudget;
  /** Most files one multipart request may send; each is kept up to MAX_IMAGE_BYTES, the whole body up to {@link maxBodyBytes}. */
  maxUploads: number;
  /**
   * Apollo's answers to documents it refused for the document alone, kept
   * for repeats of the same text (only requests {@link isPlainJsonOperation}
   * accepts, whose answer's media type is fixed).
   * @default undefined: every refusal goes through Apollo
   */
  refusals?: RefusedDocuments<RefusedAnswer>;
}

/** Apollo's answer to a document it refused, as written, and the result its operation metrics counted. */
export interface RefusedAnswer {
  status: number;
  headers: readonly (readonly [string, string])[];
  body: string;
  /** The `result` label of facegate_graphql_operations_total: the first error's code. */
  result: string;
}

/** The kept refusals' variant for this handler's answers: Apollo's `application/json; charset=utf-8`. */
const JSON_VARIANT = 'http application/json';

const UNAUTHENTICATED = {
  errors: [{ message: 'expected a valid API key or bearer token, got none or an invalid one', extensions: { code: 'UNAUTHENTICATED' } }],
};

/** The handler of GraphQL requests (POST, and GET without a browser's Accept) on /graphql. */
export function createGraphQLHandler(options: GraphQLHandlerOptions): RequestHandler {
  const { apollo, authenticator, rateLimiter, deps, metrics, responses, fastPath } = options;
  const viaApollo = metrics.queryPlanRequests.labels('apollo');
  const refused = metrics.queryPlanRequests.labels('refused');
  const { refusals } = options;

  const refuseThrottled = (res: ServerResponse, tenant: string, throttle: Throttle, requestId: string): void => {
    const refusal = throttledResponse(tenant, throttle);
    metrics.graphqlRequests.inc({ operation: 'throttled', status: '429' });
    sendJson(res, refusal.status, refusal.body, { ...refusal.headers, 'x-request-id': requestId });
  };

  return async function handleGraphQL(req, res) {
    const requestId = requestIdOf(req);
    const found = authenticator.authenticate(credentialsOfHeaders(req.headers));
    // Awaited only when it is a promise (a JWT): an await costs every request a turn of the microtask queue.
    const caller = found instanceof Promise ? await found : found;
    if (!caller) {
      req.resume();
      return sendJson(res, 401, UNAUTHENTICATED, { 'www-authenticate': 'Bearer, ApiKey' });
    }
    const throttle = rateLimiter?.take(caller.tenant);
    if (throttle) {
      req.resume();
      return refuseThrottled(res, caller.tenant, throttle, requestId);
    }
    const multipart = req.method === 'POST' && isMultipart(req.headers);
    const csrf = multipart ? lacksPreflight(req.headers) : undefined;
    if (csrf) {
      req.resume();
      return sendJson(res, 400, { errors: [{ message: csrf, extensions: { code: 'BAD_REQUEST' } }] }, { 'x-request-id': requestId });
    }
    const admitted = options.bodyBudget.admit(req, options.maxBodyBytes);
    // Awaited only when the body had to wait: small bodies, nearly all, are admitted synchronously.
    const release = admitted instanceof Promise ? await admitted : admitted;
    try {
      await answer(req, res, caller, requestId, multipart);
    } finally {
      release();
    }
  };

  /** Reads, checks and runs the request of an authenticated caller whose body was admitted. */
  async function answer(req: IncomingMessage, res: ServerResponse, caller: Caller, requestId: string, multipart: boolean): Promise<void> {
    let read: GraphQLBody;
    try {
      read = multipart
        ? {
            body: await readMultipartBody(req, {
              maxFiles: options.maxUploads,
              maxFileBytes: MAX_IMAGE_BYTES,
              maxBodyBytes: options.maxBodyBytes,
            }),
            release: () => undefined,
          }
        : await graphqlBodyOf(req, options.maxBodyBytes);
    } catch (e) {
      return refuseBody(res, e);
    }
    try {
      await run(req, res, caller, requestId, read.body);
    } finally {
      read.release();
    }
  }

  /** Checks and runs the request whose body was read. */
  async function run(req: IncomingMessage, res: ServerResponse, caller: Caller, requestId: string, body: unknown): Promise<void> {
    const query = req.method === 'GET' ? new URLSearchParams(searchOf(req)).get('query') : (body as { query?: unknown } | undefined)?.query;
    const tooLarge = checkDocumentSize(query, options.maxDocumentChars);
    if (tooLarge) return sendJson(res, 400, tooLarge, { 'x-request-id': requestId });
    const signal = requestSignal(req, res);
    const plan = fastPath?.planFor(req, body);
    if (fastPath && plan) {
      // No Apollo plugin runs here: the rest of the operation's cost is paid from the plan.
      const unpaid = rateLimiter?.take(caller.tenant, plan.cost, 1);
      if (unpaid) return refuseThrottled(res, caller.tenant, unpaid, requestId);
      if (await fastPath.answer(plan, body, createContext(deps, caller, requestId, signal), requestId, res)) return;
      // Handed on to Apollo, whose plugin charges the operation again.
      rateLimiter?.give(caller.tenant, plan.cost - 1);
    }
    // Hashed only here, past the fast path: a query with a plan passed validation.
    const refusalKey = refusals && isPlainJsonOperation(req, body) ? refusals.keyOf(body.query, JSON_VARIANT) : undefined;
    const kept = refusalKey === undefined ? undefined : refusals?.get(refusalKey);
    if (kept) return answerRefused(res, requestId, kept);
    viaApollo.inc();
    const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method ?? 'GET', headers: headerMapOf(req), search: searchOf(req), body };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async () => createContext(deps, caller, requestId, signal),
    });
    const status = response.status ?? 200;
    // Labelled by the operation Apollo ran, never by the operationName a request claims (see observability/operation-names.ts).
    metrics.graphqlRequests.inc({ operation: requestOperationLabel(httpGraphQLRequest.headers), status: String(status) });
    if (refusalKey !== undefined && response.body.kind === 'complete' && refusedForDocument(httpGraphQLRequest.headers)) {
      keepRefusal(refusalKey, status, response.headers, response.body.string);
    }
    await sendApolloResponse(res, status, requestId, response, responses);
  }

  /** Keeps Apollo's refusal of a document for its repeats. */
  function keepRefusal(key: string, status: number, headers: HeaderMap, body: string): void {
    const answer: RefusedAnswer = { status, headers: [...headers], body, result: resultLabel(errorsOf(body), undefined) };
    let size = body.length * 2;
    for (const [name, value] of answer.headers) size += (name.length + value.length) * 2;
    refusals?.set(key, answer, size);
  }

  /** A repeat of a refused document: Apollo's answer again, counted as Apollo counted it, nothing parsed. */
  function answerRefused(res: ServerResponse, requestId: string, answer: RefusedAnswer): void {
    const started = performance.now();
    refused.inc();
    metrics.graphqlOperations.inc({ operation: INVALID_OPERATION, type: 'unknown', result: answer.result });
    metrics.graphqlOperationSeconds.labels(INVALID_OPERATION, 'unknown').observe((performance.now() - started) / 1000);
    metrics.graphqlRequests.inc({ operation: INVALID_OPERATION, status: String(answer.status) });
    const headers: Record<string, string> = { 'x-request-id': requestId };
    for (const [name, value] of answer.headers) headers[name] = value;
    responses.end(res, answer.status, headers, answer.body);
  }
}

/** The errors of an answer Apollo wrote, for its result label. */
function errorsOf(body: string): GraphQLFormattedError[] | undefined {
  try {
    const errors = (JSON.parse(body) as { errors?: unknown }).errors;
    return Array.isArray(errors) ? (errors as GraphQLFormattedError[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The client's `x-request-id` (up to 128 characters), or a new one. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return (typeof given === 'string' && given.slice(0, 128)) || randomUUID();
}

/** A body that could not be read: 413 when too large, 400 when it does not parse or breaks the multipart spec. */
function refuseBody(res: ServerResponse, error: unknown): void {
  if (error instanceof MultipartRefusal) {
    return sendJson(res, 400, { errors: [{ message: error.message, extensions: { code: 'BAD_REQUEST' } }] });
  }
  if (!(error instanceof BodyTooLarge)) {
    return sendJson(res, 400, {
      errors: [{ message: 'request body: expected JSON, got text that does not parse', extensions: { code: 'BAD_REQUEST' } }],
    });
  }
  // A refused body is not read; closing the connection keeps the client from sending the rest.
  sendJson(res, 413, { errors: [{ message: error.message, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }, { connection: 'close' });
}

/** The request's headers as Apollo takes them, repeated ones joined. */
function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** Apollo's answer: a complete one through the batch, a streamed one (incremental delivery) chunk by chunk. */
async function sendApolloResponse(
  res: ServerResponse,
  status: number,
  requestId: string,
  response: HTTPGraphQLResponse,
  responses: ResponseBatch,
): Promise<void> {
  const headers: Record<string, string> = { 'x-request-id': requestId };
  for (const [key, value] of response.headers) headers[key] = value;
  if (response.body.kind === 'complete') return responses.end(res, status, headers, response.body.string);
  res.writeHead(status, headers);
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
