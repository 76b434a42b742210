/**
 * Metrics read from the tunnels' TunnelStatus at scrape time (prom-client `collect()`, no
 * timers): poll health, queue and worker occupancy, channel state and restarts, the tunnel
 * state, error counters. Counters built from status totals go through MonotonicTotals so they
 * never decrease when a tunnel is rebuilt.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { TunnelStateKind } from '../engine/tunnel-state.js';
import type { TunnelStatus } from '../engine/tunnel-status.js';
import { errorKindLabel, pollErrorKind } from './metrics-labels.js';
import { MonotonicTotals, type CounterReading } from './metrics-monotonic.js';

export interface SourcedTunnel {
  id: string;
  status: TunnelStatus;
  /** The object that counts (the Tunnel), when the source knows it; see MonotonicTotals. */
  instance?: unknown;
}

export const TUNNEL_STATES: readonly TunnelStateKind[] = [
  'stopped',
  'starting',
  'ready',
  'degraded',
  'auth_failed',
  'error',
  'stopping',
];

const POLLED = 'polled|';
const POLL_ERRORS = 'poll_errors|';
const ERRORS = 'errors|';
const RESTARTS = 'restarts|';

/** Error kinds seen per tunnel, bounded by MAX_ERROR_KINDS (see metrics-labels.ts). */
type KnownKinds = Map<string, Set<string>>;

function readings(tunnel: SourcedTunnel, kinds: KnownKinds): CounterReading[] {
  const { id, status } = tunnel;
  const out: CounterReading[] = [{ key: POLLED, labels: { tunnel: id }, raw: status.commandsTotal }];
  let known = kinds.get(id);
  if (!known) {
    known = new Set();
    kinds.set(id, known);
  }
  const errors = new Map<string, number>();
  for (const [kind, count] of Object.entries(status.errorsByKind)) {
    const label = errorKindLabel(kind, known);
    known.add(label);
    errors.set(label, (errors.get(label) ?? 0) + count);
  }
  const pollErrors = new Map<string, number>();
  for (const [kind, count] of errors) {
    out.push({ key: `${ERRORS}${kind}`, labels: { tunnel: id, kind }, raw: count });
    const pollKind = pollErrorKind(kind);
    if (pollKind !== undefined) pollErrors.set(pollKind, (pollErrors.get(pollKind) ?? 0) + count);
  }
  for (const [kind, count] of pollErrors) {
    out.push({ key: `${POLL_ERRORS}${kind}`, labels: { tunnel: id, error_kind: kind }, raw: count });
  }
  for (const channel of status.channels) {
    if (channel.transport !== 'stdio') continue;
    out.push({
      key: `${RESTARTS}${channel.name}`,
      labels: { tunnel: id, channel: channel.name },
      raw: channel.restarts,
    });
  }
  return out;
}

/**
 * Register the status-derived metrics on `registry`. `read()` returns the tunnels to report; it
 * is called by each metric's collect(), so callers should make it cheap within one scrape.
 */
export function registerStatusMetrics(
  registry: Registry,
  read: () => readonly SourcedTunnel[],
  version: string,
): void {
  const totals = new MonotonicTotals();
  const kinds: KnownKinds = new Map();
  const registers = [registry];

  const counter = (name: string, help: string, labelNames: string[], prefix: string): void => {
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        for (const tunnel of read()) totals.update(tunnel.id, tunnel.instance, readings(tunnel, kinds));
        this.reset();
        for (const { labels, value } of totals.values(prefix)) this.inc(labels, value);
      },
    });
  };
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    fill: (set: (labels: Record<string, string>, value: number) => void, tunnel: SourcedTunnel) => void,
  ): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        const set = (labels: Record<string, string>, value: number): void => {
          this.set(labels, value);
        };
        for (const tunnel of read()) fill(set, tunnel);
      },
    });
  };

  counter('commands_polled_total', 'Commands received from control-plane polls.', ['tunnel'], POLLED);
  counter(
    'commands_poll_errors_total',
    'Control-plane poll errors, by kind (network, rate_limited, unavailable, auth, bad_request, protocol, internal).',
    ['tunnel', 'error_kind'],
    POLL_ERRORS,
  );
  counter(
    'mcp_tunnel_errors_total',
    'Engine errors by kind (poll_*, command_expired, command_failure_<source>, response_post_failed, response_gone, notify_post_failed).',
    ['tunnel', 'kind'],
    ERRORS,
  );
  counter(
    'mcp_tunnel_stdio_restarts_total',
    'Restarts of stdio MCP server children.',
    ['tunnel', 'channel'],
    RESTARTS,
  );

  gauge(
    'commands_poll_last_successful_timestamp_seconds',
    'Unix time in seconds of the last poll answered with 200 or 204 (0 before the first).',
    ['tunnel'],
    (set, { id, status }) => set({ tunnel: id }, (status.lastSuccessfulPollAt ?? 0) / 1000),
  );
  gauge(
    'commands_queue_length',
    'Commands accepted and waiting for a worker slot.',
    ['tunnel'],
    (set, { id, status }) => set({ tunnel: id }, status.queued),
  );
  gauge(
    'dispatcher_worker_pool_occupancy',
    'Commands being handled by an MCP channel right now.',
    ['tunnel'],
    (set, t) => set({ tunnel: t.id }, t.status.running),
  );
  gauge(
    'dispatcher_worker_pool_capacity',
    'Most commands handed to channels at once (MCP_MAX_CONCURRENT_REQUESTS).',
    ['tunnel'],
    (set, t) => set({ tunnel: t.id }, t.status.maxConcurrent),
  );
  gauge(
    'mcp_tunnel_commands_inflight',
    'Commands accepted and not finished (queued, running or posting).',
    ['tunnel'],
    (set, t) => set({ tunnel: t.id }, t.status.inflight),
  );
  gauge(
    'mcp_tunnel_commands_inflight_limit',
    'Most commands in flight (CONTROL_PLANE_MAX_INFLIGHT_REQUESTS).',
    ['tunnel'],
    (set, t) => set({ tunnel: t.id }, t.status.maxInflight),
  );
  gauge(
    'mcp_tunnel_poll_consecutive_failures',
    'Control-plane polls failed in a row.',
    ['tunnel'],
    (set, t) => set({ tunnel: t.id }, t.status.consecutivePollFailures),
  );
  gauge(
    'mcp_tunnel_state',
    'The tunnel state: 1 for the current one, 0 for the others.',
    ['tunnel', 'state'],
    (set, t) => {
      for (const state of TUNNEL_STATES) set({ tunnel: t.id, state }, t.status.state.kind === state ? 1 : 0);
    },
  );
  gauge(
    'mcp_tunnel_channel_up',
    'Whether an MCP channel is ready (1) or not (0).',
    ['tunnel', 'channel'],
    (set, t) => {
      for (const c of t.status.channels) set({ tunnel: t.id, channel: c.name }, c.state === 'ready' ? 1 : 0);
    },
  );
  gauge(
    'mcp_tunnel_channel_inflight',
    'Requests in flight on an MCP channel.',
    ['tunnel', 'channel'],
    (set, t) => {
      for (const c of t.status.channels) set({ tunnel: t.id, channel: c.name }, c.inFlight);
    },
  );
  gauge(
    'mcp_tunnel_channel_sessions',
    'Known MCP sessions on a channel.',
    ['tunnel', 'channel'],
    (set, t) => {
      for (const c of t.status.channels) set({ tunnel: t.id, channel: c.name }, c.sessions);
    },
  );
  gauge(
    'mcp_tunnel_info',
    'Always 1; the labels tell the product version.',
    ['tunnel', 'version'],
    (set, t) => set({ tunnel: t.id, version }, 1),
  );
}
