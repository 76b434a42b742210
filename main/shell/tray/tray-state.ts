/**
 * The tray's one aggregate state, from the admin service's TunnelSummary list:
 *   off         no tunnel is running (all stopped)
 *   error       a running tunnel is in auth_failed or error: the user must act
 *   degraded    a running tunnel works partly (a channel is down, polls failing)
 *   connecting  a tunnel is starting or stopping, none of the above
 *   ready       every running tunnel is ready
 */
import type { TunnelStateKind, TunnelSummary } from '../../../preload/contract/dto.js';

export const TRAY_STATES = ['off', 'connecting', 'ready', 'degraded', 'error'] as const;
export type TrayState = (typeof TRAY_STATES)[number];

export function isRunning(t: TunnelSummary): boolean {
  return t.state.kind !== 'stopped';
}

export function aggregateState(tunnels: readonly TunnelSummary[]): TrayState {
  const kinds = new Set<TunnelStateKind>(tunnels.filter(isRunning).map((t) => t.state.kind));
  if (kinds.size === 0) return 'off';
  if (kinds.has('auth_failed') || kinds.has('error')) return 'error';
  if (kinds.has('degraded')) return 'degraded';
  if (kinds.has('starting') || kinds.has('stopping')) return 'connecting';
  return 'ready';
}

const KIND_LABEL: Record<TunnelStateKind, string> = {
  stopped: 'Off',
  starting: 'Connecting…',
  ready: 'Ready',
  degraded: 'Degraded',
  auth_failed: 'Key rejected',
  error: 'Error',
  stopping: 'Stopping…',
};

export function stateLabel(kind: TunnelStateKind): string {
  return KIND_LABEL[kind];
}

/** Tunnels an MCP client can use now: running, not failed, with a known MCP URL. */
export function usableTunnels(tunnels: readonly TunnelSummary[]): TunnelSummary[] {
  return tunnels.filter((t) => (t.state.kind === 'ready' || t.state.kind === 'degraded') && !!t.mcpUrl);
}
