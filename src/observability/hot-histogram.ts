/**
 * A Prometheus histogram for code that observes on every request.
 *
 * prom-client's Histogram hashes the label set on every observation, bound
 * children included: ~1 µs, the largest metric cost of a fast-path request.
 * Here a label set is resolved once, to a child that counts into its own
 * buckets, and the exposition (cumulative `_bucket` lines, `_sum`,
 * `_count`) is built when /metrics is read. It registers in a prom-client
 * Registry like any metric, with the same text.
 */
import type { Metric, Registry } from 'prom-client';

/** One exposition line's value, as prom-client's registry reads it. */
interface ExpositionValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** One label set of a {@link HotHistogram}. */
export class HotHistogramChild {
  /** Observations at or below each bucket's bound and above the one before; the last slot is above every bound. */
  readonly counts: Float64Array;
  sum = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
  }
}

/**
 * ```ts
 * const seconds = new HotHistogram(registry, { name: 'x_seconds', help: '…', labelNames: ['op'], buckets: [0.01, 0.1, 1] });
 * const child = seconds.labels('Page'); // once
 * child.observe(0.004);                 // per request
 * ```
 */
export class HotHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly labelNames: readonly string[];
  private readonly bounds: readonly number[];
  private readonly children = new Map<string, HotHistogramChild>();

  constructor(registry: Registry, options: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[] }) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.bounds = [...options.buckets].sort((a, b) => a - b);
    // prom-client reads a metric through name, help, type and get(); this class has them.
    registry.registerMetric(this as unknown as Metric);
  }

  /** The child for these label values, in `labelNames` order; keep it where it is used on every request. */
  labels(...values: string[]): HotHistogramChild {
    if (values.length !== this.labelNames.length) {
      throw new Error(`${this.name}: expected ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`);
    }
    const key = values.join('\u0000');
    let child = this.children.get(key);
    if (!child) {
      child = new HotHistogramChild(Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]])), this.bounds);
      this.children.set(key, child);
    }
    return child;
  }

  /** The exposition values, as prom-client's Histogram gives them. */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: ExpositionValue[] }> {
    const values: ExpositionValue[] = [];
    for (const child of this.children.values()) {
      let cumulative = 0;
      for (const [i, bound] of this.bounds.entries()) {
        cumulative += child.counts[i];
        values.push({ metricName: `${this.name}_bucket`, labels: { le: bound, ...child.labels }, value: cumulative });
      }
      const count = cumulative + child.counts[this.bounds.length];
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...child.labels }, value: count });
      values.push({ metricName: `${this.name}_sum`, labels: child.labels, value: child.sum });
      values.push({ metricName: `${this.name}_count`, labels: child.labels, value: count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
