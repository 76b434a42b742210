/**
 * Where `keychain:NAME` secrets live. Two implementations: keychain-store.ts (the OS keychain via
 * keytar) and memory-store.ts (in-process, for the demo and for tests of other components).
 *
 * Names are entry names (the keytar account under one service); values are never listed,
 * logged or put in an error message.
 */
import { SecretError, type SecretReader } from './secret-ref.js';

/** Why the keychain cannot be used right now. */
export type KeychainFailureCode = 'keychain_unavailable' | 'keychain_locked';

export type KeychainProbe = { ok: true } | { ok: false; code: KeychainFailureCode; message: string };

export interface SecretStore extends SecretReader {
  readonly kind: 'keychain' | 'memory';
  /** The value, or null when there is no such entry. */
  get(name: string): Promise<string | null>;
  /** Creates or overwrites an entry; verified by reading it back. */
  set(name: string, value: string): Promise<void>;
  /** True when an entry was removed, false when there was none. */
  delete(name: string): Promise<boolean>;
  /** Entry names, sorted; never values. */
  list(): Promise<string[]>;
  /** Whether secrets can be stored and read back here; `message` says what to do next. */
  probe(): Promise<KeychainProbe>;
}

/**
 * A keychain failure. `code` stays `keychain_unavailable` (a SecretErrorCode, so every caller of
 * the resolver handles it); `failure` refines it (`keychain_locked` when the keyring refuses).
 */
export class KeychainError extends SecretError {
  constructor(
    readonly failure: KeychainFailureCode,
    message: string,
  ) {
    super('keychain_unavailable', message);
    this.name = 'KeychainError';
  }
}

export const DEFAULT_KEYCHAIN_SERVICE = 'mcp-tunnel';
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Largest value the stores accept, in UTF-8 bytes. */
export const MAX_SECRET_VALUE_BYTES = 16 * 1024;

export function isValidSecretName(name: string): boolean {
  return SECRET_NAME_PATTERN.test(name);
}

/** Throws `secret_ref_invalid` for a bad name; the name itself is not echoed (it may be a pasted secret). */
export function assertSecretName(name: string): void {
  if (typeof name === 'string' && isValidSecretName(name)) return;
  const length = typeof name === 'string' ? name.length : 0;
  throw new SecretError(
    'secret_ref_invalid',
    `A keychain entry name must be 1-128 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit (got ${length} characters). Pick a name like 'openai-api-key'.`,
  );
}

/** Throws `secret_empty` / `secret_ref_invalid` for a value the stores will not hold. */
export function assertSecretValue(name: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new SecretError(
      'secret_empty',
      `The value for keychain entry '${name}' is empty. Provide the secret, then retry.`,
    );
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_SECRET_VALUE_BYTES) {
    throw new SecretError(
      'secret_ref_invalid',
      `The value for keychain entry '${name}' is ${bytes} bytes; the keychain holds at most ${MAX_SECRET_VALUE_BYTES}. ` +
        `Store it in a file readable only by you (mode 0600) and reference it as file:/path instead (usual for mTLS certificate chains).`,
    );
  }
}
