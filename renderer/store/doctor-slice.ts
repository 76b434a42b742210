/** The doctor checks (`doctor.run`); `unavailable` is a normal answer from daemons without doctor. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ContractErrorCode, DoctorReport } from '../../preload/contract/index.js';
import { errorCode, errorMessage, type Bridge } from '../bridge/bridge.js';

export interface DoctorState {
  running: boolean;
  report?: DoctorReport;
  error?: { code: ContractErrorCode; message: string };
  run: (profile?: string) => Promise<void>;
}

export type DoctorStore = StoreApi<DoctorState>;

export function createDoctorStore(bridge: Bridge): DoctorStore {
  return createStore<DoctorState>()((set) => ({
    running: false,
    async run(profile) {
      set({ running: true, error: undefined });
      try {
        const report = await bridge.call('doctor.run', profile ? { profile } : {});
        set({ report });
      } catch (err) {
        set({ error: { code: errorCode(err), message: errorMessage(err) }, report: undefined });
      } finally {
        set({ running: false });
      }
    },
  }));
}
