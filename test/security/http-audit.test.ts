/**
 * GraphQL-over-HTTP conformance (graphql-http's server audits) against the
 * shared gateway. Every MUST audit is a test. SHOULD and MAY audits are not
 * requirements: the known misses are listed below and a test fails only on a
 * miss that is not listed (a fixed one just drops out).
 *
 * Known misses (graphql-http 1.23.1, @apollo/server 5, csrfPrevention on):
 * - SHOULD 572B use 200 on document parsing failure when accepting application/json
 * - SHOULD FDE2 use 200 on document validation failure when accepting application/json
 * - SHOULD 7B9B use 200 on variable coercion failure when accepting application/json
 *     Apollo answers 400 whatever the Accept (the audits' legacy-application/json
 *     recommendation); 400 is what the graphql-response+json audits want.
 * - MAY 5A70 accept application/x-www-form-urlencoded formatted GET requests
 * - MAY D6D5 / 6A70 allow URL-encoded JSON {variables} in GETs
 *     CSRF prevention refuses GETs without an `apollo-require-preflight` (or
 *     `x-apollo-operation-name`) header; the audits send none. Deliberate.
 */
import { serverAudits, type AuditResult } from 'graphql-http';
import { describe, expect, inject, it } from 'vitest';

const url = inject('gatewayUrl');

const KNOWN_MISSES = new Set(['572B', 'FDE2', '7B9B', '5A70', 'D6D5', '6A70']);

const audits = serverAudits({ url, fetchFn: fetch });

function describeFailure(result: AuditResult): string {
  return result.status === 'ok' ? 'ok' : `${result.status}: ${result.reason}`;
}

describe('GraphQL over HTTP (graphql-http audits)', () => {
  const must = audits.filter((a) => a.name.startsWith('MUST'));

  it('has MUST audits to run', () => {
    expect(must.length).toBeGreaterThanOrEqual(10);
  });

  for (const audit of must) {
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      expect(result.status, describeFailure(result)).toBe('ok');
    });
  }

  it('misses no SHOULD or MAY audit beyond the known ones (listed at the top of this file)', async () => {
    const misses: string[] = [];
    for (const audit of audits.filter((a) => !a.name.startsWith('MUST'))) {
      const result = await audit.fn();
      if (result.status !== 'ok') misses.push(`${audit.id} ${audit.name} -- ${describeFailure(result)}`);
    }
    if (misses.length) console.info(`SHOULD/MAY audits missed:\n${misses.join('\n')}`);
    expect(misses.filter((m) => !KNOWN_MISSES.has(m.slice(0, 4)))).toEqual([]);
  });
});
