/**
 * Our error paths around keytar, with an injected keytar: missing module, hung calls, a keyring
 * that reads back null (locked), failures that quote the value. The real keychain is exercised
 * in keychain-store.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKeychainStore, type KeytarLike } from '../../../../main/core/secrets/keychain-store.js';
import { KeychainError, MAX_SECRET_VALUE_BYTES } from '../../../../main/core/secrets/secret-store.js';
import { LogHub } from '../../../../main/core/observability/logger.js';

const CANARY = 'canary-Zq8xW2-do-not-leak-7f3e';

/** An in-memory keytar; `dropWrites` makes reads come back null, as keytar does on a locked keyring. */
function fakeKeytar(options: { dropWrites?: (account: string) => boolean } = {}): KeytarLike & {
  data: Map<string, string>;
  calls: string[];
} {
  const data = new Map<string, string>();
  const calls: string[] = [];
  return {
    data,
    calls,
    async getPassword(service, account) {
      calls.push(`get ${account}`);
      return data.get(`${service}/${account}`) ?? null;
    },
    async setPassword(service, account, password) {
      calls.push(`set ${account}`);
      if (!options.dropWrites?.(account)) data.set(`${service}/${account}`, password);
    },
    async deletePassword(service, account) {
      calls.push(`delete ${account}`);
      return data.delete(`${service}/${account}`);
    },
    async findCredentials(service) {
      return [...data.entries()]
        .filter(([key]) => key.startsWith(`${service}/`))
        .map(([key, password]) => ({ account: key.slice(service.length + 1), password }));
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('keychain store: keytar missing', () => {
  it('fails every call with keychain_unavailable and the next step, loading once', async () => {
    const loadKeytar = vi.fn(async (): Promise<KeytarLike> => {
      throw Object.assign(new Error("Cannot find package 'keytar' imported from /x/y.js"), {
        code: 'ERR_MODULE_NOT_FOUND',
      });
    });
    const store = createKeychainStore({ loadKeytar });
    const attempts = [store.get('api-key'), store.set('api-key', 'v'), store.delete('api-key'), store.list()];
    for (const attempt of attempts) {
      const err = await attempt.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KeychainError);
      expect(err).toMatchObject({ code: 'keychain_unavailable', failure: 'keychain_unavailable' });
      expect((err as Error).message).toMatch(
        /^The OS keychain is not available: the keytar module is not installed/,
      );
      expect((err as Error).message).toContain('Use env:NAME or file:/path references instead');
      expect((err as Error).message).toContain('apt-get install libsecret-1-0 gnome-keyring');
    }
    const probe = await store.probe();
    expect(probe).toMatchObject({ ok: false, code: 'keychain_unavailable' });
    expect(loadKeytar).toHaveBeenCalledTimes(1);
  });

  it('names a native load failure (no libsecret) in the reason', async () => {
    const store = createKeychainStore({
      loadKeytar: async () => {
        throw Object.assign(
          new Error('libsecret-1.so.0: cannot open shared object file: No such file or directory'),
          {
            code: 'ERR_DLOPEN_FAILED',
          },
        );
      },
    });
    await expect(store.get('k')).rejects.toThrow(
      /native module could not load \(libsecret-1\.so\.0: cannot open/,
    );
  });
});

describe('keychain store: timeouts', () => {
  it('rejects a hung keytar call with keychain_unavailable once the timeout has passed, not before', async () => {
    vi.useFakeTimers();
    const never = (): Promise<never> => new Promise<never>(() => undefined);
    const hung: KeytarLike = {
      getPassword: never,
      setPassword: never,
      deletePassword: never,
      findCredentials: never,
    };
    const store = createKeychainStore({ loadKeytar: async () => hung, timeoutMs: 5000 });
    let settled: unknown = 'pending';
    const pending = store.get('api-key').then(
      (v) => (settled = v),
      (e: unknown) => (settled = e),
    );
    await vi.advanceTimersByTimeAsync(4999);
    expect(settled).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(settled).toBeInstanceOf(KeychainError);
    expect(settled).toMatchObject({ code: 'keychain_unavailable', failure: 'keychain_unavailable' });
    expect((settled as Error).message).toMatch(/did not answer within 5 s \(read an entry\)/);
    expect((settled as Error).message).toMatch(/env:name or file:\/path/i);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('probe reports a hung keychain as unavailable; a late answer is ignored', async () => {
    vi.useFakeTimers();
    let release: (() => void) | undefined;
    const keytar = fakeKeytar();
    const slowSet: KeytarLike = {
      ...keytar,
      setPassword: () => new Promise<void>((resolve) => (release = resolve)),
    };
    const store = createKeychainStore({ loadKeytar: async () => slowSet, timeoutMs: 200 });
    const result = store.probe();
    await vi.advanceTimersByTimeAsync(200);
    expect(await result).toMatchObject({ ok: false, code: 'keychain_unavailable' });
    release?.(); // the late answer resolves a promise nobody waits on any more
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears its timer when keytar answers in time', async () => {
    vi.useFakeTimers();
    const store = createKeychainStore({ loadKeytar: async () => fakeKeytar() });
    await store.set('k', 'v');
    expect(await store.get('k')).toBe('v');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('keychain store: locked keyring', () => {
  it('probe reports keychain_locked when the read-back is null, and set() refuses', async () => {
    const keytar = fakeKeytar({ dropWrites: () => true });
    const store = createKeychainStore({ loadKeytar: async () => keytar });
    const probe = await store.probe();
    expect(probe).toEqual({
      ok: false,
      code: 'keychain_locked',
      message:
        'The keychain is locked or refused to store secrets: unlock it (e.g. log in to the desktop session / run gnome-keyring-daemon --unlock) or use env:/file: references.',
    });
    await expect(store.set('api-key', 'v')).rejects.toMatchObject({
      code: 'keychain_unavailable',
      failure: 'keychain_locked',
    });
    expect(keytar.calls.filter((c) => c.includes('api-key'))).toEqual([]);
    // A null read on a locked keyring is not reported as "no such entry".
    await expect(store.get('api-key')).rejects.toMatchObject({ failure: 'keychain_locked' });
  });

  it('maps a "locked collection" rejection to keychain_locked', async () => {
    const keytar = fakeKeytar();
    keytar.setPassword = async () => {
      throw new Error('Cannot create an item in a locked collection');
    };
    const store = createKeychainStore({ loadKeytar: async () => keytar });
    expect(await store.probe()).toMatchObject({ ok: false, code: 'keychain_locked' });
  });

  it('set() fails loudly when the keychain does not keep the entry', async () => {
    const keytar = fakeKeytar({ dropWrites: (account) => account === 'api-key' });
    const store = createKeychainStore({ loadKeytar: async () => keytar });
    await expect(store.set('api-key', 'v')).rejects.toThrow(/did not keep entry 'api-key'.*locked/);
  });

  it('caches a good probe, and probes again after a failed one (the user may unlock)', async () => {
    let locked = true;
    const keytar = fakeKeytar({ dropWrites: () => locked });
    const store = createKeychainStore({ loadKeytar: async () => keytar });
    expect((await store.probe()).ok).toBe(false);
    locked = false;
    expect(await store.probe()).toEqual({ ok: true });
    await store.set('a', '1');
    await store.set('b', '2');
    expect(await store.get('missing')).toBeNull();
    expect(keytar.calls.filter((c) => c === 'set .mcp-tunnel-probe')).toHaveLength(2);
    expect(await store.list()).toEqual(['a', 'b']);
  });
});

describe('keychain store: validation and secrecy', () => {
  it('rejects bad names and oversized values before touching keytar', async () => {
    const loadKeytar = vi.fn(async () => fakeKeytar());
    const store = createKeychainStore({ loadKeytar });
    await expect(store.get('.hidden')).rejects.toMatchObject({ code: 'secret_ref_invalid' });
    await expect(store.set('ok', 'x'.repeat(MAX_SECRET_VALUE_BYTES + 1))).rejects.toThrow(
      /at most 16384.*reference it as file:\/path/,
    );
    await expect(store.set('ok', '')).rejects.toMatchObject({ code: 'secret_empty' });
    expect(loadKeytar).not.toHaveBeenCalled();
  });

  it('never puts the value in an error or a log line, even when keytar quotes it', async () => {
    const hub = new LogHub({ level: 'debug' });
    const keytar = fakeKeytar();
    const store = createKeychainStore({ loadKeytar: async () => keytar, logger: hub.logger() });
    await store.probe();
    keytar.setPassword = async (_s, _a, password) => {
      throw new Error(`backend rejected secret "${password}"`);
    };
    const messages: string[] = [];
    for (const attempt of [
      store.set('api-key', CANARY),
      store.set('big', CANARY.repeat(1000)),
      store.set('bad name', CANARY),
    ]) {
      await attempt.then(
        () => expect.fail('should have failed'),
        (e: unknown) => messages.push((e as Error).message),
      );
    }
    expect(messages[0]).toMatch(/failed to store an entry: backend rejected secret "\[value\]"/);
    expect(messages.join('\n')).not.toContain(CANARY);
    expect(JSON.stringify(hub.entries())).not.toContain(CANARY);
    expect(hub.entries().length).toBeGreaterThan(0);
  });
});
