/**
 * The cancellation signal of the provider call under way, carried by
 * AsyncLocalStorage rather than by an argument of each of the contract's
 * methods: one request's resolvers, DataLoader batches and adapter calls all
 * run inside it without any signature knowing.
 *
 * The gateway runs each GraphQL request (HTTP) or operation (WebSocket)
 * inside {@link runWithSignal} with a signal aborted when the client goes
 * away; the resilience wrapper narrows it per call with its timeout.
 * Adapters read {@link callSignal} and hand it to their SDK calls (AWS SDK
 * `abortSignal`, Azure REST client `abortSignal`, the engine's queue).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Something that has a signal: a request's, or a {@link LazyAbort}. */
interface SignalSource {
  readonly signal: AbortSignal;
}

const storage = new AsyncLocalStorage<SignalSource>();

/**
 * An abort whose AbortSignal is only made when someone asks for it: making
 * one costs more than the rest of a provider call that never reads it (a
 * store lookup of the local provider).
 */
export class LazyAbort implements SignalSource {
  private controller: AbortController | undefined;
  private reason: unknown;
  private done = false;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.done) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/** Runs `work` with `signal` (a signal, or a {@link LazyAbort}) as the call signal of everything it starts. */
export function runWithSignal<T>(signal: AbortSignal | LazyAbort, work: () => T): T {
  return storage.run(signal instanceof LazyAbort ? signal : { signal }, work);
}

/** The signal of the current request or provider call; undefined outside one (start-up, background jobs). */
export function callSignal(): AbortSignal | undefined {
  return storage.getStore()?.signal;
}

/** Runs `work` outside any call: shared background work that no single request may cancel. */
export function detached<T>(work: () => T): T {
  return storage.exit(work);
}
