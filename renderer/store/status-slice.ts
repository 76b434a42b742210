/**
 * Tunnel status, "snapshot, then deltas": subscribe to `status.tunnel` first, then load
 * `status.get`; an event is applied only when its `rev` is newer than what the tunnel already
 * shows, so a snapshot never overwrites a newer event and a late event never rolls back.
 * After the event stream reconnects the snapshot is loaded again (events may have been missed).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ContractEvents, TunnelSummary } from '../../preload/contract/index.js';
import { errorMessage, type Bridge, type LiveState } from '../bridge/bridge.js';

export interface StatusState {
  loaded: boolean;
  loadError?: string;
  version?: string;
  tunnels: TunnelSummary[];
  /** Per tunnel, the `rev` of what is shown. */
  revs: Record<string, number>;
  live: LiveState;
  /** Tunnels whose on/off switch is being applied. */
  switching: Record<string, boolean>;
  actionError: Record<string, string | undefined>;
  /** Revealed connector tokens, in memory only until hidden. */
  tokens: Record<string, string | undefined>;
  hydrate: () => Promise<void>;
  applyEvent: (event: ContractEvents['status.tunnel']) => void;
  setEnabled: (id: string, enabled: boolean) => Promise<void>;
  revealToken: (id: string) => Promise<void>;
  hideToken: (id: string) => void;
  /** Subscribe, then hydrate; returns the unsubscribe. */
  start: () => () => void;
}

export type StatusStore = StoreApi<StatusState>;

export function createStatusStore(bridge: Bridge): StatusStore {
  return createStore<StatusState>()((set, get) => ({
    loaded: false,
    tunnels: [],
    revs: {},
    live: bridge.onLiveState ? 'connecting' : 'live',
    switching: {},
    actionError: {},
    tokens: {},

    async hydrate() {
      try {
        const snap = await bridge.call('status.get', {});
        const { revs, tunnels: shown } = get();
        const nextRevs: Record<string, number> = {};
        const tunnels = snap.tunnels.map((t) => {
          const mine = revs[t.id];
          const current = shown.find((s) => s.id === t.id);
          if (mine !== undefined && mine > snap.rev && current) {
            nextRevs[t.id] = mine;
            return current;
          }
          nextRevs[t.id] = snap.rev;
          return t;
        });
        // Tunnels announced by events newer than the snapshot stay; older unknown ones are gone.
        for (const t of shown) {
          const mine = revs[t.id];
          if (!(t.id in nextRevs) && mine !== undefined && mine > snap.rev) {
            tunnels.push(t);
            nextRevs[t.id] = mine;
          }
        }
        set({ loaded: true, loadError: undefined, version: snap.version, tunnels, revs: nextRevs });
      } catch (err) {
        set({ loadError: errorMessage(err) });
      }
    },

    applyEvent({ rev, tunnel }) {
      const { revs, tunnels } = get();
      if (rev <= (revs[tunnel.id] ?? -1)) return;
      const at = tunnels.findIndex((t) => t.id === tunnel.id);
      const next = at === -1 ? [...tunnels, tunnel] : tunnels.map((t, i) => (i === at ? tunnel : t));
      set({ tunnels: next, revs: { ...revs, [tunnel.id]: rev } });
    },

    async setEnabled(id, enabled) {
      const revBefore = get().revs[id];
      set((s) => ({
        switching: { ...s.switching, [id]: true },
        actionError: { ...s.actionError, [id]: undefined },
      }));
      try {
        const summary = await bridge.call(enabled ? 'tunnels.start' : 'tunnels.stop', { id });
        // No event arrived meanwhile (or the transport has none): show the answer.
        if (get().revs[id] === revBefore) {
          set((s) => ({ tunnels: s.tunnels.map((t) => (t.id === id ? summary : t)) }));
        }
      } catch (err) {
        set((s) => ({ actionError: { ...s.actionError, [id]: errorMessage(err) } }));
      } finally {
        set((s) => ({ switching: { ...s.switching, [id]: false } }));
      }
    },

    async revealToken(id) {
      try {
        const { connectorToken } = await bridge.call('tunnels.revealToken', { id });
        set((s) => ({
          tokens: { ...s.tokens, [id]: connectorToken },
          actionError: { ...s.actionError, [id]: undefined },
        }));
      } catch (err) {
        set((s) => ({ actionError: { ...s.actionError, [id]: errorMessage(err) } }));
      }
    },

    hideToken(id) {
      set((s) => ({ tokens: { ...s.tokens, [id]: undefined } }));
    },

    start() {
      const offEvent = bridge.on('status.tunnel', (e) => get().applyEvent(e));
      const offRemoved = bridge.on('status.removed', (e) => {
        const { [e.id]: _rev, ...revs } = get().revs;
        set({ tunnels: get().tunnels.filter((t) => t.id !== e.id), revs });
      });
      let wasLive = false;
      const offLive = bridge.onLiveState?.((live) => {
        set({ live });
        if (live === 'live') {
          if (wasLive) void get().hydrate();
          wasLive = true;
        }
      });
      void get().hydrate();
      return () => {
        offEvent();
        offRemoved();
        offLive?.();
      };
    },
  }));
}
