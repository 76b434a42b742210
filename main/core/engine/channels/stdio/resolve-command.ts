/**
 * Preflight before spawning: find the executable the way a shell would (PATH, and PATHEXT on
 * Windows), but ourselves, so a missing command is a clear error instead of a bare ENOENT and
 * the channel never needs a shell.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { commandNotExecutable, commandNotFound } from './stdio-errors.js';

export interface ResolveCommandOptions {
  /** The child's environment: its PATH (and PATHEXT) are searched. */
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  platform?: NodeJS.Platform;
  /** 'missing' | 'not-executable' | 'ok' for one candidate path (injectable for tests). */
  probe?: (candidate: string) => CandidateState;
}

export type CandidateState = 'missing' | 'not-executable' | 'ok';

const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';

/** Absolute path of the executable for `command`, or a StdioChannelError with a next step. */
export function resolveCommand(command: string, options: ResolveCommandOptions): string {
  const platform = options.platform ?? process.platform;
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const probe = options.probe ?? probeCandidate(platform);
  const cwd = options.cwd ?? process.cwd();
  const extensions =
    platform === 'win32' ? windowsExtensions(command, envValue(options.env, 'PATHEXT', platform)) : [''];
  const hasSeparator = platform === 'win32' ? /[\\/]/.test(command) : command.includes('/');
  const dirs = hasSeparator ? [''] : splitPath(envValue(options.env, 'PATH', platform), platform);
  let sawNotExecutable = false;
  for (const dir of dirs) {
    const base = hasSeparator ? paths.resolve(cwd, command) : paths.resolve(cwd, dir, command);
    for (const ext of extensions) {
      const candidate = base + ext;
      const state = probe(candidate);
      if (state === 'ok') return candidate;
      if (state === 'not-executable') sawNotExecutable = true;
    }
  }
  throw sawNotExecutable ? commandNotExecutable(command) : commandNotFound(command);
}

/** Candidate suffixes on Windows: as written when it already has a PATHEXT extension, then each PATHEXT. */
export function windowsExtensions(command: string, pathext: string | undefined): string[] {
  const exts = (pathext || DEFAULT_PATHEXT)
    .split(';')
    .map((e) => e.trim())
    .filter((e) => e.startsWith('.'));
  const lower = command.toLowerCase();
  const hasKnownExt = exts.some((e) => lower.endsWith(e.toLowerCase()));
  return hasKnownExt ? ['', ...exts] : exts;
}

export function splitPath(value: string | undefined, platform: NodeJS.Platform): string[] {
  if (!value) return [];
  const sep = platform === 'win32' ? ';' : ':';
  // An empty entry means the current directory to a shell; we skip it (no implicit cwd lookups).
  return value.split(sep).filter((dir) => dir.length > 0);
}

function envValue(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  platform: NodeJS.Platform,
): string | undefined {
  if (platform !== 'win32') return env[name];
  for (const key in env) if (key.toUpperCase() === name) return env[key];
  return undefined;
}

function probeCandidate(platform: NodeJS.Platform): (candidate: string) => CandidateState {
  return (candidate) => {
    try {
      if (!statSync(candidate).isFile()) return 'missing';
    } catch {
      return 'missing';
    }
    if (platform === 'win32') return 'ok';
    try {
      accessSync(candidate, constants.X_OK);
      return 'ok';
    } catch {
      return 'not-executable';
    }
  };
}
