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

const storage = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` with `signal` as the call signal of everything it starts. */
export function runWithSignal<T>(signal: AbortSignal, work: () => T): T {
  return storage.run(signal, work);
}

/** The signal of the current request or provider call; undefined outside one (start-up, background jobs). */
export function callSignal(): AbortSignal | undefined {
  return storage.getStore();
}

/** Runs `work` outside any call: shared background work that no single request may cancel. */
export function detached<T>(work: () => T): T {
  return storage.exit(work);
}
