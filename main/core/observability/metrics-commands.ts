/**
 * Per-command metrics, kept in preallocated cells per (tunnel, channel): outcome counts, the
 * queue/mcp/post phase histograms and the reference client's end-to-end latency histogram by
 * (request_kind, request_method, tunnel_service_status). `record()` is the hot path: a few Map
 * lookups by strings the record already holds and some increments, no allocation once a label
 * set has been seen.
 *
 * The `channel` label only takes names the tunnel really has (learned from its status): a
 * command naming an unknown channel comes from the wire and is counted under `other`, so a
 * remote party cannot mint label values.
 */
import type { CommandOutcomeKind, CommandRecord } from '../engine/dispatcher/types.js';
import {
  HistogramCell,
  PHASE_BUCKETS_SECONDS,
  REFERENCE_LATENCY_BUCKETS_SECONDS,
  type CellRow,
} from './metrics-histogram.js';
import { OTHER_LABEL, methodKey, statusLabel, type MethodKey } from './metrics-labels.js';

export const OUTCOMES: readonly CommandOutcomeKind[] = [
  'ok',
  'mcp_error',
  'failure',
  'expired',
  'dropped',
  'gone',
  'post_failed',
  'cancelled',
];

/** The reference client measures from its poll's receipt; so do we (queue + mcp + post). */
export const LATENCY_TYPE = 'poll_to_response';

class ChannelCells {
  readonly outcomes: Record<CommandOutcomeKind, number> = {
    ok: 0,
    mcp_error: 0,
    failure: 0,
    expired: 0,
    dropped: 0,
    gone: 0,
    post_failed: 0,
    cancelled: 0,
  };
  readonly queue = new HistogramCell(PHASE_BUCKETS_SECONDS);
  readonly mcp = new HistogramCell(PHASE_BUCKETS_SECONDS);
  readonly post = new HistogramCell(PHASE_BUCKETS_SECONDS);
  /** By method key, then by HTTP status (0 for an implausible one). */
  readonly endToEnd = new Map<MethodKey, Map<number, HistogramCell>>();
}

class TunnelCells {
  readonly channels = new Map<string, ChannelCells>();
  readonly known = new Set<string>();
  other: ChannelCells | undefined;
  lastRefresh = Number.NEGATIVE_INFINITY;
}

export interface CommandCellsOptions {
  /** The tunnel's current channel names, or undefined when it is unknown. Called rarely. */
  channelsOf: (tunnelId: string) => readonly string[] | undefined;
  /** Monotonic ms, to rate-limit channelsOf lookups. */
  now: () => number;
  /** At most one channelsOf lookup per tunnel per this many ms. Default 1000. */
  refreshEveryMs?: number;
}

export class CommandCells {
  readonly #tunnels = new Map<string, TunnelCells>();
  readonly #options: CommandCellsOptions;
  readonly #refreshEveryMs: number;

  constructor(options: CommandCellsOptions) {
    this.#options = options;
    this.#refreshEveryMs = options.refreshEveryMs ?? 1000;
  }

  /** Tell which channels a tunnel has (called whenever statuses are read anyway). */
  learn(tunnelId: string, channelNames: Iterable<string>): void {
    const tunnel = this.#tunnel(tunnelId);
    for (const name of channelNames) tunnel.known.add(name);
  }

  record(tunnelId: string, record: CommandRecord): void {
    const cells = this.#channel(this.#tunnel(tunnelId), tunnelId, record.channel);
    cells.outcomes[record.outcome]++;
    const status = record.status;
    if (status === undefined) return;
    cells.queue.observe(record.queueMs / 1000);
    cells.mcp.observe(record.mcpMs / 1000);
    cells.post.observe(record.postMs / 1000);
    const key = methodKey(record.commandType, record.method);
    let byStatus = cells.endToEnd.get(key);
    if (!byStatus) {
      byStatus = new Map();
      cells.endToEnd.set(key, byStatus);
    }
    const code = Number.isInteger(status) && status >= 100 && status <= 599 ? status : 0;
    let cell = byStatus.get(code);
    if (!cell) {
      cell = new HistogramCell(REFERENCE_LATENCY_BUCKETS_SECONDS);
      byStatus.set(code, cell);
    }
    cell.observe((record.queueMs + record.mcpMs + record.postMs) / 1000);
  }

  *outcomeRows(): Iterable<{ labels: Record<string, string>; value: number }> {
    for (const [tunnel, channel, cells] of this.#all()) {
      for (const outcome of OUTCOMES) {
        const value = cells.outcomes[outcome];
        if (value > 0) yield { labels: { tunnel, channel, outcome }, value };
      }
    }
  }

  *phaseRows(): Iterable<CellRow> {
    for (const [tunnel, channel, cells] of this.#all()) {
      if (cells.queue.count === 0) continue;
      yield { labels: { tunnel, channel, phase: 'queue' }, cell: cells.queue };
      yield { labels: { tunnel, channel, phase: 'mcp' }, cell: cells.mcp };
      yield { labels: { tunnel, channel, phase: 'post' }, cell: cells.post };
    }
  }

  *endToEndRows(): Iterable<CellRow> {
    for (const [tunnel, channel, cells] of this.#all()) {
      for (const [key, byStatus] of cells.endToEnd) {
        for (const [code, cell] of byStatus) {
          yield {
            labels: {
              tunnel,
              channel,
              request_kind: key.kind,
              request_method: key.method,
              latency_type: LATENCY_TYPE,
              tunnel_service_status: code === 0 ? OTHER_LABEL : statusLabel(code),
            },
            cell,
          };
        }
      }
    }
  }

  *#all(): Iterable<[string, string, ChannelCells]> {
    for (const [tunnelId, tunnel] of this.#tunnels) {
      for (const [name, cells] of tunnel.channels) yield [tunnelId, name, cells];
      if (tunnel.other) yield [tunnelId, OTHER_LABEL, tunnel.other];
    }
  }

  #tunnel(tunnelId: string): TunnelCells {
    let tunnel = this.#tunnels.get(tunnelId);
    if (!tunnel) {
      tunnel = new TunnelCells();
      this.#tunnels.set(tunnelId, tunnel);
    }
    return tunnel;
  }

  #channel(tunnel: TunnelCells, tunnelId: string, name: string): ChannelCells {
    const cells = tunnel.channels.get(name);
    if (cells) return cells;
    if (!tunnel.known.has(name)) this.#refresh(tunnel, tunnelId);
    if (tunnel.known.has(name) && name !== OTHER_LABEL) {
      const created = new ChannelCells();
      tunnel.channels.set(name, created);
      return created;
    }
    tunnel.other ??= new ChannelCells();
    return tunnel.other;
  }

  #refresh(tunnel: TunnelCells, tunnelId: string): void {
    const now = this.#options.now();
    if (now - tunnel.lastRefresh < this.#refreshEveryMs) return;
    tunnel.lastRefresh = now;
    const names = this.#options.channelsOf(tunnelId);
    if (names) for (const name of names) tunnel.known.add(name);
  }
}
