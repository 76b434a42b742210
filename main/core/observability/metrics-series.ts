/**
 * The admin UI's time series: commands are counted into the open bucket as they finish, and
 * every interval the bucket is closed into a MetricsPoint (requests, errors, p50/p95/p99 of the
 * end-to-end latency, inflight and running at close). Latencies go into a preallocated sample
 * array; past its capacity, reservoir sampling keeps a uniform sample, so memory and the cost
 * of closing a bucket stay bounded whatever the load.
 */
import type { MetricsPoint } from '../../../preload/contract/dto.js';
import type { CommandRecord } from '../engine/dispatcher/types.js';

export interface MetricsSeriesOptions {
  /** Points kept (oldest dropped first). */
  keepPoints: number;
  /** Latency samples kept per bucket. */
  maxSamples: number;
  /** [0, 1), for reservoir sampling. */
  random: () => number;
}

/** Nearest-rank percentile of an ascending array (`p` in 0..100); undefined when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1];
}

export class MetricsSeries {
  readonly #options: MetricsSeriesOptions;
  readonly #samples: Float64Array;
  readonly #points: MetricsPoint[] = [];
  #seen = 0;
  #requests = 0;
  #errors = 0;

  constructor(options: MetricsSeriesOptions) {
    this.#options = options;
    this.#samples = new Float64Array(Math.max(1, options.maxSamples));
  }

  /** Hot path: two increments and one sample write. */
  add(record: CommandRecord): void {
    this.#requests++;
    if (record.outcome !== 'ok' && record.outcome !== 'mcp_error') this.#errors++;
    const ms = record.queueMs + record.mcpMs + record.postMs;
    const capacity = this.#samples.length;
    if (this.#seen < capacity) {
      this.#samples[this.#seen] = ms;
    } else {
      const slot = Math.floor(this.#options.random() * (this.#seen + 1));
      if (slot < capacity) this.#samples[slot] = ms;
    }
    this.#seen++;
  }

  /** Close the open bucket into a point stamped `t` (wall-clock ms) and start a new one. */
  close(t: number, inflight: number, running: number): MetricsPoint {
    const point: MetricsPoint = { t, requests: this.#requests, errors: this.#errors, inflight, running };
    const kept = Math.min(this.#seen, this.#samples.length);
    if (kept > 0) {
      const sorted = this.#samples.slice(0, kept).sort();
      point.p50Ms = percentile(sorted, 50);
      point.p95Ms = percentile(sorted, 95);
      point.p99Ms = percentile(sorted, 99);
    }
    this.#seen = 0;
    this.#requests = 0;
    this.#errors = 0;
    this.#points.push(point);
    const excess = this.#points.length - this.#options.keepPoints;
    if (excess > 0) this.#points.splice(0, excess);
    return point;
  }

  /** The kept points, oldest first (a copy). */
  points(): MetricsPoint[] {
    return this.#points.slice();
  }
}
