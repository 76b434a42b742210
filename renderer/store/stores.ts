/**
 * Every feature's slice, created with the one bridge injected. `start()` opens the live
 * subscriptions (status, logs, requests) and returns the stop; metrics poll only while the
 * Metrics page is shown (the page starts and stops them).
 */
import type { Bridge } from '../bridge/bridge.js';
import { browserDownload } from './browser-download.js';
import { createBundleStore, type BundleStore, type SaveFile } from './bundle-slice.js';
import { createDoctorStore, type DoctorStore } from './doctor-slice.js';
import { createLogsStore, type LogsStore } from './logs-slice.js';
import { createMetricsStore, type MetricsStore, type MetricsStoreOptions } from './metrics-slice.js';
import { createRequestsStore, type RequestsStore } from './requests-slice.js';
import { createIntegrationsStore, type IntegrationsStore } from './integrations-slice.js';
import { createStatusStore, type StatusStore } from './status-slice.js';
import { createWizardStore, type WizardStore } from './wizard-slice.js';

export interface Stores {
  status: StatusStore;
  logs: LogsStore;
  requests: RequestsStore;
  metrics: MetricsStore;
  bundle: BundleStore;
  doctor: DoctorStore;
  wizard: WizardStore;
  integrations: IntegrationsStore;
  start(): () => void;
}

export interface StoresOptions {
  /** How a bundle is saved; default the bridge's native save, else a browser download. */
  save?: SaveFile;
  metrics?: MetricsStoreOptions;
}

export function createStores(bridge: Bridge, options: StoresOptions = {}): Stores {
  const save: SaveFile =
    options.save ?? (bridge.saveFile ? (f) => bridge.saveFile!(f) : (f) => browserDownload(f));
  const stores = {
    status: createStatusStore(bridge),
    logs: createLogsStore(bridge),
    requests: createRequestsStore(bridge),
    metrics: createMetricsStore(bridge, options.metrics),
    bundle: createBundleStore(bridge, save),
    doctor: createDoctorStore(bridge),
    wizard: createWizardStore(bridge),
    integrations: createIntegrationsStore(bridge),
  };
  return {
    ...stores,
    start() {
      const stops = [
        stores.status.getState().start(),
        stores.logs.getState().start(),
        stores.requests.getState().start(),
      ];
      return () => {
        for (const stop of stops) stop();
      };
    },
  };
}
