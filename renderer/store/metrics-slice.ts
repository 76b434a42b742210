/**
 * Metrics for the charts. The contract has no metrics event, so this slice polls
 * `metrics.snapshot` at the snapshot's own interval (5 s by default) while a page shows it;
 * `start()` returns the stop. A failed poll keeps the last good snapshot and says why.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { MetricsSnapshot } from '../../preload/contract/index.js';
import { errorCode, errorMessage, type Bridge } from '../bridge/bridge.js';
import type { ContractErrorCode } from '../../preload/contract/index.js';

export interface MetricsState {
  snapshot?: MetricsSnapshot;
  error?: { code: ContractErrorCode; message: string };
  refresh: () => Promise<void>;
  start: () => () => void;
}

export type MetricsStore = StoreApi<MetricsState>;

export interface MetricsStoreOptions {
  /** Poll period when the snapshot does not say; default 5000 ms. */
  pollMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export function createMetricsStore(bridge: Bridge, options: MetricsStoreOptions = {}): MetricsStore {
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  return createStore<MetricsState>()((set, get) => ({
    async refresh() {
      try {
        const snapshot = await bridge.call('metrics.snapshot', {});
        set({ snapshot, error: undefined });
      } catch (err) {
        set({ error: { code: errorCode(err), message: errorMessage(err) } });
      }
    },

    start() {
      let stopped = false;
      let timer: unknown;
      const loop = async (): Promise<void> => {
        await get().refresh();
        if (stopped) return;
        const every = Math.max(1000, get().snapshot?.intervalMs ?? options.pollMs ?? 5000);
        timer = setTimer(() => void loop(), every);
      };
      void loop();
      return () => {
        stopped = true;
        if (timer !== undefined) clearTimer(timer);
      };
    },
  }));
}
