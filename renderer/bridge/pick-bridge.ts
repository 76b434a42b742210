/**
 * Chooses the transport: the Electron preload's `window.mcpTunnel` when present (IPC), else the
 * daemon's HTTP API on this page's own origin with the admin token from the URL fragment.
 * Returns undefined when neither is available (opened without the token).
 */
import type { ContractMethod, ContractResult, ParamsOf, ResultOf } from '../../preload/contract/index.js';
import { BridgeError, type Bridge } from './bridge.js';
import { takeAdminToken } from './admin-token.js';
import { createHttpBridge } from './http-bridge.js';

/** What the Electron preload exposes: the Bridge plus `invoke`, which keeps error codes. */
type PreloadApi = Bridge & {
  invoke?: <M extends ContractMethod>(method: M, params: ParamsOf<M>) => Promise<ContractResult<ResultOf<M>>>;
};

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in a plain browser. */
    mcpTunnel?: PreloadApi;
  }
}

/** Errors thrown across contextBridge lose their code; rebuild coded errors from `invoke`. */
function ipcBridge(api: PreloadApi): Bridge {
  const invoke = api.invoke;
  if (!invoke) return api;
  return {
    ...api,
    on: api.on.bind(api),
    async call(method, params) {
      const result = await invoke(method, params);
      if (!result.ok) throw new BridgeError(result.error.code, result.error.message);
      return result.result;
    },
  };
}

function looksLikeBridge(value: unknown): value is Bridge {
  const v = value as Partial<Bridge> | undefined;
  return typeof v?.call === 'function' && typeof v.on === 'function';
}

export function pickBridge(win: Window = window): Bridge | undefined {
  if (looksLikeBridge(win.mcpTunnel)) return ipcBridge(win.mcpTunnel);
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
