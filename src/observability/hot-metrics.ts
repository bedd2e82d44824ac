/**
 * Prometheus counters and histograms for code that counts on every request.
 *
 * prom-client hashes the label set on every `inc` and `observe`, bound
 * children included. Here a label set is resolved once, to a child that
 * counts into plain numbers, and the exposition is built when /metrics is
 * read. Each metric registers in a prom-client Registry like any other and
 * writes the same text (test/observability/hot-metrics.test.ts compares them
 * line for line). Code off the hot path may still call `inc(labels)`, which
 * resolves the child each time.
 */
import type { Metric, Registry } from 'prom-client';

/** One exposition line's value, as prom-client's registry reads it. */
interface ExpositionValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

interface HotMetricOptions {
  name: string;
  help: string;
  /** Label names, in the order `labels(...)` takes their values. */
  labelNames: readonly string[];
}

/** Registration and label children shared by {@link HotCounter} and {@link HotHistogram}. */
abstract class HotMetric<Child> {
  readonly name: string;
  readonly help: string;
  abstract readonly type: 'counter' | 'histogram';
  readonly aggregator = 'sum';
  protected readonly labelNames: readonly string[];
  protected readonly children = new Map<string, Child>();

  constructor(registry: Registry, options: HotMetricOptions) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    // prom-client reads a metric through name, help, type and get(); this class has them.
    registry.registerMetric(this as unknown as Metric);
  }

  /** The child for these label values, in `labelNames` order; keep it where it is used on every request. */
  labels(...values: string[]): Child {
    if (values.length !== this.labelNames.length) {
      throw new Error(
        `${this.name}: expected ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`,
      );
    }
    const key = values.join('\u0000');
    let child = this.children.get(key);
    if (!child) {
      child = this.newChild(Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]])));
      this.children.set(key, child);
    }
    return child;
  }

  /** The child for a label object (names as in `labelNames`); off the hot path. */
  protected childOf(labels: Readonly<Record<string, string>>): Child {
    return this.labels(...this.labelNames.map((name) => labels[name] ?? ''));
  }

  protected abstract newChild(labels: Readonly<Record<string, string>>): Child;

  /** The exposition values, as prom-client's metric of the same type gives them. */
  async get(): Promise<{ name: string; help: string; type: 'counter' | 'histogram'; aggregator: 'sum'; values: ExpositionValue[] }> {
    const values: ExpositionValue[] = [];
    for (const child of this.children.values()) this.expose(child, values);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  protected abstract expose(child: Child, into: ExpositionValue[]): void;
}

/** One label set of a {@link HotCounter}. */
export class HotCounterChild {
  value = 0;

  constructor(readonly labels: Readonly<Record<string, string>>) {}

  /** Adds `by` (default 1). */
  inc(by = 1): void {
    this.value += by;
  }
}

/**
 * ```ts
 * const requests = new HotCounter(registry, { name: 'x_total', help: '…', labelNames: ['status'] });
 * const ok = requests.labels('200'); // once
 * ok.inc();                          // per request
 * requests.inc({ status: '429' });   // off the hot path
 * ```
 */
export class HotCounter extends HotMetric<HotCounterChild> {
  readonly type = 'counter';

  /** Adds `by` (default 1) to the label set `labels`; `by` 0 makes the series appear at 0. */
  inc(labels: Readonly<Record<string, string>>, by = 1): void {
    this.childOf(labels).inc(by);
  }

  protected newChild(labels: Readonly<Record<string, string>>): HotCounterChild {
    return new HotCounterChild(labels);
  }

  protected expose(child: HotCounterChild, into: ExpositionValue[]): void {
    into.push({ labels: child.labels, value: child.value });
  }
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
export class HotHistogram extends HotMetric<HotHistogramChild> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];

  constructor(registry: Registry, options: HotMetricOptions & { buckets: readonly number[] }) {
    super(registry, options);
    this.bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected newChild(labels: Readonly<Record<string, string>>): HotHistogramChild {
    return new HotHistogramChild(labels, this.bounds);
  }

  /** Cumulative `_bucket` lines, then `_sum` and `_count`, as prom-client's Histogram. */
  protected expose(child: HotHistogramChild, into: ExpositionValue[]): void {
    let cumulative = 0;
    for (const [i, bound] of this.bounds.entries()) {
      cumulative += child.counts[i];
      into.push({ metricName: `${this.name}_bucket`, labels: { le: bound, ...child.labels }, value: cumulative });
    }
    const count = cumulative + child.counts[this.bounds.length];
    into.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...child.labels }, value: count });
    into.push({ metricName: `${this.name}_sum`, labels: child.labels, value: child.sum });
    into.push({ metricName: `${this.name}_count`, labels: child.labels, value: count });
  }
}
