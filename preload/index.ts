/**
 * The preload: exposes the admin contract to the renderer as `window.mcpTunnel`, with the
 * renderer's Bridge shape (`call`, `on`, `saveFile`) and nothing else; `ipcRenderer` itself is
 * never exposed. Every call goes to its own channel `mcp-tunnel/<method>`; the main process
 * checks the sender and the payload again (main/shell/ipc/ipc-router.ts).
 *
 * Built on its own (tsconfig.preload.json, CommonJS): a sandboxed preload is a plain script whose
 * `require` knows only electron's modules, so this file is self-contained and imports only types.
 * The channel names repeat main/shell/ipc/channel-registry.ts; a test proves they match, and the
 * `satisfies` clauses below fail type-checking when the contract gains a method or event.
 */
import type * as Electron from 'electron';
import type {
  ContractEvent,
  ContractEvents,
  ContractMethod,
  ContractResult,
  ParamsOf,
  ResultOf,
} from './contract/index.js';

export const PRELOAD_PREFIX = 'mcp-tunnel/';
export const PRELOAD_CHANNELS = {
  event: `${PRELOAD_PREFIX}event`,
  subscribe: `${PRELOAD_PREFIX}subscribe`,
  unsubscribe: `${PRELOAD_PREFIX}unsubscribe`,
  saveFile: `${PRELOAD_PREFIX}save-file`,
} as const;

/** The methods the bridge forwards: exactly the contract's (type-checked both ways). */
export const PRELOAD_METHODS = {
  'status.get': true,
  'tunnels.start': true,
  'tunnels.stop': true,
  'tunnels.revealToken': true,
  'logs.tail': true,
  'logs.getLevel': true,
  'logs.setLevel': true,
  'requests.list': true,
  'metrics.snapshot': true,
  'bundle.create': true,
  'doctor.run': true,
  'profiles.list': true,
  'profiles.validate': true,
  'profiles.save': true,
  'profiles.remove': true,
  'profiles.get': true,
  'probe.command': true,
  'probe.url': true,
  'integrations.codex.preview': true,
  'integrations.codex.add': true,
  'integrations.codex.remove': true,
  'integrations.codex.verify': true,
} as const satisfies Record<ContractMethod, true>;

export const PRELOAD_EVENTS = {
  'status.tunnel': true,
  'status.removed': true,
  'logs.entry': true,
  'requests.record': true,
} as const satisfies Record<ContractEvent, true>;

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface PreloadBridge {
  call<M extends ContractMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  /**
   * The same call, answering the contract's plain result: errors thrown across contextBridge
   * keep only their message, so the renderer builds its coded errors from this instead.
   */
  invoke<M extends ContractMethod>(method: M, params: ParamsOf<M>): Promise<ContractResult<ResultOf<M>>>;
  on<E extends ContractEvent>(event: E, listener: (payload: ContractEvents[E]) => void): () => void;
  saveFile(file: { fileName: string; base64: string }): Promise<void>;
}

function has(table: Record<string, true>, key: unknown): boolean {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key);
}

/**
 * Errors cross the context bridge as plain Errors (message only), so a failed `call` rejects with
 * the contract's message; the renderer uses `invoke` to keep the error code.
 */
async function unwrap<T>(answer: Promise<unknown>): Promise<T> {
  const result = (await answer) as ContractResult<T> | undefined;
  if (result && result.ok) return result.result;
  throw new Error(result?.error.message ?? 'MCP Tunnel did not answer; restart it from the tray.');
}

export function createPreloadBridge(ipc: IpcRendererLike): PreloadBridge {
  const listeners = new Map<ContractEvent, Set<(payload: never) => void>>();
  ipc.on(PRELOAD_CHANNELS.event, (_event, name, payload) => {
    if (!has(PRELOAD_EVENTS, name)) return;
    for (const l of listeners.get(name as ContractEvent) ?? []) {
      try {
        l(payload as never);
      } catch {
        // one broken listener must not stop the others
      }
    }
  });
  return {
    call(method, params) {
      if (!has(PRELOAD_METHODS, method))
        return Promise.reject(new Error(`'${String(method)}' is not an MCP Tunnel method.`));
      return unwrap(ipc.invoke(`${PRELOAD_PREFIX}${method}`, params ?? {}));
    },
    async invoke(method, params) {
      if (!has(PRELOAD_METHODS, method)) {
        return {
          ok: false,
          error: { code: 'not_found', message: `'${String(method)}' is not an MCP Tunnel method.` },
        };
      }
      const answer = (await ipc.invoke(`${PRELOAD_PREFIX}${method}`, params ?? {})) as
        ContractResult<never> | undefined;
      return (
        answer ?? {
          ok: false,
          error: { code: 'unavailable', message: 'MCP Tunnel did not answer; restart it from the tray.' },
        }
      );
    },
    on(event, listener) {
      if (!has(PRELOAD_EVENTS, event)) throw new Error(`'${String(event)}' is not an MCP Tunnel event.`);
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        void ipc.invoke(PRELOAD_CHANNELS.subscribe, event);
      }
      const l = listener as (payload: never) => void;
      set.add(l);
      return () => {
        const current = listeners.get(event);
        if (!current?.delete(l) || current.size > 0) return;
        listeners.delete(event);
        void ipc.invoke(PRELOAD_CHANNELS.unsubscribe, event);
      };
    },
    saveFile(file) {
      return unwrap<unknown>(
        ipc.invoke(PRELOAD_CHANNELS.saveFile, { fileName: file.fileName, base64: file.base64 }),
      ).then(() => undefined);
    },
  };
}

// Inside Electron's sandboxed renderer only: `process.type` is 'renderer' there and `require`
// is the sandbox's own, which can load 'electron'. Under Node (tests) nothing below runs.
if (typeof process !== 'undefined' && process.type === 'renderer' && typeof require === 'function') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS
  const { contextBridge, ipcRenderer } = require('electron') as typeof Electron;
  contextBridge.exposeInMainWorld('mcpTunnel', createPreloadBridge(ipcRenderer));
}
