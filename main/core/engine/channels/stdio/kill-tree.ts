/**
 * Ending a stdio MCP server with everything it started. On POSIX the child is spawned
 * `detached`, so it leads its own process group and one signal to `-pid` reaches wrappers
 * (`npx`, `sh -c`) and the real server behind them. On Windows `taskkill /T /F` walks the tree
 * (there is no SIGTERM there; the kill is always forceful).
 */
import type { SpawnOptions } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export type KillSignal = 'SIGTERM' | 'SIGKILL';

export interface KillTreeOptions {
  platform?: NodeJS.Platform;
  /** Used for `taskkill` on Windows. */
  spawn?: (file: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
  /** Injectable for tests; default `process.kill` (signal 0 probes for existence). */
  kill?: (pid: number, signal: KillSignal | 0) => void;
}

/** Signals the process group led by `pid` (POSIX) or the process tree (Windows); never throws. */
export function killProcessTree(pid: number, signal: KillSignal, options: KillTreeOptions = {}): void {
  const platform = options.platform ?? process.platform;
  if (platform === 'win32') {
    const spawn = options.spawn;
    if (!spawn) return;
    try {
      const killer = spawn('taskkill', windowsTaskkillArgs(pid), { stdio: 'ignore', windowsHide: true });
      killer.on('error', () => undefined);
    } catch {
      // taskkill missing: nothing more we can do from here.
    }
    return;
  }
  const kill = options.kill ?? defaultKill;
  try {
    // The group only: the child was spawned detached, so it leads a group with its own pid. Never
    // fall back to the bare pid, which the OS may already have reused for an unrelated process.
    kill(-pid, signal);
  } catch {
    // The whole group is already gone.
  }
}

export function windowsTaskkillArgs(pid: number): string[] {
  return ['/pid', String(pid), '/T', '/F'];
}

/**
 * Whether any process of the group led by `pid` still exists (POSIX). On Windows there is no
 * group to probe; the answer is false and callers rely on the leader's exit plus taskkill /T.
 */
export function processGroupAlive(pid: number, options: KillTreeOptions = {}): boolean {
  if ((options.platform ?? process.platform) === 'win32') return false;
  try {
    (options.kill ?? defaultKill)(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function defaultKill(pid: number, signal: KillSignal | 0): void {
  process.kill(pid, signal);
}
