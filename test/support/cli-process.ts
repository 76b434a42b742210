/**
 * Runs the built `mcp-tunnel` CLI (dist/) as a real child process, for end-to-end tests.
 * `npm test` builds before running the suite; a missing build fails with that instruction.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const CLI_BIN = fileURLToPath(new URL('../../dist/main/cli/bin.js', import.meta.url));

export interface CliChild {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliChild {
  if (!existsSync(CLI_BIN))
    throw new Error(`${CLI_BIN} is missing: run 'npm run build' first (npm test does).`);
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls for a JSON file written by `--info-file`, bounded; the error shows the CLI's output. */
export async function waitForJsonFile<T>(path: string, cli: CliChild, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(path)) {
      try {
        return JSON.parse(await readFile(path, 'utf8')) as T;
      } catch {
        // partially written; retry
      }
    }
    if (cli.child.exitCode !== null || Date.now() > until) {
      throw new Error(
        `no ${path} (exit ${cli.child.exitCode}).\nstdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Direct children of a process (Linux `ps`). */
export function childPids(pid: number): number[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return out
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
