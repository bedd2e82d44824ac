/**
 * HotCounter and HotHistogram (src/observability/hot-metrics.ts) expose what
 * prom-client's Counter and Histogram expose for the same counts, line for line.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotCounter, HotHistogram } from '../../dist/src/observability/hot-metrics.js';

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

describe('HotCounter', () => {
  const counterOptions = { name: 'x_total', help: 'Times x was done, by op and status.', labelNames: ['op', 'status'] };

  it('writes the same exposition text as prom-client for the same increments, through children and label objects', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const reference = new Counter({ ...counterOptions, registers: [theirs] });
    const hot = new HotCounter(ours, counterOptions);
    const page = hot.labels('Page', '200');
    for (let i = 0; i < 3; i++) {
      reference.labels('Page', '200').inc();
      page.inc();
    }
    reference.inc({ op: 'Make', status: '429' }, 2);
    hot.inc({ op: 'Make', status: '429' }, 2);
    // An increment of 0 makes the series appear before anything is counted.
    reference.inc({ op: 'Idle', status: '200' }, 0);
    hot.inc({ op: 'Idle', status: '200' }, 0);
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('x_total{op="Page",status="200"} 3');
    expect(text).toContain('x_total{op="Idle",status="200"} 0');
  });

  it('keeps one child per label set, shared by labels() and inc(labels)', () => {
    const hot = new HotCounter(new Registry(), counterOptions);
    const child = hot.labels('Page', '200');
    hot.inc({ op: 'Page', status: '200' });
    expect(child.value).toBe(1);
    expect(() => hot.labels('Page')).toThrow('x_total: expected 2 label values (op, status), got 1');
  });
});
