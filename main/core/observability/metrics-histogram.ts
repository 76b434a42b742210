/**
 * Pre-aggregated histograms: the hot path adds one observation to a preallocated cell (a bucket
 * count, the sum and the count; no labels hashed, nothing allocated), and the cells are turned
 * into Prometheus samples only at scrape time.
 *
 * prom-client's own Histogram hashes its label object on every observe(), so we keep the cells
 * ourselves and register a small metric object with the registry. A Registry needs only `name`,
 * `help`, `type`, `aggregator`, `get()` and `reset()` from a metric; prom-client's typings only
 * accept its own classes there, hence the one cast in `register`.
 */
import type { Metric, Registry } from 'prom-client';

/**
 * The reference client's end-to-end latency boundaries (OTel's defaults: 0, 5, 10, 25, 50, 75,
 * 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000 ms), in seconds.
 */
export const REFERENCE_LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** Phase boundaries in seconds: fine at the low end (a round trip is ~2 ms), up to the 600 s TTL. */
export const PHASE_BUCKETS_SECONDS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
];

/** One label set's counts. `counts[i]` counts observations in (bounds[i-1], bounds[i]]; the last slot is +Inf. */
export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

export interface CellRow {
  labels: Record<string, string>;
  cell: HistogramCell;
}

export interface CellHistogramOptions {
  name: string;
  help: string;
  buckets: readonly number[];
  /** Called at scrape time: every label set with its cell. */
  rows: () => Iterable<CellRow>;
}

interface Sample {
  metricName: string;
  labels: Record<string, string>;
  value: number;
}

/** A histogram metric whose samples come from HistogramCells at scrape time. */
export class CellHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly #buckets: readonly number[];
  readonly #leLabels: readonly string[];
  readonly #rows: () => Iterable<CellRow>;

  constructor(options: CellHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.#buckets = options.buckets;
    this.#leLabels = [...options.buckets.map((b) => String(b)), '+Inf'];
    this.#rows = options.rows;
  }

  register(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: Sample[] }> {
    const values: Sample[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const { labels, cell } of this.#rows()) {
      let cumulative = 0;
      for (let i = 0; i <= this.#buckets.length; i++) {
        cumulative += cell.counts[i] as number;
        values.push({
          metricName: bucketName,
          labels: { ...labels, le: this.#leLabels[i] as string },
          value: cumulative,
        });
      }
      values.push({ metricName: `${this.name}_sum`, labels, value: cell.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: cell.count });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  /** Registry.resetMetrics() support: the cells belong to the owner, who resets them. */
  reset(): void {
    // The owner (EngineMetrics) holds the cells; nothing is cached here.
  }
}
