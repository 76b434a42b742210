/**
 * The profile wizard: the form as typed, live checks (profiles.validate, probe.command,
 * probe.url), then profiles.save {start:true} and doctor.run for the saved profile. The API key
 * and client key live only here until saved (then they go to the keychain and are forgotten).
 *
 * Steps: destination → key → server → advanced → review (free to move back and forth).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  ConnectionKind,
  DoctorReport,
  ProfileDraft,
  ProfileSecrets,
  ProfileSummary,
  ValidationIssue,
} from '../../preload/contract/index.js';
import { errorCode, errorMessage, type Bridge } from '../bridge/bridge.js';

export const WIZARD_STEPS = ['destination', 'key', 'server', 'advanced', 'review'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export interface WizardForm {
  name: string;
  displayName: string;
  connection: ConnectionKind;
  tunnelId: string;
  baseUrl: string;
  /** A key (stored in the keychain on save) or a reference (env:NAME, file:/path, keychain:NAME). */
  apiKey: string;
  serverKind: 'command' | 'url';
  command: string;
  url: string;
  /** One `Name: value` per line. */
  headers: string;
  proxyUrl: string;
  caBundlePath: string;
  clientCertPath: string;
  /** A PEM private key (stored in the keychain) or a reference. */
  clientKey: string;
  autostart: boolean;
}

export type CheckState = { state: 'idle' | 'checking' } | { state: 'ok' | 'bad'; message: string };

export interface WizardState {
  step: WizardStep;
  form: WizardForm;
  issues: ValidationIssue[];
  commandCheck: CheckState;
  urlProbe: CheckState;
  saving: boolean;
  saved?: ProfileSummary;
  doctor?: DoctorReport;
  doctorRunning: boolean;
  error?: { code: string; message: string };
  setStep: (step: WizardStep) => void;
  update: (patch: Partial<WizardForm>) => void;
  validate: () => Promise<void>;
  checkCommand: () => Promise<void>;
  probeUrl: () => Promise<void>;
  save: () => Promise<void>;
  reset: () => void;
}

export type WizardStore = StoreApi<WizardState>;

export const EMPTY_FORM: WizardForm = {
  name: '',
  displayName: '',
  connection: 'openai',
  tunnelId: '',
  baseUrl: '',
  apiKey: '',
  serverKind: 'command',
  command: '',
  url: '',
  headers: '',
  proxyUrl: '',
  caBundlePath: '',
  clientCertPath: '',
  clientKey: '',
  autostart: true,
};

const REF = /^(env|file|keychain):/;

/** `Name: value` lines → headers; lines without a colon are reported by the caller. */
export function parseHeaders(text: string): { headers: Record<string, string>; bad: string[] } {
  const headers: Record<string, string> = {};
  const bad: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const i = line.indexOf(':');
    if (i <= 0) bad.push(line.trim().slice(0, 40));
    else headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return { headers, bad };
}

export function draftOf(form: WizardForm): ProfileDraft {
  const own = form.connection !== 'demo';
  const { headers } = parseHeaders(form.headers);
  const channel =
    form.serverKind === 'command'
      ? form.command.trim()
        ? [{ name: 'main', kind: 'stdio' as const, command: form.command.trim() }]
        : []
      : form.url.trim()
        ? [
            {
              name: 'main',
              kind: 'http' as const,
              url: form.url.trim(),
              ...(Object.keys(headers).length ? { headers } : {}),
            },
          ]
        : [];
  const advanced = {
    ...(form.proxyUrl.trim() ? { proxyUrl: form.proxyUrl.trim() } : {}),
    ...(form.caBundlePath.trim() ? { caBundlePath: form.caBundlePath.trim() } : {}),
    ...(form.clientCertPath.trim() ? { clientCertPath: form.clientCertPath.trim() } : {}),
    ...(REF.test(form.clientKey.trim()) ? { clientKeyRef: form.clientKey.trim() } : {}),
  };
  return {
    name: form.name.trim(),
    ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}),
    connection: form.connection,
    ...(own && form.tunnelId.trim() ? { tunnelId: form.tunnelId.trim() } : {}),
    ...(own && form.baseUrl.trim() ? { baseUrl: form.baseUrl.trim() } : {}),
    ...(own && REF.test(form.apiKey.trim()) ? { apiKeyRef: form.apiKey.trim() } : {}),
    channels: channel,
    autostart: form.autostart,
    ...(Object.keys(advanced).length ? { advanced } : {}),
  };
}

function secretsOf(form: WizardForm): ProfileSecrets {
  const key = form.apiKey.trim();
  const pem = form.clientKey.trim();
  return {
    ...(form.connection !== 'demo' && key && !REF.test(key) ? { apiKey: key } : {}),
    ...(pem && !REF.test(pem) ? { clientKeyPem: form.clientKey } : {}),
  };
}

export function createWizardStore(bridge: Bridge): WizardStore {
  let validation = 0;
  let commandSeq = 0;
  return createStore<WizardState>()((set, get) => ({
    step: 'destination',
    form: EMPTY_FORM,
    issues: [],
    commandCheck: { state: 'idle' },
    urlProbe: { state: 'idle' },
    saving: false,
    doctorRunning: false,
    setStep: (step) => set({ step }),
    update: (patch) => {
      const form = { ...get().form, ...patch };
      const reset: Partial<WizardState> = {};
      if ('command' in patch) reset.commandCheck = { state: 'idle' };
      if ('url' in patch || 'headers' in patch) reset.urlProbe = { state: 'idle' };
      set({ form, ...reset });
    },
    async validate() {
      const seq = ++validation;
      try {
        const { issues } = await bridge.call('profiles.validate', { draft: draftOf(get().form) });
        if (seq === validation) set({ issues });
      } catch (err) {
        if (seq === validation) set({ error: { code: errorCode(err), message: errorMessage(err) } });
      }
    },
    async checkCommand() {
      const command = get().form.command.trim();
      const seq = ++commandSeq;
      if (!command) return set({ commandCheck: { state: 'idle' } });
      set({ commandCheck: { state: 'checking' } });
      try {
        const r = await bridge.call('probe.command', { command });
        if (seq === commandSeq) set({ commandCheck: { state: r.ok ? 'ok' : 'bad', message: r.message } });
      } catch (err) {
        if (seq === commandSeq) set({ commandCheck: { state: 'bad', message: errorMessage(err) } });
      }
    },
    async probeUrl() {
      const form = get().form;
      set({ urlProbe: { state: 'checking' } });
      const { headers } = parseHeaders(form.headers);
      try {
        const r = await bridge.call('probe.url', {
          url: form.url.trim(),
          ...(Object.keys(headers).length ? { headers } : {}),
        });
        set({ urlProbe: { state: r.ok ? 'ok' : 'bad', message: r.message } });
      } catch (err) {
        set({ urlProbe: { state: 'bad', message: errorMessage(err) } });
      }
    },
    async save() {
      const form = get().form;
      set({ saving: true, error: undefined });
      try {
        const secrets = secretsOf(form);
        const saved = await bridge.call('profiles.save', {
          draft: draftOf(form),
          ...(Object.keys(secrets).length ? { secrets } : {}),
          start: true,
        });
        // The keys are in the keychain now: forget them here.
        set({ saved, form: { ...get().form, apiKey: '', clientKey: '' }, doctorRunning: true });
        try {
          set({ doctor: await bridge.call('doctor.run', { profile: saved.name }) });
        } catch {
          // Doctor is optional in a daemon; the save stands.
        } finally {
          set({ doctorRunning: false });
        }
      } catch (err) {
        set({ error: { code: errorCode(err), message: errorMessage(err) } });
        if (errorCode(err) === 'validation_failed') await get().validate();
      } finally {
        set({ saving: false });
      }
    },
    reset: () =>
      set({
        step: 'destination',
        form: EMPTY_FORM,
        issues: [],
        commandCheck: { state: 'idle' },
        urlProbe: { state: 'idle' },
        saved: undefined,
        doctor: undefined,
        error: undefined,
      }),
  }));
}
