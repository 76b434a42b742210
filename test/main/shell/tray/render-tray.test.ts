import { describe, expect, it } from 'vitest';
import { renderTray, type TrayAction, type TrayMenuItem } from '../../../../main/shell/tray/render-tray.js';
import { aggregateState, TRAY_STATES } from '../../../../main/shell/tray/tray-state.js';
import { summary } from './summaries.js';

function labels(items: TrayMenuItem[]): string[] {
  return items.map((i) => (i.kind === 'separator' ? '---' : i.label));
}
function find(items: TrayMenuItem[], label: string): TrayMenuItem {
  const item = items.find((i) => i.kind !== 'separator' && i.label === label);
  if (!item) throw new Error(`no menu item '${label}' in ${labels(items).join(' | ')}`);
  return item;
}
function actionOf(item: TrayMenuItem): TrayAction {
  if (item.kind !== 'action') throw new Error(`${item.kind} has no action`);
  return item.action;
}

describe('aggregate tray state', () => {
  it.each([
    ['off', []],
    ['off', [summary('a', 'stopped')]],
    ['connecting', [summary('a', 'starting'), summary('b', 'ready')]],
    ['ready', [summary('a', 'ready'), summary('b', 'stopped')]],
    ['degraded', [summary('a', 'ready'), summary('b', 'degraded'), summary('c', 'starting')]],
    ['error', [summary('a', 'auth_failed'), summary('b', 'degraded')]],
    ['error', [summary('a', 'error')]],
  ] as const)('is %s for %j', (state, tunnels) => {
    expect(aggregateState(tunnels)).toBe(state);
  });
});

describe('renderTray', () => {
  const cases = {
    off: [summary('demo', 'stopped')],
    connecting: [summary('demo', 'starting')],
    ready: [summary('demo', 'ready'), summary('work', 'ready')],
    degraded: [summary('demo', 'degraded')],
    error: [summary('demo', 'auth_failed')],
  } as const;

  it.each(TRAY_STATES)('picks the %s icon (template on macOS) and a tooltip that says it', (state) => {
    const tunnels = cases[state];
    const mac = renderTray({ tunnels, startAtLogin: false, platform: 'darwin' });
    const linux = renderTray({ tunnels, startAtLogin: false, platform: 'linux' });
    expect(mac.state).toBe(state);
    expect(mac.icon).toBe(`tray-${state}Template.png`);
    expect(linux.icon).toBe(`tray-${state}.png`);
    expect(mac.tooltip.startsWith('MCP Tunnel')).toBe(true);
    expect(mac.tooltip.length).toBeLessThanOrEqual(127);
  });

  it('tooltips name the state and the tunnel that needs attention', () => {
    const t = (tunnels: Parameters<typeof renderTray>[0]['tunnels']) =>
      renderTray({ tunnels, startAtLogin: false, platform: 'linux' }).tooltip;
    expect(t(cases.ready)).toBe('MCP Tunnel: 2 of 2 tunnels ready');
    expect(t(cases.error)).toBe('MCP Tunnel: Demo: key rejected');
    expect(t(cases.degraded)).toBe('MCP Tunnel: Demo: degraded');
    expect(t(cases.off)).toBe('MCP Tunnel: off');
    expect(t([])).toBe('MCP Tunnel: no tunnels yet');
  });

  it('lists each tunnel with an on/off checkbox and its state, then the app actions', () => {
    const view = renderTray({
      tunnels: [summary('demo', 'ready'), summary('work', 'stopped'), summary('prod', 'auth_failed')],
      startAtLogin: true,
      platform: 'linux',
    });
    expect(labels(view.menu)).toEqual([
      'Demo: Ready',
      'Work: Off',
      'Prod: Key rejected',
      '---',
      'Open MCP Tunnel',
      'New tunnel…',
      '---',
      'Add to Codex',
      'Copy MCP URL',
      '---',
      'Start at login',
      'Quit',
    ]);
    expect(view.menu[0]).toMatchObject({
      checked: true,
      action: { type: 'set-tunnel', id: 'demo', on: false },
    });
    expect(view.menu[1]).toMatchObject({
      checked: false,
      action: { type: 'set-tunnel', id: 'work', on: true },
    });
    expect(view.menu[2]).toMatchObject({ checked: true, sublabel: 'prod is auth_failed' });
    expect(actionOf(find(view.menu, 'Open MCP Tunnel'))).toEqual({ type: 'open-admin' });
    expect(actionOf(find(view.menu, 'New tunnel…'))).toEqual({ type: 'open-wizard' });
    expect(find(view.menu, 'Start at login')).toMatchObject({ checked: true, action: { on: false } });
    expect(actionOf(find(view.menu, 'Quit'))).toEqual({ type: 'quit' });
  });

  it('offers Add to Codex and Copy MCP URL only for running tunnels with an MCP URL', () => {
    const view = renderTray({
      tunnels: [
        summary('demo', 'ready'),
        summary('work', 'stopped'),
        summary('slow', 'degraded'),
        summary('s', 'starting'),
      ],
      startAtLogin: false,
      platform: 'linux',
    });
    for (const label of ['Add to Codex', 'Copy MCP URL']) {
      const sub = find(view.menu, label);
      if (sub.kind !== 'submenu') throw new Error('not a submenu');
      expect(sub.enabled).toBe(true);
      expect(sub.items.map(actionOf)).toEqual(
        ['demo', 'slow'].map((id) => ({
          type: label === 'Add to Codex' ? 'add-to-codex' : 'copy-mcp-url',
          id,
        })),
      );
    }
    const none = renderTray({
      tunnels: [summary('work', 'stopped')],
      startAtLogin: false,
      platform: 'linux',
    });
    const sub = find(none.menu, 'Add to Codex');
    expect(sub).toMatchObject({
      kind: 'submenu',
      enabled: false,
      items: [{ kind: 'label', label: 'No running tunnel' }],
    });
  });

  it('is a pure function: same input, equal output, input untouched', () => {
    const tunnels = [summary('demo', 'ready')];
    const frozen = JSON.stringify(tunnels);
    const a = renderTray({ tunnels, startAtLogin: false, platform: 'darwin' });
    const b = renderTray({ tunnels, startAtLogin: false, platform: 'darwin' });
    expect(a).toEqual(b);
    expect(JSON.stringify(tunnels)).toBe(frozen);
  });
});
