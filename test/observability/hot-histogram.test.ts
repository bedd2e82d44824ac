/**
 * HotHistogram (src/hot-histogram.ts) exposes what prom-client's Histogram
 * exposes for the same observations, line for line.
 */
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotHistogram } from '../../dist/src/observability/hot-histogram.js';

const options = { name: 'x_seconds', help: 'Time to do x, by op and kind.', labelNames: ['op', 'kind'], buckets: [0.01, 0.1, 1, 5] };

describe('HotHistogram', () => {
  it('writes the same exposition text as prom-client for the same observations', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const reference = new Histogram({ ...options, registers: [theirs] });
    const hot = new HotHistogram(ours, options);
    const observations: [string, string, number][] = [
      ['Page', 'query', 0.004],
      ['Page', 'query', 0.01], // on a bound: counted in that bucket
      ['Page', 'query', 0.5],
      ['Page', 'query', 7], // above every bound: only +Inf
      ['Make', 'mutation', 0.05],
      ['Page', 'query', 0.0001],
    ];
    for (const [op, kind, value] of observations) {
      reference.labels(op, kind).observe(value);
      hot.labels(op, kind).observe(value);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('x_seconds_bucket{le="0.01",op="Page",kind="query"} 3');
    expect(text).toContain('x_seconds_count{op="Page",kind="query"} 5');
  });

  it('keeps one child per label set and refuses the wrong number of label values', () => {
    const hot = new HotHistogram(new Registry(), options);
    expect(hot.labels('Page', 'query')).toBe(hot.labels('Page', 'query'));
    expect(hot.labels('Page', 'query')).not.toBe(hot.labels('Page', 'mutation'));
    expect(() => hot.labels('Page')).toThrow('x_seconds: expected 2 label values (op, kind), got 1');
  });
});
