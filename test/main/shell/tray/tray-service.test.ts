import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import type { TunnelSummary } from '../../../../preload/contract/dto.js';
import type { TrayAction } from '../../../../main/shell/tray/render-tray.js';
import { TrayService, type TrayLike } from '../../../../main/shell/tray/tray-service.js';
import { summary } from './summaries.js';

type Menu = { template: MenuItemConstructorOptions[] };

class FakeTray implements TrayLike<Menu> {
  images: string[] = [];
  tooltips: string[] = [];
  menus: Menu[] = [];
  destroyed = false;
  constructor(image: string) {
    this.images.push(image);
  }
  setImage(image: string) {
    this.images.push(image);
  }
  setToolTip(t: string) {
    this.tooltips.push(t);
  }
  setContextMenu(menu: Menu | null) {
    if (menu) this.menus.push(menu);
  }
  destroy() {
    this.destroyed = true;
  }
}

function harness(initial: TunnelSummary[]) {
  let tunnels = initial;
  const listeners = new Set<() => void>();
  const pending: Array<() => void> = [];
  const actions: TrayAction[] = [];
  let tray: FakeTray | undefined;
  const service = new TrayService<Menu>({
    createTray: (image) => (tray = new FakeTray(image)),
    buildMenu: (template) => ({ template }),
    iconDir: '/app/assets/tray',
    platform: 'darwin',
    source: {
      summaries: () => tunnels,
      onChange: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
    startAtLogin: () => false,
    dispatch: (a) => void actions.push(a),
    schedule: (run) => {
      pending.push(run);
      return () => pending.splice(pending.indexOf(run), 1);
    },
  });
  return {
    service,
    actions,
    pending,
    listeners,
    tray: () => tray!,
    change(next: TunnelSummary[]) {
      tunnels = next;
      for (const l of listeners) l();
    },
    runTimers() {
      for (const run of pending.splice(0)) run();
    },
  };
}

describe('TrayService', () => {
  it('creates the tray from the current state and re-renders on status events, coalesced', () => {
    const h = harness([summary('demo', 'starting')]);
    h.service.start();
    expect(h.tray().images).toEqual(['/app/assets/tray/tray-connectingTemplate.png']);
    expect(h.tray().tooltips).toEqual(['MCP Tunnel: connecting…']);
    expect(h.tray().menus).toHaveLength(1);

    h.change([summary('demo', 'starting')]);
    h.change([summary('demo', 'ready')]);
    h.change([summary('demo', 'ready')]);
    expect(h.pending).toHaveLength(1); // three events, one scheduled render
    h.runTimers();
    expect(h.tray().images.at(-1)).toBe('/app/assets/tray/tray-readyTemplate.png');
    expect(h.tray().tooltips.at(-1)).toBe('MCP Tunnel: 1 of 1 tunnel ready');
    expect(h.tray().menus).toHaveLength(2);

    h.change([summary('demo', 'ready')]); // nothing visible changed: no new menu
    h.runTimers();
    expect(h.tray().menus).toHaveLength(2);
  });

  it('turns menu clicks into actions, typed as Electron menu templates', async () => {
    const h = harness([summary('demo', 'ready')]);
    h.service.start();
    const template = h.tray().menus[0]!.template;
    const toggle = template[0]!;
    expect(toggle).toMatchObject({ type: 'checkbox', checked: true, label: 'Demo: Ready' });
    toggle.click?.({} as never, undefined, {});
    const codex = template.find((i) => i.label === 'Add to Codex')!;
    const items = codex.submenu as MenuItemConstructorOptions[];
    items[0]!.click?.({} as never, undefined, {});
    await vi.waitFor(() =>
      expect(h.actions).toEqual([
        { type: 'set-tunnel', id: 'demo', on: false },
        { type: 'add-to-codex', id: 'demo' },
      ]),
    );
    expect(template.map((i) => i.type ?? i.label)).toContain('separator');
  });

  it('dispose destroys the tray, drops its listener and any pending render', () => {
    const h = harness([summary('demo', 'ready')]);
    h.service.start();
    h.change([summary('demo', 'error')]);
    h.service.dispose();
    expect(h.tray().destroyed).toBe(true);
    expect(h.listeners.size).toBe(0);
    expect(h.pending).toHaveLength(0);
  });
});
