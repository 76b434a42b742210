import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../../main/core/secrets/memory-store.js';
import { resolveSecretRef } from '../../../../main/core/secrets/secret-ref.js';
import { MAX_SECRET_VALUE_BYTES } from '../../../../main/core/secrets/secret-store.js';

describe('memory secret store', () => {
  it('stores, overwrites, lists names only and deletes', async () => {
    const store = createMemoryStore({ 'seed-key': 'seed-value' });
    expect(store.kind).toBe('memory');
    expect(await store.probe()).toEqual({ ok: true });
    await store.set('b-key', 'one');
    await store.set('a-key', 'two');
    await store.set('b-key', 'three');
    expect(await store.get('b-key')).toBe('three');
    expect(await store.list()).toEqual(['a-key', 'b-key', 'seed-key']);
    expect(await store.delete('a-key')).toBe(true);
    expect(await store.delete('a-key')).toBe(false);
    expect(await store.get('a-key')).toBeNull();
  });

  it('serves keychain: references for the resolver', async () => {
    const store = createMemoryStore({ 'api-key': 'sk-from-memory' });
    expect(await resolveSecretRef({ kind: 'keychain', name: 'api-key' }, { keychain: store })).toBe(
      'sk-from-memory',
    );
    await expect(
      resolveSecretRef({ kind: 'keychain', name: 'other' }, { keychain: store }),
    ).rejects.toMatchObject({
      code: 'keychain_entry_missing',
    });
  });

  it('applies the same name and size rules as the keychain', async () => {
    const store = createMemoryStore();
    await expect(store.set('-leading-dash', 'v')).rejects.toMatchObject({ code: 'secret_ref_invalid' });
    await expect(store.get('has space')).rejects.toMatchObject({ code: 'secret_ref_invalid' });
    await expect(store.set('x'.repeat(129), 'v')).rejects.toMatchObject({ code: 'secret_ref_invalid' });
    await expect(store.set('empty', '')).rejects.toMatchObject({ code: 'secret_empty' });
    await expect(store.set('pem', 'x'.repeat(MAX_SECRET_VALUE_BYTES + 1))).rejects.toThrow(/file:\/path/);
    await store.set('Max.len_ok:1-' + 'x'.repeat(115), 'x'.repeat(MAX_SECRET_VALUE_BYTES));
    expect(() => createMemoryStore({ 'bad name': 'v' })).toThrow(/keychain entry name/);
  });
});
