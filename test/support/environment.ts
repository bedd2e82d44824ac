/**
 * The one rule for tests that depend on the machine (PostgreSQL, Redis,
 * openssl, permission to mount a tmpfs): outside CI a missing dependency skips
 * them with a warning that names it; under CI=true (set by `.ci/run`) it fails
 * the file, because there a skip would be a broken pipeline passing silently.
 *
 * Every `skipIf` on the environment goes through {@link environmentAllows}
 * (`grep -rn "skipIf" test` lists the others: capabilities of a provider,
 * which are the point of those tests, not the machine's).
 */

/** True when CI=true: every environment dependency is mandatory. */
export const IN_CI = process.env.CI === 'true';

/**
 * `missing` is null when `what` is available, else why not. Returns whether the
 * tests may run; throws under CI=true when they may not.
 */
export function environmentAllows(what: string, missing: string | null): boolean {
  if (missing === null) return true;
  if (IN_CI) throw new Error(`${what}: not available here (${missing}), and CI=true makes these tests mandatory`);
  console.warn(`SKIPPING ${what}: not available here (${missing}); under CI=true this fails instead`);
  return false;
}
