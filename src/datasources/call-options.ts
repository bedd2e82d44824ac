/**
 * What a provider call is made on behalf of: the trailing argument of every
 * contract method that calls out. Explicit rather than carried by
 * AsyncLocalStorage, whose first `run` on Node 20 switches on promise hooks
 * for the whole process: a hook on every promise of every request.
 *
 * Structural: a request's context and a lazy abort (whose `signal` is a
 * getter) are passed as they are, so no AbortSignal is made unless an
 * adapter reads it. Background work (training rounds, snapshot jobs) passes
 * none: no single request may cancel it.
 */
export interface CallOptions {
  /** Aborted when the call is no longer wanted: the client went away, or the gateway's timeout for the call ran out. */
  readonly signal?: AbortSignal;
  /**
   * The tenant the call is made for (a request's context carries it); none
   * for background work. Adapters keep what they remember of one tenant's
   * calls from the others with it (the local engine's detection cache).
   */
  readonly tenant?: string;
}
