/**
 * Cost of the gateway's resilience wrapper per provider call (timeout,
 * breaker bookkeeping, the per-call abort), against the bare provider, in one
 * run: `npm run build && node dist/bench/resilience.bench.js`.
 *
 * The provider is an in-memory stub so that only the wrapper is measured;
 * rounds alternate bare / wrapped / wrapped inside a request's signal, and
 * the best round of each is printed (other processes on the cores disturb
 * all alike).
 */
import { pino } from 'pino';
import type { CallOptions, FaceProvider } from '../src/datasources/provider.js';
import { resilienceOptions } from '../src/datasources/resilience/options.js';
import { withResilience } from '../src/datasources/resilience/resilient-provider.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 200_000);
const ROUNDS = 5;

const bare = {
  name: 'stub',
  kind: 'LOCAL',
  capabilities: new Set(),
  async getUsers(_collectionId: string, userIds: readonly string[]) {
    return userIds.map(() => null);
  },
} as unknown as FaceProvider;
const wrapped = withResilience(bare, resilienceOptions.parse(undefined), pino({ level: 'silent' }));
const request = new AbortController();

async function perCallMicros(provider: FaceProvider, call?: CallOptions): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await provider.getUsers('c', ['u'], call);
  return Number(process.hrtime.bigint() - start) / CALLS / 1000;
}

const best = { bare: Infinity, wrapped: Infinity, 'wrapped, in a request': Infinity };
await perCallMicros(bare);
await perCallMicros(wrapped);
for (let r = 0; r < ROUNDS; r++) {
  best.bare = Math.min(best.bare, await perCallMicros(bare));
  best.wrapped = Math.min(best.wrapped, await perCallMicros(wrapped));
  best['wrapped, in a request'] = Math.min(best['wrapped, in a request'], await perCallMicros(wrapped, request));
}
console.log(`resilience wrapper, ${CALLS} calls × ${ROUNDS} rounds, best round (µs per call):`);
for (const [name, us] of Object.entries(best)) console.log(`  ${name.padEnd(24)} ${us.toFixed(2)}`);
console.log(`  overhead                 ${(best['wrapped, in a request'] - best.bare).toFixed(2)}`);
