/** TunnelSummary values for shell tests. */
import type { ChannelSummary, TunnelStateKind, TunnelSummary } from '../../../../preload/contract/dto.js';

export function summary(
  id: string,
  kind: TunnelStateKind,
  extra: Partial<TunnelSummary> & { channels?: ChannelSummary[] } = {},
): TunnelSummary {
  return {
    id,
    displayName: id[0]!.toUpperCase() + id.slice(1),
    connection: 'demo',
    enabled: kind !== 'stopped',
    state: { kind, reason: `${id} is ${kind}`, nextStep: 'Do the next thing.', since: 1 },
    tunnelId: `tunnel_${id}`,
    hasConnectorToken: true,
    commandsTotal: 0,
    inflight: 0,
    queued: 0,
    running: 0,
    errorsByKind: {},
    channels: [],
    ...(kind === 'ready' || kind === 'degraded' ? { mcpUrl: `http://127.0.0.1:9/v1/mcp/tunnel_${id}` } : {}),
    ...extra,
  };
}

export function channel(name: string, extra: Partial<ChannelSummary> = {}): ChannelSummary {
  return {
    name,
    transport: 'stdio',
    state: 'ready',
    target: 'node server.js',
    restarts: 0,
    inFlight: 0,
    sessions: 0,
    ...extra,
  };
}
