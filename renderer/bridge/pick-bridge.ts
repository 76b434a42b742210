/**
 * Chooses the transport: the Electron preload's `window.mcpTunnel` when present (IPC), else the
 * daemon's HTTP API on this page's own origin with the admin token from the URL fragment.
 * Returns undefined when neither is available (opened without the token).
 */
import type { Bridge } from './bridge.js';
import { takeAdminToken } from './admin-token.js';
import { createHttpBridge } from './http-bridge.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in a plain browser. */
    mcpTunnel?: Bridge;
  }
}

function looksLikeBridge(value: unknown): value is Bridge {
  const v = value as Partial<Bridge> | undefined;
  return typeof v?.call === 'function' && typeof v.on === 'function';
}

export function pickBridge(win: Window = window): Bridge | undefined {
  if (looksLikeBridge(win.mcpTunnel)) return win.mcpTunnel;
  let storage: Storage | undefined;
  try {
    storage = win.sessionStorage;
  } catch {
    storage = undefined;
  }
  const token = takeAdminToken({ location: win.location, history: win.history, storage });
  if (!token) return undefined;
  return createHttpBridge({ baseUrl: win.location.origin, token });
}
