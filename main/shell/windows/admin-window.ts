/**
 * The admin window: at most one, created on demand from the tray ("Open MCP Tunnel", "New
 * tunnel…" opens it at #/wizard), focused when it exists, guarded (window-guards.ts), and
 * forgotten when closed; closing it leaves the app running in the tray.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { sameDocument } from '../ipc/sender-check.js';
import { guardWebContents, type GuardableContents } from './window-guards.js';
import { adminWindowOptions, rendererUrl } from './window-options.js';

/** The part of Electron's BrowserWindow this uses. */
export interface WindowLike {
  webContents: GuardableContents & { id: number };
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

export interface AdminWindowOptions {
  createWindow: (options: BrowserWindowConstructorOptions) => WindowLike;
  /** dist/renderer/index.html */
  indexHtmlPath: string;
  preloadPath: string;
  iconPath?: string;
  openExternal: (url: string) => Promise<void> | void;
  /** Told when the window opens or closes (dock icon on macOS). */
  onVisibilityChange?: (open: boolean) => void;
}

export class AdminWindow {
  #window: WindowLike | undefined;
  readonly #entry: URL;

  constructor(private readonly options: AdminWindowOptions) {
    this.#entry = new URL(rendererUrl(options.indexHtmlPath));
  }

  /** The renderer's entry URL (what the IPC sender check compares with). */
  get entryUrl(): string {
    return this.#entry.href;
  }

  isOwnUrl(url: string): boolean {
    return sameDocument(url, this.#entry);
  }

  /** WebContents ids of the open window (none or one). */
  webContentsIds(): ReadonlySet<number> {
    const w = this.#window;
    return new Set(w && !w.isDestroyed() ? [w.webContents.id] : []);
  }

  /** Open (or focus) the window at a UI route such as `/wizard`. */
  async open(route?: string): Promise<void> {
    const existing = this.#window;
    if (existing && !existing.isDestroyed()) {
      if (route) await existing.loadURL(rendererUrl(this.options.indexHtmlPath, route));
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return;
    }
    const w = this.options.createWindow(
      adminWindowOptions({
        preloadPath: this.options.preloadPath,
        ...(this.options.iconPath ? { iconPath: this.options.iconPath } : {}),
      }),
    );
    this.#window = w;
    guardWebContents(w.webContents, {
      openExternal: this.options.openExternal,
      isOwnUrl: (url) => this.isOwnUrl(url),
    });
    w.once('ready-to-show', () => {
      w.show();
      w.focus();
    });
    w.on('closed', () => {
      if (this.#window === w) this.#window = undefined;
      this.options.onVisibilityChange?.(false);
    });
    this.options.onVisibilityChange?.(true);
    await w.loadURL(rendererUrl(this.options.indexHtmlPath, route));
  }

  /** Bring the window forward if it is open (second launch). */
  focus(): boolean {
    const w = this.#window;
    if (!w || w.isDestroyed()) return false;
    if (w.isMinimized()) w.restore();
    w.show();
    w.focus();
    return true;
  }
}
