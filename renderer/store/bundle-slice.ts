/**
 * The support bundle: pick a time window, create it (`bundle.create`), and save it: through the
 * transport's native save when it has one (Electron), else as a browser download.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BundleResult } from '../../preload/contract/index.js';
import { errorMessage, type Bridge, type SaveableFile } from '../bridge/bridge.js';

export const BUNDLE_WINDOWS: ReadonlyArray<{ minutes: number; label: string }> = [
  { minutes: 15, label: 'Last 15 minutes' },
  { minutes: 60, label: 'Last hour' },
  { minutes: 360, label: 'Last 6 hours' },
  { minutes: 1440, label: 'Last 24 hours' },
];

/** What every bundle holds (the daemon's support-bundle layout), shown before creating one. */
export const BUNDLE_CONTENTS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'manifest.json', description: 'Version, creation time, window, and a SHA-256 of every file' },
  { name: 'README.txt', description: 'What each file is and how secrets were removed' },
  {
    name: 'config.redacted.json',
    description: 'Tunnel configuration with keys, tokens and header values redacted',
  },
  { name: 'logs.ndjson', description: 'Log entries inside the chosen window, redacted' },
  { name: 'metrics.prom', description: 'Current Prometheus metrics' },
  { name: 'status.json', description: 'Tunnel and channel status, readiness' },
];

export interface BundleState {
  windowMinutes: number;
  creating: boolean;
  result?: Omit<BundleResult, 'base64'>;
  savedAt?: number;
  error?: string;
  setWindow: (minutes: number) => void;
  create: () => Promise<void>;
}

export type BundleStore = StoreApi<BundleState>;

export type SaveFile = (file: SaveableFile) => Promise<void> | void;

export function createBundleStore(bridge: Bridge, save: SaveFile, now: () => number = Date.now): BundleStore {
  return createStore<BundleState>()((set, get) => ({
    windowMinutes: 60,
    creating: false,

    setWindow(minutes) {
      set({ windowMinutes: minutes });
    },

    async create() {
      set({ creating: true, error: undefined });
      try {
        const made = await bridge.call('bundle.create', { windowMinutes: get().windowMinutes });
        await save({ fileName: made.fileName, base64: made.base64 });
        set({ result: { fileName: made.fileName, files: made.files }, savedAt: now() });
      } catch (err) {
        set({ error: errorMessage(err) });
      } finally {
        set({ creating: false });
      }
    },
  }));
}
