/**
 * Child processes of the benchmark: spawn with captured output, wait for a readiness line,
 * stop gracefully (SIGTERM, then SIGKILL of the whole tree), find a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { descendants } from './proc-stats.js';

export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Last output lines (stdout and stderr), for error messages. */
  tail(): string;
  /** Resolves with the first match of `pattern` on stdout or stderr. */
  waitFor(pattern: RegExp, what: string, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL the process and every descendant. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const MAX_TAIL = 64 * 1024;

export function startProcess(options: SpawnOptions): BenchProcess {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${options.name}: could not spawn ${options.command}`);
  const pid = child.pid;
  let output = '';
  const watchers = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-MAX_TAIL);
    for (const watcher of watchers) watcher();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = child.exitCode !== null;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      for (const watcher of watchers) watcher();
      resolve();
    }),
  );

  const waitFor = (pattern: RegExp, what: string, timeoutMs = 20_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(output);
        if (match) return finish(() => resolve(match));
        if (exited)
          finish(() =>
            reject(new Error(`${options.name} exited before ${what}. Output:\n${output.slice(-2000)}`)),
          );
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(
              new Error(
                `${options.name}: no ${what} within ${timeoutMs} ms. Output:\n${output.slice(-2000)}`,
              ),
            ),
          ),
        timeoutMs,
      );
      const finish = (done: () => void): void => {
        clearTimeout(timer);
        watchers.delete(check);
        done();
      };
      watchers.add(check);
      check();
    });

  const stop = async (graceMs = 5_000): Promise<void> => {
    if (exited) return;
    const tree = descendants(pid);
    child.kill('SIGTERM');
    const timedOut = await Promise.race([
      exitPromise.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
    ]);
    for (const p of [...(timedOut ? [pid] : []), ...tree]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await exitPromise;
  };

  return { name: options.name, pid, child, tail: () => output.slice(-2000), waitFor, stop };
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once `url` answers any HTTP status; rejects after `timeoutMs`. */
export async function waitForHttp(url: string, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { method: 'GET' });
      await res.body?.cancel();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${what} did not answer at ${url} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
