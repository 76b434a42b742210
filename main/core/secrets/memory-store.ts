/**
 * In-process SecretStore: for the in-app demo and for tests of components that read secrets.
 * Same validation as the keychain store; nothing survives the process.
 */
import { assertSecretName, assertSecretValue, type KeychainProbe, type SecretStore } from './secret-store.js';

export function createMemoryStore(initial: Record<string, string> = {}): SecretStore {
  const entries = new Map<string, string>();
  for (const [name, value] of Object.entries(initial)) {
    assertSecretName(name);
    assertSecretValue(name, value);
    entries.set(name, value);
  }
  return {
    kind: 'memory',
    async get(name: string): Promise<string | null> {
      assertSecretName(name);
      return entries.get(name) ?? null;
    },
    async set(name: string, value: string): Promise<void> {
      assertSecretName(name);
      assertSecretValue(name, value);
      entries.set(name, value);
    },
    async delete(name: string): Promise<boolean> {
      assertSecretName(name);
      return entries.delete(name);
    },
    async list(): Promise<string[]> {
      return [...entries.keys()].sort();
    },
    async probe(): Promise<KeychainProbe> {
      return { ok: true };
    },
  };
}
