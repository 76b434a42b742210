import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSecretRef, resolveSecretRef, SecretError } from '../../../../main/core/secrets/secret-ref.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('secret references', () => {
  it('parses the three kinds and treats anything else as a literal', () => {
    expect(parseSecretRef('env:KEY')).toEqual({ kind: 'env', name: 'KEY' });
    expect(parseSecretRef('file:/run/secret')).toEqual({ kind: 'file', path: '/run/secret' });
    expect(parseSecretRef('keychain:main-key')).toEqual({ kind: 'keychain', name: 'main-key' });
    expect(parseSecretRef('sk-literal')).toBeNull();
  });

  it('resolves env and file references', async () => {
    dir = await mkdtemp(join(tmpdir(), 'secret-'));
    const file = join(dir, 'key');
    await writeFile(file, 'from-file\n', { mode: 0o600 });
    expect(await resolveSecretRef({ kind: 'env', name: 'K' }, { env: { K: 'v1' } })).toBe('v1');
    expect(await resolveSecretRef({ kind: 'file', path: file })).toBe('from-file');
  });

  it('fails with a code and a next step, naming the reference and never a value', async () => {
    const missing = resolveSecretRef({ kind: 'env', name: 'NOPE' }, { env: {} });
    await expect(missing).rejects.toBeInstanceOf(SecretError);
    await expect(missing).rejects.toMatchObject({
      code: 'secret_env_missing',
      message: expect.stringMatching(/NOPE.*Export/),
    });
    await expect(resolveSecretRef({ kind: 'file', path: '/nonexistent/x' })).rejects.toMatchObject({
      code: 'secret_file_unreadable',
    });
    await expect(resolveSecretRef({ kind: 'keychain', name: 'k' })).rejects.toMatchObject({
      code: 'keychain_unavailable',
      message: expect.stringMatching(/file:\/path.*env:NAME/),
    });
    await expect(
      resolveSecretRef({ kind: 'keychain', name: 'k' }, { keychain: { get: async () => null } }),
    ).rejects.toMatchObject({ code: 'keychain_entry_missing' });
    await expect(resolveSecretRef({ kind: 'env', name: 'E' }, { env: { E: '' } })).rejects.toMatchObject({
      code: 'secret_empty',
    });
  });
});
