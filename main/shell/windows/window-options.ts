/**
 * The admin window's options as a pure function (Electron Fiddle's idea): the security settings
 * are pinned here and nowhere else, so a test can prove them. The renderer is loaded from disk
 * (dist/renderer/index.html); its Content-Security-Policy comes from that page's meta tag
 * (`script-src 'self'`, no inline code).
 */
import { pathToFileURL } from 'node:url';
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/** The security settings every window gets (electronjs.org security checklist 2–4, 6, 8–11). */
export const PINNED_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const satisfies WebPreferences;

export interface AdminWindowInput {
  /** Absolute path of the built preload (dist/preload-cjs/index.js). */
  preloadPath: string;
  /** Absolute path of a window icon (Linux/Windows), optional. */
  iconPath?: string;
}

export function adminWindowOptions(input: AdminWindowInput): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    title: 'MCP Tunnel',
    show: false,
    autoHideMenuBar: true,
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: {
      ...PINNED_WEB_PREFERENCES,
      preload: input.preloadPath,
    },
  };
}

/** The renderer's entry URL, with the UI route in the hash (`#/wizard`). */
export function rendererUrl(indexHtmlPath: string, route?: string): string {
  const url = pathToFileURL(indexHtmlPath);
  if (route) url.hash = route.startsWith('#') ? route.slice(1) : route;
  return url.href;
}

/** Only plain web links leave the app, and only to the system browser. */
export function isSafeExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !parsed.username && !parsed.password
  );
}
