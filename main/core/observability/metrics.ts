/**
 * The engine's metrics: Prometheus text for `/metrics` and the time series of the UI's Metrics
 * page, on a prom-client registry of its own (never the global default).
 *
 * Exposition (every series carries `tunnel`, the profile name):
 * - Reference client names, where the meaning matches: `commands_polled_total`,
 *   `commands_poll_errors_total{error_kind}`, `commands_poll_last_successful_timestamp_seconds`,
 *   `commands_queue_length`, `dispatcher_worker_pool_occupancy`, `dispatcher_worker_pool_capacity`,
 *   and the end-to-end latency histogram with the reference's labels and buckets,
 *   `command_end_to_end_latency_seconds{channel, request_kind, request_method,
 *   latency_type="poll_to_response", tunnel_service_status}`. The reference calls it
 *   `command_end_to_end_latency_milliseconds`; `promtool check metrics` rejects a non-base
 *   unit, so ours is in seconds (same boundaries, divided by 1000).
 * - Ours: `mcp_tunnel_command_phase_seconds{channel, phase=queue|mcp|post}`,
 *   `mcp_tunnel_commands_total{channel, outcome}`, `mcp_tunnel_errors_total{kind}`,
 *   `mcp_tunnel_stdio_restarts_total{channel}`, `mcp_tunnel_channel_up{channel}`, channel
 *   in-flight and sessions, `mcp_tunnel_state{state}`, inflight and its limit, consecutive poll
 *   failures, `mcp_tunnel_info{version}`.
 *
 * Status-derived values are read at scrape time (see metrics-status.ts: counters stay monotonic
 * across a tunnel restart); per-command values come from `recordCommand` (metrics-commands.ts;
 * only commands whose terminal POST was attempted enter the latency histograms). Labels come
 * from closed sets (metrics-labels.ts): never tool names, request ids or secrets.
 */
import { Counter, Registry } from 'prom-client';
import type { MetricsSnapshot } from '../../../preload/contract/dto.js';
import type { CommandRecord } from '../engine/dispatcher/types.js';
import type { TunnelStatus } from '../engine/tunnel-status.js';
import type { Clock } from '../runtime/clock.js';
import { systemClock } from '../runtime/clock.js';
import { silentLogger, type Logger } from './logger.js';
import { PRODUCT_VERSION } from '../runtime/product.js';
import { CommandCells } from './metrics-commands.js';
import {
  CellHistogram,
  PHASE_BUCKETS_SECONDS,
  REFERENCE_LATENCY_BUCKETS_SECONDS,
} from './metrics-histogram.js';
import { MetricsSeries } from './metrics-series.js';
import { registerStatusMetrics, type SourcedTunnel } from './metrics-status.js';

export interface MetricsSource {
  /**
   * The tunnels to report, read at scrape and bucket-close time. `instance` (optional) is the
   * object that counts, e.g. the Tunnel: when it changes, status counters are known to have
   * restarted from zero (without it, a restart is noticed when a total goes down).
   */
  tunnels(): Array<{ id: string; status: TunnelStatus; instance?: unknown }>;
}

export interface EngineMetricsOptions {
  source: MetricsSource;
  /** Time source. A clock other than systemClock also drives the UI buckets through its `sleep` (tests); else an unref'd setInterval does. */
  clock?: Clock;
  /** UI series bucket length (ms). Default 5000. */
  intervalMs?: number;
  /** UI points kept. Default 120 (10 minutes at 5 s). */
  keepPoints?: number;
  /** Latency samples kept per UI bucket (reservoir sampling beyond). Default 10 000. */
  maxSamplesPerBucket?: number;
  /** [0, 1), for reservoir sampling. Default Math.random. */
  random?: () => number;
  /** `mcp_tunnel_info{version}`. Default the product version. */
  version?: string;
  logger?: Logger;
}

export interface EngineMetrics {
  readonly registry: Registry;
  /** Hot path: a few increments into preallocated cells and one latency sample. */
  recordCommand(tunnelId: string, record: CommandRecord): void;
  /** Prometheus text exposition (format 0.0.4). */
  text(): Promise<string>;
  readonly contentType: string;
  /** For the UI: the last `keepPoints` points and errorsByKind summed across tunnels. */
  snapshot(): MetricsSnapshot;
  /** Stop the bucket timer. Idempotent. */
  close(): void;
}

export const METRICS_DEFAULTS = {
  intervalMs: 5000,
  keepPoints: 120,
  maxSamplesPerBucket: 10_000,
} as const;

export function createEngineMetrics(options: EngineMetricsOptions): EngineMetrics {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const intervalMs = options.intervalMs ?? METRICS_DEFAULTS.intervalMs;
  const registry = new Registry();
  const series = new MetricsSeries({
    keepPoints: Math.max(1, options.keepPoints ?? METRICS_DEFAULTS.keepPoints),
    maxSamples: options.maxSamplesPerBucket ?? METRICS_DEFAULTS.maxSamplesPerBucket,
    random: options.random ?? Math.random,
  });

  const cells = new CommandCells({
    now: () => clock.now(),
    channelsOf: (tunnelId) => {
      const tunnel = options.source.tunnels().find((t) => t.id === tunnelId);
      return tunnel && channelNames(tunnel.status);
    },
  });

  /** Within one text() call every collect() shares one read of the source. */
  let scrape: readonly SourcedTunnel[] | undefined;
  const readSource = (): readonly SourcedTunnel[] => {
    const tunnels = options.source.tunnels();
    for (const { id, status } of tunnels) cells.learn(id, channelNames(status));
    return tunnels;
  };
  const read = (): readonly SourcedTunnel[] => scrape ?? readSource();

  registerStatusMetrics(registry, read, options.version ?? PRODUCT_VERSION);
  new Counter({
    name: 'mcp_tunnel_commands_total',
    help: 'Finished commands by outcome (ok, mcp_error, failure, expired, dropped, gone, post_failed, cancelled).',
    labelNames: ['tunnel', 'channel', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, value } of cells.outcomeRows()) this.inc(labels, value);
    },
  });
  new CellHistogram({
    name: 'command_end_to_end_latency_seconds',
    help: 'Latency in seconds from receiving a command in a poll to its terminal response POST.',
    buckets: REFERENCE_LATENCY_BUCKETS_SECONDS,
    rows: () => cells.endToEndRows(),
  }).register(registry);
  new CellHistogram({
    name: 'mcp_tunnel_command_phase_seconds',
    help: 'Time per command phase: queue (waiting for a worker), mcp (channel work), post (response POSTs).',
    buckets: PHASE_BUCKETS_SECONDS,
    rows: () => cells.phaseRows(),
  }).register(registry);

  const closeBucket = (): void => {
    let inflight = 0;
    let running = 0;
    try {
      for (const t of readSource()) {
        inflight += t.status.inflight;
        running += t.status.running;
      }
    } catch (error) {
      logger.warn('metrics: reading tunnel status failed; the point shows 0 in flight', { error });
    }
    series.close(clock.wallNow(), inflight, running);
  };
  // systemClock's sleep would keep the process alive; the unref'd interval does not.
  const stop = startTicker(clock === systemClock ? undefined : clock, intervalMs, closeBucket);

  return {
    registry,
    contentType: registry.contentType,
    recordCommand(tunnelId, record) {
      cells.record(tunnelId, record);
      series.add(record);
    },
    async text() {
      // registry.metrics() runs every collect() synchronously before its first await, so one
      // read of the source serves the whole scrape.
      try {
        scrape = readSource();
        return registry.metrics();
      } finally {
        scrape = undefined;
      }
    },
    snapshot() {
      const errorsByKind: Record<string, number> = {};
      for (const { status } of options.source.tunnels()) {
        for (const [kind, count] of Object.entries(status.errorsByKind)) {
          errorsByKind[kind] = (errorsByKind[kind] ?? 0) + count;
        }
      }
      return { intervalMs, points: series.points(), errorsByKind };
    },
    close: stop,
  };
}

function channelNames(status: TunnelStatus): string[] {
  return status.channels.map((c) => c.name);
}

/** Call `tick` every `intervalMs`: on the injected clock when given, else an unref'd setInterval. */
function startTicker(clock: Clock | undefined, intervalMs: number, tick: () => void): () => void {
  if (!clock) {
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
  const controller = new AbortController();
  const loop = async (): Promise<void> => {
    for (;;) {
      await clock.sleep(intervalMs, controller.signal);
      tick();
    }
  };
  loop().catch(() => undefined); // ends when close() aborts the sleep
  return () => controller.abort();
}
