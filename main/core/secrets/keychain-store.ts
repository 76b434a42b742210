/**
 * SecretStore on the OS keychain through keytar (macOS Keychain, Windows Credential Manager,
 * Secret Service on Linux). Entries live under one keytar service; the account is the name.
 *
 * keytar is an optional native dependency: it is loaded lazily, and when it is missing or cannot
 * load (no libsecret at install time) every call fails with `keychain_unavailable` and the fix.
 * Every keytar call runs under a timeout (a frozen Secret Service can hang a call for ~50 s; the
 * late answer is ignored). keytar reads `null` silently from a locked keyring, so `probe()` writes
 * a random value, reads it back and deletes it; `set()` probes first and verifies by read-back,
 * and a `get()` that finds nothing probes before answering "no such entry".
 *
 * Probe state:  unknown ──probe ok──▶ ok (cached for the store's lifetime)
 *               unknown ──probe fails──▶ unknown (the next call probes again; the user may unlock)
 *               ok ──set() read-back differs──▶ unknown
 */
import { randomBytes } from 'node:crypto';
import { silentLogger, type Logger } from '../observability/logger.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import {
  assertSecretName,
  assertSecretValue,
  DEFAULT_KEYCHAIN_SERVICE,
  isValidSecretName,
  KeychainError,
  type KeychainProbe,
  type SecretStore,
} from './secret-store.js';

/** The part of keytar's API this store uses. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

export interface KeychainStoreOptions {
  /** keytar service all entries live under (default `mcp-tunnel`). */
  service?: string;
  /** Bound on every keytar call (default 5000 ms). */
  timeoutMs?: number;
  /** How keytar is loaded (default: dynamic `import('keytar')`). Injected only by tests. */
  loadKeytar?: () => Promise<KeytarLike>;
  logger?: Logger;
  clock?: Clock;
}

/** Written and deleted by `probe()`; not a valid entry name, so it never collides or lists. */
const PROBE_ACCOUNT = '.mcp-tunnel-probe';

const FALLBACK_HINT = 'Use env:NAME or file:/path references instead';
export const KEYCHAIN_LOCKED_MESSAGE =
  'The keychain is locked or refused to store secrets: unlock it (e.g. log in to the desktop session / run gnome-keyring-daemon --unlock) or use env:/file: references.';

const KEYTAR_FUNCTIONS = ['getPassword', 'setPassword', 'deletePassword', 'findCredentials'] as const;

/** Loads keytar, whichever way the CJS module's exports arrive through ESM interop. */
export async function importKeytar(): Promise<KeytarLike> {
  const specifier = 'keytar'; // a variable: keytar is optional, so type-checking must not need it
  const mod = (await import(specifier)) as { default?: unknown };
  // Node's CJS export detection sees only `getPassword` as a named export, so prefer `default`
  // (module.exports); bundlers and Vitest may hand over module.exports itself.
  const complete = (c: unknown): c is KeytarLike =>
    typeof c === 'object' &&
    c !== null &&
    KEYTAR_FUNCTIONS.every((n) => typeof (c as Record<string, unknown>)[n] === 'function');
  if (complete(mod.default)) return mod.default;
  if (complete(mod)) return mod;
  throw new Error(`the keytar module does not export ${KEYTAR_FUNCTIONS.join('/')}`);
}

export function createKeychainStore(options: KeychainStoreOptions = {}): SecretStore {
  const service = options.service ?? DEFAULT_KEYCHAIN_SERVICE;
  const timeoutMs = options.timeoutMs ?? 5000;
  const loadKeytar = options.loadKeytar ?? importKeytar;
  const log = (options.logger ?? silentLogger).child('secrets/keychain', { service });
  const clock = options.clock ?? systemClock;

  let loading: Promise<KeytarLike> | undefined;
  let probedOk = false;
  let probing: Promise<KeychainProbe> | undefined;

  function load(): Promise<KeytarLike> {
    loading ??= loadKeytar().catch((err: unknown) => {
      const reason = loadFailureReason(err);
      log.warn('OS keychain unavailable: keytar did not load', { reason });
      throw new KeychainError(
        'keychain_unavailable',
        `The OS keychain is not available: ${reason}. ${FALLBACK_HINT}, or install libsecret (Linux: apt-get install libsecret-1-0 gnome-keyring) and reinstall.`,
      );
    });
    return loading;
  }

  /** Runs one keytar call under the timeout; rejections become KeychainErrors with no value in them. */
  async function call<T>(op: string, run: (keytar: KeytarLike) => Promise<T>, value?: string): Promise<T> {
    const keytar = await load();
    let pending: Promise<T>;
    try {
      pending = run(keytar);
    } catch (err) {
      pending = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const stop = new AbortController();
    const outcome = await Promise.race([
      pending.then(
        (result) => ({ kind: 'value' as const, result }),
        (error: unknown) => ({ kind: 'error' as const, error }),
      ),
      clock.sleep(timeoutMs, stop.signal).then(
        () => ({ kind: 'timeout' as const }),
        () => ({ kind: 'timeout' as const }),
      ),
    ]);
    stop.abort();
    if (outcome.kind === 'value') return outcome.result;
    if (outcome.kind === 'timeout') {
      log.warn('OS keychain call timed out', { op, timeout_ms: timeoutMs });
      throw new KeychainError(
        'keychain_unavailable',
        `The OS keychain did not answer within ${formatSeconds(timeoutMs)} s (${op}). Its Secret Service may be frozen: restart it (log out and in, or run gnome-keyring-daemon --replace), or ${FALLBACK_HINT.toLowerCase()}.`,
      );
    }
    const reason = shortReason(outcome.error, value);
    log.warn('OS keychain call failed', { op, reason });
    if (/locked|unlock|prompt|dismissed/i.test(reason))
      throw new KeychainError('keychain_locked', KEYCHAIN_LOCKED_MESSAGE);
    throw new KeychainError(
      'keychain_unavailable',
      `The OS keychain failed to ${op}: ${reason}. ${FALLBACK_HINT}, or check that the keychain service is running.`,
    );
  }

  async function runProbe(): Promise<KeychainProbe> {
    const token = randomBytes(16).toString('hex');
    try {
      await call('store the probe entry', (k) => k.setPassword(service, PROBE_ACCOUNT, token), token);
      const back = await call('read the probe entry', (k) => k.getPassword(service, PROBE_ACCOUNT));
      try {
        await call('delete the probe entry', (k) => k.deletePassword(service, PROBE_ACCOUNT));
      } catch {
        // Already logged by call(); a leftover probe entry is harmless.
      }
      if (back !== token) {
        log.warn('OS keychain probe: read-back did not match', {
          got: back === null ? 'null' : 'other value',
        });
        return { ok: false, code: 'keychain_locked', message: KEYCHAIN_LOCKED_MESSAGE };
      }
      log.debug('OS keychain probe ok');
      return { ok: true };
    } catch (err) {
      if (err instanceof KeychainError) return { ok: false, code: err.failure, message: err.message };
      throw err;
    }
  }

  async function probe(): Promise<KeychainProbe> {
    if (probedOk) return { ok: true };
    probing ??= runProbe()
      .then((result) => {
        probedOk = result.ok;
        return result;
      })
      .finally(() => {
        probing = undefined;
      });
    return probing;
  }

  async function requireUsable(): Promise<void> {
    const result = await probe();
    if (!result.ok) throw new KeychainError(result.code, result.message);
  }

  return {
    kind: 'keychain',
    probe,
    async get(name: string): Promise<string | null> {
      assertSecretName(name);
      const value = await call('read an entry', (k) => k.getPassword(service, name));
      if (value !== null) return value;
      await requireUsable(); // a locked keyring also reads null: tell that apart from "no entry"
      return null;
    },
    async set(name: string, value: string): Promise<void> {
      assertSecretName(name);
      assertSecretValue(name, value);
      await requireUsable();
      await call('store an entry', (k) => k.setPassword(service, name, value), value);
      const back = await call('read back an entry', (k) => k.getPassword(service, name));
      if (back !== value) {
        probedOk = false;
        log.warn('OS keychain did not keep an entry', { name });
        throw new KeychainError(
          'keychain_locked',
          `The keychain did not keep entry '${name}'. ${KEYCHAIN_LOCKED_MESSAGE}`,
        );
      }
      log.info('keychain entry stored', { name });
    },
    async delete(name: string): Promise<boolean> {
      assertSecretName(name);
      const removed = await call('delete an entry', (k) => k.deletePassword(service, name));
      log.info('keychain entry deleted', { name, removed });
      return removed;
    },
    async list(): Promise<string[]> {
      const credentials = await call('list entries', (k) => k.findCredentials(service));
      return credentials
        .map((c) => c.account)
        .filter(isValidSecretName)
        .sort();
    },
  };
}

function formatSeconds(ms: number): string {
  return String(Math.round(ms / 10) / 100);
}

/** First line of an error, bounded, with the value (if any) cut out. */
function shortReason(err: unknown, value?: string): string {
  let text = err instanceof Error ? err.message : String(err);
  if (value) text = text.split(value).join('[value]');
  const line = text.split('\n')[0]?.trim() || 'unknown error';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function loadFailureReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return 'the keytar module is not installed (it is optional and builds only where libsecret is present)';
  }
  if (code === 'ERR_DLOPEN_FAILED') return `keytar's native module could not load (${shortReason(err)})`;
  return shortReason(err);
}
