/**
 * Per-instance resilience settings: the `resilience` object of a provider
 * entry in configuration, e.g.
 * `{ "name": "aws", "kind": "rekognition", "resilience": { "timeoutMs": 10000, "breaker": { "failureThreshold": 3 } } }`.
 */
import { z } from 'zod';

export const resilienceOptions = z
  .object({
    /**
     * Longest one provider call may take, the adapter's own retries
     * included; then it is aborted and answers PROVIDER_UNAVAILABLE.
     * Snapshot copies (long-running jobs) are not bounded by it.
     * @default 60000
     */
    timeoutMs: z.number().int().min(1).max(3_600_000).default(60_000),
    retry: z
      .object({
        /**
         * Attempts of a read-only call (lists, lookups, search) that answered
         * PROVIDER_UNAVAILABLE or THROTTLED, the first included. 1 = no
         * gateway retry: the Rekognition SDK and the Azure transport already
         * retry each HTTP request (maxAttempts), and stacking both multiplies
         * the attempts. Raise it for an adapter configured with maxAttempts 1.
         * Writes are never retried here (the adapters know which are safe).
         * @default 1
         */
        attempts: z.number().int().min(1).max(10).default(1),
        /** First backoff; doubled each attempt, with full jitter. @default 100 */
        baseDelayMs: z.number().int().min(1).max(60_000).default(100),
        /** Cap of one backoff. @default 2000 */
        maxDelayMs: z.number().int().min(1).max(600_000).default(2000),
      })
      .strict()
      .default({}),
    breaker: z
      .object({
        /** Consecutive PROVIDER_UNAVAILABLE answers (timeouts included) that open the circuit. @default 5 */
        failureThreshold: z.number().int().min(1).max(1000).default(5),
        /** How long an open circuit answers PROVIDER_UNAVAILABLE at once, before one probe call may pass. @default 10000 */
        openMs: z.number().int().min(1).max(3_600_000).default(10_000),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

export type ResilienceOptions = z.infer<typeof resilienceOptions>;
