/**
 * A circuit breaker per provider instance. Closed: calls pass, and
 * `failureThreshold` failures in a row open it. Open: calls fail at once,
 * without reaching the provider, for `openMs`. Then half-open: one call (the
 * probe) passes while the others still fail fast; its success closes the
 * circuit, its failure opens it for another `openMs`.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. @default 5 */
  failureThreshold: number;
  /** How long an open circuit fails fast before it lets a probe through. @default 10000 */
  openMs: number;
}

/** What {@link CircuitBreaker.admit} answers: go ahead (a probe or not), or fail fast for `retryAfterMs`. */
export type Admission = { admitted: true; probe: boolean } | { admitted: false; retryAfterMs: number };

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;
  private current: CircuitState = 'closed';

  constructor(
    private readonly options: BreakerOptions,
    private readonly onChange: (state: CircuitState, failures: number) => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get state(): CircuitState {
    return this.current;
  }

  /** Consecutive failures counted so far. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  admit(): Admission {
    if (this.current === 'closed') return { admitted: true, probe: false };
    const now = this.now();
    if (this.current === 'open' && now >= this.openUntil) this.set('half-open');
    if (this.current === 'half-open' && !this.probing) {
      this.probing = true;
      return { admitted: true, probe: true };
    }
    return { admitted: false, retryAfterMs: Math.max(1, Math.ceil(this.openUntil - now)) };
  }

  /** The admitted call answered (an expected domain error counts as an answer). */
  succeeded(probe: boolean): void {
    if (probe) this.probing = false;
    this.failures = 0;
    if (this.current !== 'closed') this.set('closed');
  }

  /** The admitted call found the provider unavailable. */
  failed(probe: boolean): void {
    if (probe) this.probing = false;
    this.failures++;
    if (probe || (this.current === 'closed' && this.failures >= this.options.failureThreshold)) {
      this.openUntil = this.now() + this.options.openMs;
      this.set('open');
    }
  }

  /** The admitted call ended without telling anything (the caller went away). */
  released(probe: boolean): void {
    if (probe) this.probing = false;
  }

  private set(state: CircuitState): void {
    this.current = state;
    this.onChange(state, this.failures);
  }
}
