/**
 * The standalone relay's state file: tunnels with hashed credentials, JSON, mode 0600.
 * Every write goes to a temp file in the same directory, is fsynced, then renamed over the
 * state file, so a crash leaves either the old or the new state, never a torn one. With
 * `watch`, changes made by another process (`mcp-tunnel relay tunnels create` while the
 * relay serves) are picked up within about a second.
 */
import { writeFileAtomic } from '../runtime/atomic-write.js';
import { watchFile, unwatchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { RelayStore, TunnelRecord } from './store.js';

export class RelayStateError extends Error {
  readonly code = 'relay_state_invalid';
}

interface StateFileTunnel {
  id: string;
  name: string;
  description: string;
  runtime_key_sha256: string[];
  connector_token_sha256: string[];
  created_at: string;
}

interface StateFile {
  version: 1;
  tunnels: StateFileTunnel[];
}

export interface FileStoreOptions {
  /** Re-read the file when another process changes it (the serving relay). */
  watch?: boolean;
  /** Called when a re-read fails (the previous state stays in effect). */
  onReloadError?: (error: Error) => void;
}

export interface FileRelayStore extends RelayStore {
  readonly path: string;
  /** Re-read the file now. */
  reload(): Promise<void>;
}

export async function openFileStore(path: string, options: FileStoreOptions = {}): Promise<FileRelayStore> {
  let records = await readState(path);
  let writing: Promise<void> = Promise.resolve();

  /** Writes are serialized; each applies its change to the state left by the previous one. */
  const persist = <T>(change: (next: Map<string, TunnelRecord>) => T): Promise<T> => {
    const run = writing.then(async () => {
      const next = new Map(records);
      const result = change(next);
      await writeFileAtomic(path, serialize(next));
      records = next;
      return result;
    });
    writing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  const reload = async (): Promise<void> => {
    records = await readState(path);
  };

  const onChange = (): void => {
    reload().catch((error: unknown) => options.onReloadError?.(error as Error));
  };
  if (options.watch) watchFile(path, { persistent: false, interval: 1000 }, onChange);

  return {
    path,
    reload,
    get: (id) => records.get(id),
    list: () => [...records.values()],
    put: async (record) => {
      await persist((next) => next.set(record.id, record));
    },
    delete: async (id) => (records.has(id) ? persist((next) => next.delete(id)) : false),
    close: async () => {
      if (options.watch) unwatchFile(path, onChange);
      await writing;
    },
  };
}

async function readState(path: string): Promise<Map<string, TunnelRecord>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new RelayStateError(
      `Cannot read the relay state file ${path}: ${(error as Error).message}. Check its permissions.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RelayStateError(
      `The relay state file ${path} is not valid JSON. Restore it from a backup or move it away to start empty.`,
    );
  }
  return new Map(decodeState(parsed, path).map((t) => [t.id, t]));
}

function decodeState(value: unknown, path: string): TunnelRecord[] {
  const bad = (what: string): RelayStateError =>
    new RelayStateError(`The relay state file ${path} is malformed (${what}). Restore it or move it away.`);
  if (!isObject(value) || value['version'] !== 1 || !Array.isArray(value['tunnels']))
    throw bad('expected {"version":1,"tunnels":[...]}');
  return value['tunnels'].map((entry: unknown, index) => {
    if (
      !isObject(entry) ||
      typeof entry['id'] !== 'string' ||
      typeof entry['name'] !== 'string' ||
      typeof entry['description'] !== 'string' ||
      typeof entry['created_at'] !== 'string' ||
      !isStringArray(entry['runtime_key_sha256']) ||
      !isStringArray(entry['connector_token_sha256'])
    )
      throw bad(`tunnels[${index}]`);
    return {
      id: entry['id'],
      name: entry['name'],
      description: entry['description'],
      runtimeKeyHashes: entry['runtime_key_sha256'],
      connectorTokenHashes: entry['connector_token_sha256'],
      createdAt: entry['created_at'],
    };
  });
}

function serialize(records: Map<string, TunnelRecord>): string {
  const state: StateFile = {
    version: 1,
    tunnels: [...records.values()].map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      runtime_key_sha256: [...r.runtimeKeyHashes],
      connector_token_sha256: [...r.connectorTokenHashes],
      created_at: r.createdAt,
    })),
  };
  return `${JSON.stringify(state, null, 2)}\n`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
