/**
 * Secret values in configuration are references, never literals:
 *   env:NAME        the value of environment variable NAME
 *   file:/path      the contents of a file (trailing newline trimmed)
 *   keychain:NAME   an entry in the OS keychain (see secret-store.ts)
 */
import { readFile } from 'node:fs/promises';

export type SecretRef =
  { kind: 'env'; name: string } | { kind: 'file'; path: string } | { kind: 'keychain'; name: string };

export type SecretErrorCode =
  | 'secret_ref_invalid'
  | 'secret_env_missing'
  | 'secret_file_unreadable'
  | 'secret_empty'
  | 'keychain_unavailable'
  | 'keychain_entry_missing';

export class SecretError extends Error {
  constructor(
    readonly code: SecretErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretError';
  }
}

/** Parses `env:` / `file:` / `keychain:` references; returns null for anything else. */
export function parseSecretRef(value: string): SecretRef | null {
  const m = /^(env|file|keychain):(.+)$/.exec(value.trim());
  if (!m) return null;
  const [, kind, rest = ''] = m;
  if (kind === 'env') return { kind, name: rest };
  if (kind === 'file') return { kind, path: rest };
  return { kind: 'keychain', name: rest };
}

export function describeSecretRef(ref: SecretRef): string {
  return ref.kind === 'file' ? `file:${ref.path}` : `${ref.kind}:${ref.name}`;
}

/** The keychain as the resolver needs it; implemented by secrets/keychain-store.ts. */
export interface SecretReader {
  get(name: string): Promise<string | null>;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  keychain?: SecretReader;
  readText?: (path: string) => Promise<string>;
}

/** Resolve a reference to its value. Errors name the reference (never a value) and the fix. */
export async function resolveSecretRef(ref: SecretRef, options: ResolveOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  let value: string | null | undefined;
  switch (ref.kind) {
    case 'env':
      value = env[ref.name];
      if (value === undefined) {
        throw new SecretError(
          'secret_env_missing',
          `Environment variable ${ref.name} is not set (referenced as env:${ref.name}). Export it before starting, or use file:/path or keychain:NAME.`,
        );
      }
      break;
    case 'file':
      try {
        value = (await (options.readText ?? ((p) => readFile(p, 'utf8')))(ref.path)).replace(/\r?\n$/, '');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        throw new SecretError(
          'secret_file_unreadable',
          `Cannot read secret file ${ref.path} (${code}). Check the path and that this user may read it (mode 0600 recommended).`,
        );
      }
      break;
    case 'keychain':
      if (!options.keychain) {
        throw new SecretError(
          'keychain_unavailable',
          `keychain:${ref.name} cannot be read: no OS keychain is available here. Store the secret in a file (file:/path) or an environment variable (env:NAME) instead.`,
        );
      }
      value = await options.keychain.get(ref.name);
      if (value === null) {
        throw new SecretError(
          'keychain_entry_missing',
          `The keychain has no entry '${ref.name}'. Add it with 'mcp-tunnel profiles edit' or the app's wizard, or use env:/file:.`,
        );
      }
      break;
  }
  if (!value) {
    throw new SecretError(
      'secret_empty',
      `${describeSecretRef(ref)} is empty. Put the secret there, then retry.`,
    );
  }
  return value;
}
