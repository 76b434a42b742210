/**
 * Owns the one Tray: renders it from the tunnel summaries (render-tray.ts) and re-renders when
 * a tunnel changes, coalescing bursts of status events into one update. The Tray and Menu come
 * from injected factories (Electron's in main/index.ts, fakes in tests). On Linux the menu must be
 * set again after every change (AppIndicator ignores item edits), so each render sets it whole;
 * a render identical to the previous one is skipped.
 *
 * Lifecycle:  created ──start()──▶ showing ──(change)──▶ render pending ──(timer)──▶ showing
 *             any ──dispose()──▶ disposed (tray destroyed, listeners removed, timer cleared)
 */
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { TunnelSummary } from '../../../preload/contract/dto.js';
import { silentLogger, type Logger } from '../../core/observability/logger.js';
import { renderTray, type TrayAction, type TrayMenuItem, type TrayView } from './render-tray.js';

/** The part of Electron's Tray the service uses. */
export interface TrayLike<Menu> {
  setImage(image: string): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: Menu | null): void;
  destroy(): void;
}

export interface TrayServiceOptions<Menu> {
  /** `(image) => new Tray(image)`; keep the returned object referenced (GC destroys trays). */
  createTray: (imagePath: string) => TrayLike<Menu>;
  /** `Menu.buildFromTemplate`. */
  buildMenu: (template: MenuItemConstructorOptions[]) => Menu;
  /** Folder holding the tray icons (assets/tray). */
  iconDir: string;
  platform: NodeJS.Platform;
  source: {
    summaries(): TunnelSummary[];
    onChange(listener: () => void): () => void;
  };
  startAtLogin: () => boolean;
  /** What a click does; errors are logged, never thrown into Electron. */
  dispatch: (action: TrayAction) => void | Promise<void>;
  /** Status events within this window become one render (default 100 ms). */
  coalesceMs?: number;
  schedule?: (run: () => void, ms: number) => () => void;
  logger?: Logger;
}

const defaultSchedule = (run: () => void, ms: number): (() => void) => {
  const t = setTimeout(run, ms);
  return () => clearTimeout(t);
};

/** Turns the pure menu description into Electron's template, with clicks that dispatch. */
export function toMenuTemplate(
  items: readonly TrayMenuItem[],
  dispatch: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'submenu':
        return { label: item.label, enabled: item.enabled, submenu: toMenuTemplate(item.items, dispatch) };
      case 'action':
        return {
          label: item.label,
          enabled: item.enabled,
          ...(item.checked === undefined ? {} : { type: 'checkbox' as const, checked: item.checked }),
          ...(item.sublabel ? { sublabel: item.sublabel, toolTip: item.sublabel } : {}),
          click: () => dispatch(item.action),
        };
    }
  });
}

export class TrayService<Menu> {
  #tray: TrayLike<Menu> | undefined;
  #icon: string | undefined;
  #last: string | undefined;
  #cancel: (() => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  #disposed = false;
  readonly #log: Logger;

  constructor(private readonly options: TrayServiceOptions<Menu>) {
    this.#log = (options.logger ?? silentLogger).child('shell/tray');
  }

  /** The last rendered view (for tests and diagnostics). */
  view(): TrayView {
    return renderTray({
      tunnels: this.options.source.summaries(),
      startAtLogin: this.options.startAtLogin(),
      platform: this.options.platform,
    });
  }

  start(): void {
    if (this.#tray || this.#disposed) return;
    const view = this.view();
    this.#tray = this.options.createTray(join(this.options.iconDir, view.icon));
    this.#apply(view);
    this.#unsubscribe = this.options.source.onChange(() => this.invalidate());
  }

  /** Schedule a render (coalesced); call after anything the menu shows changed. */
  invalidate(): void {
    if (this.#cancel || this.#disposed || !this.#tray) return;
    const schedule = this.options.schedule ?? defaultSchedule;
    this.#cancel = schedule(() => {
      this.#cancel = undefined;
      this.refresh();
    }, this.options.coalesceMs ?? 100);
  }

  /** Render now. */
  refresh(): void {
    if (this.#disposed || !this.#tray) return;
    this.#apply(this.view());
  }

  dispose(): void {
    this.#disposed = true;
    this.#cancel?.();
    this.#cancel = undefined;
    this.#unsubscribe?.();
    this.#tray?.destroy();
    this.#tray = undefined;
  }

  #apply(view: TrayView): void {
    const tray = this.#tray;
    if (!tray) return;
    const key = JSON.stringify(view);
    if (key === this.#last) return;
    this.#last = key;
    if (this.#icon !== undefined && this.#icon !== view.icon)
      tray.setImage(join(this.options.iconDir, view.icon));
    this.#icon = view.icon;
    tray.setToolTip(view.tooltip);
    tray.setContextMenu(this.options.buildMenu(toMenuTemplate(view.menu, (a) => this.#dispatch(a))));
  }

  #dispatch(action: TrayAction): void {
    Promise.resolve()
      .then(() => this.options.dispatch(action))
      .catch((err: unknown) =>
        this.#log.error('tray action failed', { action: action.type, error: err as Error }),
      )
      .finally(() => this.invalidate());
  }
}
