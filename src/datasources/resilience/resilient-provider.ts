/**
 * Gateway-level resilience around every provider instance (the registry
 * applies it): a timeout per call, retries of read-only calls with jittered
 * backoff, and a circuit breaker. The adapters keep their own per-request
 * retries (AWS SDK `maxAttempts`, the Azure transport's policy), which know
 * the protocol; this layer bounds the whole call and stops calling a provider
 * that keeps failing.
 *
 * - Timeout: each call gets its own CallOptions, whose signal is aborted
 *   after `timeoutMs` or with the caller's (adapters abort their HTTP
 *   request), and the call answers PROVIDER_UNAVAILABLE (providerCode
 *   TIMEOUT) at once.
 * - Cancellation: when the caller's signal aborts (the client went away),
 *   the call is abandoned (PROVIDER_UNAVAILABLE, providerCode CANCELLED,
 *   which nobody reads) and does not count against the provider.
 * - Retries: only read-only methods, only on PROVIDER_UNAVAILABLE or
 *   THROTTLED, `retry.attempts` in all (1 by default: see options.ts).
 * - Breaker: PROVIDER_UNAVAILABLE answers (timeouts included) count as
 *   failures; any other answer, expected domain errors included, is the
 *   provider working. A failure of the gateway's own store (STORE_FULL…)
 *   counts as neither, is logged, and leaves with the instance's name. An open circuit answers PROVIDER_UNAVAILABLE
 *   (providerCode CIRCUIT_OPEN, with retryAfterMs) without calling it.
 */
import type { Logger } from 'pino';
import { DomainError, isDomainError, providerTextOf, type ErrorCode } from '../../domain/errors.js';
import { STORAGE_CODES } from '../../store/storage-errors.js';
import { LazyAbort } from '../lazy-abort.js';
import type { CallOptions, FaceProvider } from '../provider.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import type { ResilienceOptions } from './options.js';

/** Methods that change nothing: safe to retry. */
const READ_ONLY: ReadonlySet<string> = new Set([
  'listCollections',
  'getCollections',
  'listUsers',
  'getUsers',
  'listFaces',
  'getFaces',
  'countUserFaces',
  'listUserFaces',
  'searchUsersByImage',
  'detectFaces',
  'compareFaces',
  'verifyUser',
  'searchFaces',
  'searchFacesByImage',
  'searchUsers',
  'identifyFaces',
] satisfies (keyof FaceProvider)[]);

/** The position of a method's trailing CallOptions argument; `never` (so no number fits) for a method that takes none last. */
type CallArgument<F> = F extends (...args: infer P) => unknown
  ? Required<P> extends [...infer Before, CallOptions]
    ? Before['length']
    : never
  : never;

/**
 * Every contract method under the timeout and the breaker (snapshot copies
 * are jobs with their own lifecycle), with the position of its call
 * argument: where the caller's signal comes from and where the call's own
 * goes. Checked against FaceProvider, so a changed signature fails to compile.
 */
const CALL_ARGUMENT = {
  listCollections: 1,
  getCollections: 1,
  createCollection: 1,
  deleteCollection: 1,
  listUsers: 2,
  getUsers: 2,
  createUser: 1,
  deleteUser: 1,
  listFaces: 3,
  getFaces: 2,
  countUserFaces: 2,
  listUserFaces: 2,
  indexFaces: 1,
  deleteFaces: 2,
  associateFaces: 1,
  disassociateFaces: 1,
  searchUsersByImage: 1,
  detectFaces: 1,
  compareFaces: 1,
  verifyUser: 1,
  searchFaces: 1,
  searchFacesByImage: 1,
  searchUsers: 1,
  identifyFaces: 1,
} as const satisfies {
  [M in Exclude<keyof FaceProvider, 'name' | 'kind' | 'capabilities' | 'close' | 'readVersion'>]: CallArgument<FaceProvider[M]>;
};

const callArgumentOf = (prop: string | symbol): number | undefined =>
  typeof prop === 'string' && Object.hasOwn(CALL_ARGUMENT, prop) ? CALL_ARGUMENT[prop as keyof typeof CALL_ARGUMENT] : undefined;

/** Tells state changes of an instance's circuit (for logs and metrics). */
export type CircuitListener = (provider: string, state: CircuitState) => void;

class Abandoned extends Error {}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(new Abandoned());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Provider failures an operator acts on (credentials, quotas, outages): their provider text is logged at warn, the rest at debug. */
const OPERATOR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['PROVIDER_UNAVAILABLE', 'FORBIDDEN', 'QUOTA_EXCEEDED']);

const retryable = (e: unknown): boolean =>
  isDomainError(e) &&
  (e.code === 'THROTTLED' || e.code === 'PROVIDER_UNAVAILABLE') &&
  e.details.providerCode !== 'CIRCUIT_OPEN' &&
  e.details.providerCode !== 'CANCELLED';

/** `provider` with timeouts, retries and a circuit breaker, per `options`. */
export function withResilience(
  provider: FaceProvider,
  options: ResilienceOptions,
  logger: Logger,
  onCircuit?: CircuitListener,
): FaceProvider {
  const name = provider.name;
  const breaker = new CircuitBreaker(options.breaker, (state, failures) => {
    const log = state === 'closed' ? logger.info.bind(logger) : logger.warn.bind(logger);
    log({ provider: name, state, failures }, `provider circuit ${state}`);
    onCircuit?.(name, state);
  });

  const unavailable = (method: string, providerCode: string, message: string, extra: { retryAfterMs?: number } = {}) =>
    new DomainError('PROVIDER_UNAVAILABLE', message, { provider: name, operation: method, providerCode, ...extra });

  /**
   * The provider's own text behind a DomainError (AWS's message with its
   * account ids and ARNs, a socket error's addresses) goes here and nowhere
   * else: responses carry the error's code, providerCode and our message.
   */
  function logProviderText(e: DomainError, method: string): void {
    const providerMessage = providerTextOf(e);
    if (providerMessage === undefined) return;
    const fields = { provider: name, method, code: e.code, providerCode: e.details.providerCode, providerMessage };
    if (OPERATOR_CODES.has(e.code)) logger.warn(fields, `provider error: ${e.message}`);
    else logger.debug(fields, `provider error: ${e.message}`);
  }

  async function once<T>(
    method: string,
    outer: AbortSignal | undefined,
    tenant: string | undefined,
    run: (call: CallOptions) => Promise<T>,
  ): Promise<T> {
    if (outer?.aborted) throw unavailable(method, 'CANCELLED', `Provider "${name}" ${method}: cancelled, the client went away`);
    const admission = breaker.admit();
    if (!admission.admitted) {
      throw unavailable(
        method,
        'CIRCUIT_OPEN',
        `Provider "${name}" is unavailable: expected a provider that answers, got ${breaker.consecutiveFailures} failed calls in a row; calls fail at once for the next ${admission.retryAfterMs} ms (circuit open)`,
        { retryAfterMs: admission.retryAfterMs },
      );
    }
    const { probe } = admission;
    // One lazy controller for both causes, and a race instead of listeners on it:
    // making AbortSignals (AbortSignal.any included) costs more than the rest of a call.
    const controller = new LazyAbort();
    controller.tenant = tenant;
    let timedOut = false;
    let abandon: () => void = () => undefined;
    const abandoned = new Promise<never>((_, reject) => (abandon = () => reject(new Abandoned())));
    abandoned.catch(() => undefined);
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no answer within ${options.timeoutMs} ms`));
      abandon();
    }, options.timeoutMs);
    const onOuterAbort = () => {
      controller.abort(outer?.reason);
      abandon();
    };
    outer?.addEventListener('abort', onOuterAbort);
    try {
      // The work may go on after an abort (an adapter that ignores the signal); its outcome is dropped.
      const result = await Promise.race([run(controller), abandoned]);
      breaker.succeeded(probe);
      return result;
    } catch (e) {
      if (timedOut && !outer?.aborted) {
        breaker.failed(probe);
        throw unavailable(
          method,
          'TIMEOUT',
          `Provider "${name}" ${method}: expected an answer within ${options.timeoutMs} ms, got none; the call was aborted${READ_ONLY.has(method) ? '' : ' (whether it took effect is unknown)'}`,
        );
      }
      if (outer?.aborted) {
        breaker.released(probe);
        throw unavailable(method, 'CANCELLED', `Provider "${name}" ${method}: cancelled, the client went away`);
      }
      if (isDomainError(e) && STORAGE_CODES.has(e.details.providerCode ?? '')) {
        // The gateway's own store failed (disk full, read-only): reads still work, so the circuit stays as it is.
        breaker.released(probe);
        logger.error({ provider: name, method, providerCode: e.details.providerCode }, e.message);
        throw new DomainError(e.code, e.message, { ...e.details, provider: name, operation: method });
      }
      if (isDomainError(e)) logProviderText(e, method);
      if (isDomainError(e) && e.code === 'PROVIDER_UNAVAILABLE') breaker.failed(probe);
      else if (isDomainError(e)) breaker.succeeded(probe);
      else breaker.released(probe);
      throw e;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  async function call<T>(
    method: string,
    outer: AbortSignal | undefined,
    tenant: string | undefined,
    run: (call: CallOptions) => Promise<T>,
  ): Promise<T> {
    const attempts = READ_ONLY.has(method) ? options.retry.attempts : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(method, outer, tenant, run);
      } catch (e) {
        if (attempt >= attempts || !retryable(e)) throw e;
        const cap = Math.min(options.retry.maxDelayMs, options.retry.baseDelayMs * 2 ** (attempt - 1));
        const hinted = (e as DomainError).details.retryAfterMs;
        const wait = hinted !== undefined ? Math.min(hinted, options.retry.maxDelayMs) : Math.round(Math.random() * cap);
        try {
          await sleep(wait, outer);
        } catch {
          throw unavailable(method, 'CANCELLED', `Provider "${name}" ${method}: cancelled, the client went away`);
        }
      }
    }
  }

  return new Proxy(provider, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      const at = callArgumentOf(prop);
      if (at === undefined || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const outer = args[at] as CallOptions | undefined;
        return call(prop as string, outer?.signal, outer?.tenant, (own) => {
          // The adapter gets this call's own options in place of the caller's (the caller's tenant kept).
          const inner = args.slice();
          inner[at] = own;
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, inner);
        });
      };
    },
  });
}
