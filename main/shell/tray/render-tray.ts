/**
 * The tray as a pure function of its inputs (Signal Desktop's SystemTrayService idea): the
 * aggregate state picks the icon and tooltip; the menu lists each tunnel with an on/off checkbox
 * and its state, then the app's actions. Menu items carry an action value, not a click
 * function, so the output is plain data; the TrayService turns actions into clicks.
 */
import type { TunnelSummary } from '../../../preload/contract/dto.js';
import { aggregateState, isRunning, stateLabel, usableTunnels, type TrayState } from './tray-state.js';

export type TrayAction =
  | { type: 'set-tunnel'; id: string; on: boolean }
  | { type: 'open-admin' }
  | { type: 'open-wizard' }
  | { type: 'add-to-codex'; id: string }
  | { type: 'copy-mcp-url'; id: string }
  | { type: 'set-start-at-login'; on: boolean }
  | { type: 'quit' };

export type TrayMenuItem =
  | {
      kind: 'action';
      label: string;
      action: TrayAction;
      enabled: boolean;
      checked?: boolean;
      sublabel?: string;
    }
  | { kind: 'label'; label: string }
  | { kind: 'submenu'; label: string; enabled: boolean; items: TrayMenuItem[] }
  | { kind: 'separator' };

export interface TrayInput {
  tunnels: readonly TunnelSummary[];
  startAtLogin: boolean;
  platform: NodeJS.Platform;
}

export interface TrayView {
  state: TrayState;
  /** File name under assets/tray; Electron picks the @2x file next to it on HiDPI screens. */
  icon: string;
  tooltip: string;
  menu: TrayMenuItem[];
}

/** macOS menu-bar icons are template images (black + alpha, tinted by the OS). */
export function trayIconFile(state: TrayState, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `tray-${state}Template.png` : `tray-${state}.png`;
}

/** Windows truncates tray tooltips at 127 characters. */
const TOOLTIP_MAX = 127;

export function trayTooltip(state: TrayState, tunnels: readonly TunnelSummary[]): string {
  const running = tunnels.filter(isRunning);
  const ready = running.filter((t) => t.state.kind === 'ready').length;
  let text: string;
  if (state === 'off') text = tunnels.length === 0 ? 'MCP Tunnel: no tunnels yet' : 'MCP Tunnel: off';
  else if (state === 'error' || state === 'degraded') {
    const bad = running.find((t) =>
      state === 'error'
        ? t.state.kind === 'auth_failed' || t.state.kind === 'error'
        : t.state.kind === 'degraded',
    );
    text = bad ? `MCP Tunnel: ${bad.displayName}: ${stateLabel(bad.state.kind).toLowerCase()}` : 'MCP Tunnel';
  } else if (state === 'connecting') text = 'MCP Tunnel: connecting…';
  else text = `MCP Tunnel: ${ready} of ${running.length} tunnel${running.length === 1 ? '' : 's'} ready`;
  return text.length > TOOLTIP_MAX ? `${text.slice(0, TOOLTIP_MAX - 1)}…` : text;
}

function tunnelItem(t: TunnelSummary): TrayMenuItem {
  const on = isRunning(t);
  return {
    kind: 'action',
    label: `${t.displayName}: ${stateLabel(t.state.kind)}`,
    action: { type: 'set-tunnel', id: t.id, on: !on },
    enabled: t.state.kind !== 'stopping',
    checked: on,
    ...(t.state.kind !== 'ready' && t.state.kind !== 'stopped' ? { sublabel: t.state.reason } : {}),
  };
}

function perTunnel(
  label: string,
  tunnels: TunnelSummary[],
  action: (id: string) => TrayAction,
): TrayMenuItem {
  return {
    kind: 'submenu',
    label,
    enabled: tunnels.length > 0,
    items:
      tunnels.length > 0
        ? tunnels.map((t) => ({ kind: 'action', label: t.displayName, action: action(t.id), enabled: true }))
        : [{ kind: 'label', label: 'No running tunnel' }],
  };
}

export function renderTray(input: TrayInput): TrayView {
  const state = aggregateState(input.tunnels);
  const usable = usableTunnels(input.tunnels);
  const menu: TrayMenuItem[] = [
    ...(input.tunnels.length > 0
      ? input.tunnels.map(tunnelItem)
      : [{ kind: 'label', label: 'No tunnels configured' } as const]),
    { kind: 'separator' },
    { kind: 'action', label: 'Open MCP Tunnel', action: { type: 'open-admin' }, enabled: true },
    { kind: 'action', label: 'New tunnel…', action: { type: 'open-wizard' }, enabled: true },
    { kind: 'separator' },
    perTunnel('Add to Codex', usable, (id) => ({ type: 'add-to-codex', id })),
    perTunnel('Copy MCP URL', usable, (id) => ({ type: 'copy-mcp-url', id })),
    { kind: 'separator' },
    {
      kind: 'action',
      label: 'Start at login',
      action: { type: 'set-start-at-login', on: !input.startAtLogin },
      enabled: true,
      checked: input.startAtLogin,
    },
    { kind: 'action', label: 'Quit', action: { type: 'quit' }, enabled: true },
  ];
  return {
    state,
    icon: trayIconFile(state, input.platform),
    tooltip: trayTooltip(state, input.tunnels),
    menu,
  };
}
