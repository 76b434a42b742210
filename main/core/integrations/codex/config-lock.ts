/**
 * Advisory lock next to a config file (`<file>.lock`, created with O_EXCL) so two writers never
 * interleave their read-modify-write. A lock file older than `staleMs` (default 30 s) is taken
 * to be left over from a crashed writer and removed. Waiting is bounded.
 */
import { open, stat, unlink } from 'node:fs/promises';
import { systemClock, type Clock } from '../../runtime/clock.js';
import { CodexConfigError } from './codex-errors.js';

export interface LockOptions {
  clock?: Clock;
  /** A lock older than this is stale (default 30 000 ms). */
  staleMs?: number;
  /** Give up after waiting this long (default 10 000 ms). */
  waitMs?: number;
  /** Poll interval while waiting (default 25 ms). */
  pollMs?: number;
}

export const LOCK_STALE_MS = 30_000;

export async function withFileLock<T>(
  lockPath: string,
  options: LockOptions,
  body: () => Promise<T>,
): Promise<T> {
  await acquire(lockPath, options);
  try {
    return await body();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function acquire(lockPath: string, options: LockOptions): Promise<void> {
  const clock = options.clock ?? systemClock;
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const deadline = clock.now() + (options.waitMs ?? 10_000);
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid} ${new Date(clock.wallNow()).toISOString()}\n`);
      } finally {
        await handle.close();
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CodexConfigError(
          'codex_config_io',
          `Could not create the lock file ${lockPath} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check that the directory is writable.`,
        );
      }
    }
    const age = await lockAge(lockPath, clock);
    if (age !== undefined && age > staleMs) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (clock.now() >= deadline) {
      throw new CodexConfigError(
        'codex_config_locked',
        `Another program is editing the Codex config (lock file ${lockPath}); try again in a moment, ` +
          `or delete the lock file if no other MCP Tunnel is running.`,
      );
    }
    await clock.sleep(options.pollMs ?? 25);
  }
}

/** Milliseconds since the lock file was last modified; undefined when it is gone. */
async function lockAge(lockPath: string, clock: Clock): Promise<number | undefined> {
  try {
    return clock.wallNow() - (await stat(lockPath)).mtimeMs;
  } catch {
    return undefined;
  }
}
