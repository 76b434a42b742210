/**
 * The keychain store against a real Secret Service (gnome-keyring on a private D-Bus session,
 * started by test/support/keyring-session.ts as Vitest globalSetup) with the real keytar.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogHub } from '../../../../main/core/observability/logger.js';
import { createKeychainStore, importKeytar } from '../../../../main/core/secrets/keychain-store.js';
import { resolveSecretRef } from '../../../../main/core/secrets/secret-ref.js';
import type { SecretStore } from '../../../../main/core/secrets/secret-store.js';
import {
  requirePrivateKeyring,
  startKeyringSession,
  type KeyringSession,
} from '../../../support/keyring-session.js';

const run = promisify(execFile);
const service = `mcp-tunnel-test-${randomBytes(4).toString('hex')}`;
const CANARY = 'canary-Kp4vR9-keychain-never-logged-2b1d';

let store: SecretStore;
let checked = false;
beforeEach(() => {
  requirePrivateKeyring(); // fails each test (never touches the real keychain) when globalSetup is missing
  checked = true;
  store = createKeychainStore({ service });
});

afterEach(async () => {
  if (!checked) return;
  for (const name of await store.list()) await store.delete(name);
});

describe('keychain store on a real Secret Service', () => {
  it('loads the real keytar through ESM interop', async () => {
    const keytar = await importKeytar();
    expect(typeof keytar.findCredentials).toBe('function');
  });

  it('round-trips set/get/list/delete, overwrites, and reports missing entries', async () => {
    expect(store.kind).toBe('keychain');
    expect(await store.probe()).toEqual({ ok: true });
    await store.set('openai-api-key', 'sk-first');
    await store.set('connector:token', 'ct-1');
    expect(await store.get('openai-api-key')).toBe('sk-first');
    await store.set('openai-api-key', 'sk-second');
    expect(await store.get('openai-api-key')).toBe('sk-second');
    expect(await store.list()).toEqual(['connector:token', 'openai-api-key']);
    expect(await store.delete('openai-api-key')).toBe(true);
    expect(await store.delete('openai-api-key')).toBe(false);
    expect(await store.get('openai-api-key')).toBeNull();
    expect(await store.list()).toEqual(['connector:token']);
  });

  it('keeps values in the keyring, visible to a second store and to keychain: references', async () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${randomBytes(3000).toString('base64')}\n-----END PRIVATE KEY-----`;
    await store.set('mtls-key', pem);
    const other = createKeychainStore({ service });
    expect(await other.get('mtls-key')).toBe(pem);
    expect(await resolveSecretRef({ kind: 'keychain', name: 'mtls-key' }, { keychain: other })).toBe(pem);
    // A different service is a different namespace.
    expect(await createKeychainStore({ service: `${service}-other` }).get('mtls-key')).toBeNull();
  });

  it('never shows a value in errors or logs (canary)', async () => {
    const hub = new LogHub({ level: 'debug' });
    const logged = createKeychainStore({ service, logger: hub.logger() });
    await logged.set('canary-entry', CANARY);
    expect(await logged.get('canary-entry')).toBe(CANARY);
    const names = await logged.list();
    expect(names).toEqual(['canary-entry']);
    const tooBig = await logged.set('canary-entry', CANARY.repeat(500)).catch((e: unknown) => e as Error);
    expect(tooBig).toBeInstanceOf(Error);
    expect(await logged.delete('canary-entry')).toBe(true);
    expect(hub.entries().length).toBeGreaterThan(0);
    expect(JSON.stringify(hub.entries())).not.toContain(CANARY);
    expect(JSON.stringify(names)).not.toContain(CANARY);
    expect((tooBig as Error).message).not.toContain(CANARY);
  });
});

describe('keychain store on a really locked keyring', () => {
  let locked: KeyringSession | undefined;
  afterAll(async () => {
    await locked?.stop();
  });

  it('probe reports keychain_locked and set() refuses', async () => {
    locked = await startKeyringSession();
    await run(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.secrets',
        '/org/freedesktop/secrets',
        'org.freedesktop.Secret.Service.Lock',
        'array:objpath:/org/freedesktop/secrets/collection/login',
      ],
      { env: locked.env(), timeout: 10_000 },
    );
    const child = fileURLToPath(new URL('./fixtures/locked-keyring-child.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', child], {
      env: locked.env(),
      timeout: 20_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      probe: {
        ok: false,
        code: 'keychain_locked',
        message: expect.stringContaining('The keychain is locked or refused to store secrets') as unknown,
      },
      set: { code: 'keychain_unavailable', failure: 'keychain_locked' },
      get: { code: 'keychain_unavailable', failure: 'keychain_locked' },
    });
  });
});
