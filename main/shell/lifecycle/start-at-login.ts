/**
 * "Start at login": Electron's login items on macOS and Windows; on Linux (no API) an XDG
 * autostart entry `~/.config/autostart/mcp-tunnel.desktop`. The app starts with `--hidden`
 * (tray only, no window).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HIDDEN_ARG = '--hidden';

export interface LoginItemApp {
  getLoginItemSettings(options?: { path?: string; args?: string[] }): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void;
}

export interface StartAtLogin {
  get(): boolean;
  set(on: boolean): void;
}

export interface StartAtLoginOptions {
  platform: NodeJS.Platform;
  app: LoginItemApp;
  /** The executable to start (process.execPath; an AppImage's $APPIMAGE on Linux). */
  execPath: string;
  /** Linux: the autostart folder (default `$XDG_CONFIG_HOME/autostart`). */
  autostartDir: string;
}

/** The .desktop entry for Linux autostart; quotes the path as the XDG spec asks. */
export function linuxAutostartEntry(execPath: string): string {
  const quoted = `"${execPath.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=MCP Tunnel',
    `Exec=${quoted} ${HIDDEN_ARG}`,
    'X-GNOME-Autostart-enabled=true',
    'NoDisplay=false',
    'Terminal=false',
    '',
  ].join('\n');
}

export function createStartAtLogin(options: StartAtLoginOptions): StartAtLogin {
  if (options.platform === 'linux') {
    const file = join(options.autostartDir, 'mcp-tunnel.desktop');
    return {
      get: () => existsSync(file),
      set(on) {
        if (!on) return rmSync(file, { force: true });
        mkdirSync(options.autostartDir, { recursive: true });
        writeFileSync(file, linuxAutostartEntry(options.execPath), { mode: 0o644 });
      },
    };
  }
  // Windows reports the state correctly only when asked with the same path and args.
  const item = { path: options.execPath, args: [HIDDEN_ARG] };
  return {
    get: () => options.app.getLoginItemSettings(options.platform === 'win32' ? item : undefined).openAtLogin,
    set: (on) =>
      options.app.setLoginItemSettings({ openAtLogin: on, ...(options.platform === 'win32' ? item : {}) }),
  };
}
