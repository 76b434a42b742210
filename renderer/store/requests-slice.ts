/**
 * Recent commands for the Requests page: subscribe to `requests.record`, then load
 * `requests.list` and merge by `seq`. Records carry sizes and redacted headers, never payloads.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RequestRecordDto } from '../../preload/contract/index.js';
import { errorMessage, type Bridge } from '../bridge/bridge.js';
import { mergeBySeq } from './merge-by-seq.js';

export const MAX_REQUESTS = 500;

export interface RequestsState {
  /** Oldest first (by seq). */
  records: RequestRecordDto[];
  selectedSeq?: number;
  loaded: boolean;
  error?: string;
  hydrate: () => Promise<void>;
  receive: (record: RequestRecordDto) => void;
  select: (seq: number | undefined) => void;
  start: () => () => void;
}

export type RequestsStore = StoreApi<RequestsState>;

export type OutcomeTone = 'ok' | 'warn' | 'bad';

/** `ok` answered; `warn` the MCP server answered with a JSON-RPC error; `bad` the tunnel failed it. */
export function outcomeTone(r: RequestRecordDto): OutcomeTone {
  if (r.outcome === 'ok') return r.status !== undefined && r.status >= 400 ? 'warn' : 'ok';
  return r.outcome === 'mcp_error' ? 'warn' : 'bad';
}

export function createRequestsStore(bridge: Bridge): RequestsStore {
  return createStore<RequestsState>()((set, get) => ({
    records: [],
    loaded: false,

    async hydrate() {
      try {
        const { records } = await bridge.call('requests.list', { limit: MAX_REQUESTS });
        set((s) => ({
          records: mergeBySeq(s.records, records, MAX_REQUESTS),
          loaded: true,
          error: undefined,
        }));
      } catch (err) {
        set({ error: errorMessage(err), loaded: true });
      }
    },

    receive(record) {
      set((s) => ({ records: mergeBySeq(s.records, [record], MAX_REQUESTS) }));
    },

    select(seq) {
      set({ selectedSeq: seq });
    },

    start() {
      const off = bridge.on('requests.record', (r) => get().receive(r));
      let wasLive = false;
      const offLive = bridge.onLiveState?.((live) => {
        if (live !== 'live') return;
        if (wasLive) void get().hydrate();
        wasLive = true;
      });
      void get().hydrate();
      return () => {
        off();
        offLive?.();
      };
    },
  }));
}
