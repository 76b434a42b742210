/**
 * Add to Codex per tunnel: the chosen token mode and name, the preview (the exact entry, token
 * masked) shown before anything is written, and the outcome of Add / Remove / Verify.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CodexPreview, CodexTokenModeDto } from '../../preload/contract/index.js';
import { errorMessage, type Bridge } from '../bridge/bridge.js';

export interface CodexTunnelState {
  tokenMode: CodexTokenModeDto;
  name: string;
  preview?: CodexPreview;
  busy?: 'preview' | 'add' | 'remove' | 'verify';
  result?: { ok: boolean; message: string };
}

export interface IntegrationsState {
  byTunnel: Record<string, CodexTunnelState>;
  setOptions: (tunnelId: string, patch: Partial<Pick<CodexTunnelState, 'tokenMode' | 'name'>>) => void;
  preview: (tunnelId: string) => Promise<void>;
  add: (tunnelId: string) => Promise<void>;
  remove: (tunnelId: string) => Promise<void>;
  verify: (tunnelId: string) => Promise<void>;
}

export type IntegrationsStore = StoreApi<IntegrationsState>;

/** The name proposed for a tunnel (the daemon's default too). */
export function defaultCodexName(tunnelId: string): string {
  return `mcp-tunnel-${tunnelId}`.replace(/[^a-zA-Z0-9_-]+/g, '-').replace(/-{2,}/g, '-');
}

export function codexStateOf(state: Pick<IntegrationsState, 'byTunnel'>, tunnelId: string): CodexTunnelState {
  return state.byTunnel[tunnelId] ?? { tokenMode: 'env', name: defaultCodexName(tunnelId) };
}

export function createIntegrationsStore(bridge: Bridge): IntegrationsStore {
  return createStore<IntegrationsState>()((set, get) => {
    const patch = (id: string, p: Partial<CodexTunnelState>): void =>
      set((s) => ({ byTunnel: { ...s.byTunnel, [id]: { ...codexStateOf(s, id), ...p } } }));
    const request = (id: string) => {
      const t = codexStateOf(get(), id);
      return { tunnelId: id, tokenMode: t.tokenMode, ...(t.name.trim() ? { name: t.name.trim() } : {}) };
    };
    const run = async (id: string, busy: CodexTunnelState['busy'], work: () => Promise<void>) => {
      patch(id, { busy, result: undefined });
      try {
        await work();
      } catch (err) {
        patch(id, { result: { ok: false, message: errorMessage(err) } });
      } finally {
        patch(id, { busy: undefined });
      }
    };
    return {
      byTunnel: {},
      setOptions: (id, p) => patch(id, { ...p, preview: undefined, result: undefined }),
      preview: (id) =>
        run(id, 'preview', async () =>
          patch(id, { preview: await bridge.call('integrations.codex.preview', request(id)) }),
        ),
      add: (id) =>
        run(id, 'add', async () => {
          const r = await bridge.call('integrations.codex.add', request(id));
          patch(id, {
            result: {
              ok: true,
              message: r.changed
                ? `Added to ${r.configPath}. Restart Codex to load it.`
                : `${r.configPath} already holds this entry; nothing changed.`,
            },
            preview: await bridge.call('integrations.codex.preview', request(id)),
          });
        }),
      remove: (id) =>
        run(id, 'remove', async () => {
          const name = request(id).name ?? defaultCodexName(id);
          const r = await bridge.call('integrations.codex.remove', { name });
          patch(id, {
            result: {
              ok: true,
              message: r.removed ? `Removed '${name}' from Codex.` : `Codex had no '${name}' entry.`,
            },
            preview: undefined,
          });
        }),
      verify: (id) =>
        run(id, 'verify', async () => {
          const r = await bridge.call('integrations.codex.verify', {
            name: request(id).name ?? defaultCodexName(id),
          });
          patch(id, { result: { ok: r.ok, message: r.message } });
        }),
    };
  });
}
