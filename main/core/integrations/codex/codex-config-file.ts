/**
 * Reads and writes Codex's `config.toml` for "Add to Codex":
 *   - location: `$CODEX_HOME/config.toml`, default `~/.codex/config.toml`
 *     (Windows `%USERPROFILE%\.codex\config.toml`)
 *   - the directory (0700) and file (0600) are created when missing
 *   - read-modify-write under `config.toml.lock`; the previous file is kept as
 *     `config.toml.bak` (0600); the new file replaces it atomically (temp + fsync + rename)
 *   - idempotent: nothing is written when the text would not change
 */
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, win32 } from 'node:path';
import type { Clock } from '../../runtime/clock.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { CodexConfigError } from './codex-errors.js';
import { withFileLock } from './config-lock.js';
import { renderEntryTable, type CodexMcpEntry } from './entry-toml.js';
import {
  codexEntryFor,
  type CodexEntryOptions,
  type CodexEntryPlan,
  type CodexTunnelRef,
} from './codex-entry.js';
import { parseConfig, removeMcpServer, upsertMcpServer } from './mcp-servers-editor.js';

export interface CodexLocation {
  /** Overrides CODEX_HOME. */
  codexHome?: string;
  env: NodeJS.ProcessEnv;
  /** Defaults to process.platform. */
  platform?: NodeJS.Platform;
}

export interface WriteHooks {
  clock?: Clock;
  /** Test hook: runs after the new file is written and synced, before it replaces the old one. */
  beforeRename?: (tempPath: string) => Promise<void>;
  /** How long to wait for another writer's lock (default 10 s). */
  lockWaitMs?: number;
}

export interface AddToCodexOptions extends CodexLocation, WriteHooks {
  name: string;
  entry: CodexMcpEntry;
}

export interface AddToCodexResult {
  path: string;
  /** False when the file already held exactly this entry (nothing was written). */
  changed: boolean;
  /** The entry's table as written (may contain the token in header mode: do not print it). */
  entryToml: string;
}

export function codexHomeDir(location: CodexLocation): string {
  if (location.codexHome) return location.codexHome;
  const env = location.env;
  if (env.CODEX_HOME) return env.CODEX_HOME;
  if ((location.platform ?? process.platform) === 'win32') {
    return win32.join(env.USERPROFILE ?? homedir(), '.codex');
  }
  return join(env.HOME ?? homedir(), '.codex');
}

export function codexConfigPath(location: CodexLocation): string {
  const home = codexHomeDir(location);
  return (location.platform ?? process.platform) === 'win32'
    ? win32.join(home, 'config.toml')
    : join(home, 'config.toml');
}

/** The file's text, or '' when it does not exist yet. */
export async function readCodexConfig(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new CodexConfigError(
      'codex_config_io',
      `Could not read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check its permissions.`,
    );
  }
}

export async function addToCodex(options: AddToCodexOptions): Promise<AddToCodexResult> {
  const path = codexConfigPath(options);
  const changed = await editLocked(path, options, (text) =>
    upsertMcpServer(text, options.name, options.entry),
  );
  return { path, changed, entryToml: renderEntryTable(options.name, options.entry) };
}

export async function removeFromCodex(
  options: CodexLocation & WriteHooks & { name: string },
): Promise<{ path: string; removed: boolean }> {
  const path = codexConfigPath(options);
  const removed = await editLocked(path, options, (text) => removeMcpServer(text, options.name).text);
  return { path, removed };
}

/** What Add would write (nothing is written): the plan, the target file, and whether it parses. */
export async function previewCodexEntry(
  options: CodexLocation & { tunnel: CodexTunnelRef; entryOptions: CodexEntryOptions },
): Promise<CodexEntryPlan & { path: string; exists: boolean; replaces: boolean }> {
  const plan = codexEntryFor(options.tunnel, options.entryOptions);
  const path = codexConfigPath(options);
  const text = await readCodexConfig(path);
  const doc = parseConfig(text);
  const servers = doc.mcp_servers as Record<string, unknown> | undefined;
  return { ...plan, path, exists: text.length > 0, replaces: servers?.[plan.name] !== undefined };
}

/** Read, edit, and (when the text changed) back up and replace the file, all under the lock. */
async function editLocked(path: string, hooks: WriteHooks, edit: (text: string) => string): Promise<boolean> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    throw new CodexConfigError('codex_config_io', `Could not create ${dir} (${err.code ?? 'error'}).`);
  });
  return withFileLock(
    `${path}.lock`,
    {
      ...(hooks.clock ? { clock: hooks.clock } : {}),
      ...(hooks.lockWaitMs ? { waitMs: hooks.lockWaitMs } : {}),
    },
    async () => {
      const before = await readCodexConfig(path);
      const after = edit(before);
      if (after === before) return false;
      try {
        if (before.length > 0) await writeFileAtomic(`${path}.bak`, before, { mode: 0o600 });
        await writeFileAtomic(path, after, {
          mode: 0o600,
          ...(hooks.beforeRename ? { beforeRename: hooks.beforeRename } : {}),
        });
      } catch (err) {
        if (err instanceof CodexConfigError) throw err;
        throw new CodexConfigError(
          'codex_config_io',
          `Could not write ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the previous file is unchanged.`,
        );
      }
      return true;
    },
  );
}
