/**
 * The one way tests wait for asynchronous work: poll a condition until it
 * holds, with a deadline. A test never sleeps a fixed time hoping the code
 * under test is done by then (too short under load, too long otherwise);
 * fakes may still inject latency on purpose.
 *
 * A "nothing happened" check first waits for a positive signal that the work
 * was processed (a log line, a counter, a later event), then asserts absence.
 */

/** How often a condition is polled: often enough to add little to a test, rarely enough to cost nothing. */
const POLL_MS = 20;

/** The real timer and clock, taken at load: a test that fakes timers (vi.useFakeTimers) can still wait. */
const realSetTimeout = globalThis.setTimeout;
const realNow = Date.now;

/**
 * Polls `probe` until it answers a truthy value and returns that value; throws
 * `expected <what> within <ms> ms` (with the last thrown error, if any) at the
 * deadline. A probe that throws counts as "not yet", so it can read things that
 * are not there yet. The deadline is generous (10 s) because the machine may be
 * loaded: it bounds a failure, it does not measure speed.
 */
export async function until<T>(probe: () => T | Promise<T>, what: string, ms = 10_000): Promise<NonNullable<T>> {
  const deadline = realNow() + ms;
  for (;;) {
    let lastError: unknown;
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (e) {
      lastError = e;
    }
    if (realNow() > deadline) {
      const cause = lastError instanceof Error ? `: last error ${lastError.message}` : '';
      throw new Error(`expected ${what} within ${ms} ms${cause}`);
    }
    await new Promise((r) => realSetTimeout(r, POLL_MS));
  }
}
