/**
 * An abort whose AbortSignal is only made when someone asks for it: making
 * one costs more than the rest of a provider call that never reads it (a
 * store lookup of the local provider). It is a {@link CallOptions}, so it is
 * passed to provider calls as it is.
 */
import type { CallOptions } from './provider.js';

export class LazyAbort implements CallOptions {
  private controller: AbortController | undefined;
  private reason: unknown;
  private done = false;
  /** As a provider call's options: the tenant of the call it stands for (see {@link CallOptions.tenant}). */
  tenant: string | undefined;

  /**
   * `watch`, when given, runs when the signal is first made: it starts
   * watching whatever aborts this (e.g. a connection's close), which nobody
   * needs to watch while nobody holds the signal.
   */
  constructor(private readonly watch?: (abort: LazyAbort) => void) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.done) this.controller.abort(this.reason);
      else this.watch?.(this);
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
