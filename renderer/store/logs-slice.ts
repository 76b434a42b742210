/**
 * The live log tail: subscribe to `logs.entry`, then load `logs.tail` and merge by `seq`.
 * Pause freezes what is shown; entries keep arriving into `held` and join on resume.
 * `level` is the daemon's runtime level (logs.setLevel), not the view filter: the view filter
 * only hides entries, the runtime level decides which entries exist at all.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LogEntryDto, LogLevel } from '../../preload/contract/index.js';
import { errorMessage, type Bridge } from '../bridge/bridge.js';
import { mergeBySeq } from './merge-by-seq.js';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
export const MAX_LOG_ENTRIES = 2000;

export interface LogFilter {
  /** Show entries at this level and above. */
  minLevel: LogLevel;
  text: string;
}

export interface LogsState {
  entries: LogEntryDto[];
  held: LogEntryDto[];
  paused: boolean;
  filter: LogFilter;
  /** The daemon's runtime log level, once known. */
  level?: LogLevel;
  levelBusy: boolean;
  error?: string;
  hydrate: () => Promise<void>;
  receive: (entry: LogEntryDto) => void;
  setPaused: (paused: boolean) => void;
  setFilter: (filter: Partial<LogFilter>) => void;
  clear: () => void;
  setLevel: (level: LogLevel) => Promise<void>;
  start: () => () => void;
}

export type LogsStore = StoreApi<LogsState>;

/** Entries that pass the view filter (level at or above, text anywhere in message, scope or fields). */
export function filterLogs(entries: readonly LogEntryDto[], filter: LogFilter): LogEntryDto[] {
  const min = RANK[filter.minLevel];
  const needle = filter.text.trim().toLowerCase();
  return entries.filter((e) => {
    if (RANK[e.level] < min) return false;
    if (!needle) return true;
    if (e.msg.toLowerCase().includes(needle) || e.scope?.toLowerCase().includes(needle)) return true;
    return e.fields ? JSON.stringify(e.fields).toLowerCase().includes(needle) : false;
  });
}

export function createLogsStore(bridge: Bridge): LogsStore {
  return createStore<LogsState>()((set, get) => ({
    entries: [],
    held: [],
    paused: false,
    filter: { minLevel: 'debug', text: '' },
    levelBusy: false,

    async hydrate() {
      try {
        const [tail, level] = await Promise.all([
          bridge.call('logs.tail', { limit: 1000 }),
          bridge.call('logs.getLevel', {}),
        ]);
        const s = get();
        if (s.paused) set({ held: mergeBySeq(s.held, tail.entries, MAX_LOG_ENTRIES), level: level.level });
        else set({ entries: mergeBySeq(s.entries, tail.entries, MAX_LOG_ENTRIES), level: level.level });
        set({ error: undefined });
      } catch (err) {
        set({ error: errorMessage(err) });
      }
    },

    receive(entry) {
      const s = get();
      if (s.paused) set({ held: mergeBySeq(s.held, [entry], MAX_LOG_ENTRIES) });
      else set({ entries: mergeBySeq(s.entries, [entry], MAX_LOG_ENTRIES) });
    },

    setPaused(paused) {
      const s = get();
      if (paused === s.paused) return;
      if (paused) set({ paused: true });
      else set({ paused: false, held: [], entries: mergeBySeq(s.entries, s.held, MAX_LOG_ENTRIES) });
    },

    setFilter(filter) {
      set((s) => ({ filter: { ...s.filter, ...filter } }));
    },

    clear() {
      set({ entries: [], held: [] });
    },

    async setLevel(level) {
      set({ levelBusy: true });
      try {
        const result = await bridge.call('logs.setLevel', { level });
        set({ level: result.level, error: undefined });
      } catch (err) {
        set({ error: errorMessage(err) });
      } finally {
        set({ levelBusy: false });
      }
    },

    start() {
      const off = bridge.on('logs.entry', (e) => get().receive(e));
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
