/**
 * The `operation` label of the GraphQL metrics. Operation names are chosen
 * by clients, and each new one adds series to /metrics (a counter per
 * result and status, a histogram's buckets), so what becomes a label is
 * bounded twice:
 *
 * - only operations that parsed, validated and passed authentication are
 *   named; anything refused before that is counted under a fixed label
 *   (`invalid`, `refused`, `throttled`) whatever name it claimed;
 * - the first {@link MAX_OPERATION_NAMES} distinct names seen by this
 *   process keep their own label; later ones count as `other`. The clients
 *   of a deployment use a fixed set of names, far fewer than that, so the
 *   cap costs them nothing while a client sending a new name per request
 *   adds at most that many.
 */

/** Distinct operation names with their own label, per process. */
export const MAX_OPERATION_NAMES = 200;

/** The label of an operation without a name. */
export const ANONYMOUS_OPERATION = 'anonymous';
/** The label of the names past the cap, or not shaped like GraphQL names. */
export const OTHER_OPERATION = 'other';
/** The label of an HTTP request Apollo answered without running an operation (a document that did not parse or validate). */
export const INVALID_OPERATION = 'invalid';
/** The label of a WebSocket operation refused before it ran (authentication, rate limit, size, validation). */
export const REFUSED_OPERATION = 'refused';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The names that have a label of their own, first come first served up to the cap. */
export class OperationNames {
  private readonly names = new Set<string>();

  constructor(private readonly max: number = MAX_OPERATION_NAMES) {}

  /** The label of a run operation named `name` (undefined or null: an anonymous one). */
  label(name: string | null | undefined): string {
    if (name === undefined || name === null) return ANONYMOUS_OPERATION;
    if (this.names.has(name)) return name;
    if (!NAME.test(name) || this.names.size >= this.max) return OTHER_OPERATION;
    this.names.add(name);
    return name;
  }
}
