/**
 * The real OpenAI Codex CLI for end-to-end tests, installed on demand (it unpacks to ~400 MB, so
 * it is not a project dependency) into `<repo>/.cache/codex` (git-ignored), pinned to one
 * version. Installing is skipped when that version is already there. A failed install fails the
 * test with npm's output: it never skips.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CODEX_VERSION = '0.169.0';
export const CODEX_CACHE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../.cache/codex');

let pending: Promise<string> | undefined;

/** Installs `@openai/codex@CODEX_VERSION` when needed; resolves to the `codex` executable. */
export function ensureCodexCli(): Promise<string> {
  pending ??= install().catch((err: unknown) => {
    pending = undefined;
    throw err;
  });
  return pending;
}

function codexBin(): string {
  return join(CODEX_CACHE_DIR, 'node_modules', '.bin', process.platform === 'win32' ? 'codex.cmd' : 'codex');
}

function installedVersion(): string | undefined {
  try {
    const pkg = JSON.parse(
      readFileSync(join(CODEX_CACHE_DIR, 'node_modules', '@openai', 'codex', 'package.json'), 'utf8'),
    ) as { version?: string };
    return pkg.version;
  } catch {
    return undefined;
  }
}

async function install(): Promise<string> {
  if (installedVersion() === CODEX_VERSION && existsSync(codexBin())) return codexBin();
  await mkdir(CODEX_CACHE_DIR, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = [
    'install',
    '--prefix',
    CODEX_CACHE_DIR,
    '--no-save',
    '--no-audit',
    '--no-fund',
    `@openai/codex@${CODEX_VERSION}`,
  ];
  await new Promise<void>((done, fail) => {
    execFile(
      npm,
      args,
      { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024, shell: process.platform === 'win32' },
      (err, stdout, stderr) => {
        if (!err) return done();
        fail(
          new Error(
            `Could not install the Codex CLI (${npm} ${args.join(' ')}): ${err.message}\n` +
              `${stdout}\n${stderr}\nCheck network access to the npm registry, or pre-install it ` +
              `with the command above.`,
          ),
        );
      },
    );
  });
  if (installedVersion() !== CODEX_VERSION || !existsSync(codexBin())) {
    throw new Error(
      `npm reported success but ${codexBin()} (version ${CODEX_VERSION}) is missing: the platform ` +
        `package (@openai/codex-${process.platform}-${process.arch}) may not exist for this machine.`,
    );
  }
  return codexBin();
}

export interface CodexAppServer {
  /** Sends a JSON-RPC request and resolves with its `result` (rejects on an `error` reply or timeout). */
  request<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T>;
  notify(method: string, params?: unknown): void;
  /** Everything the server wrote to stderr so far (for failure messages). */
  stderr(): string;
  close(): Promise<void>;
}

/**
 * `codex app-server` over stdio (newline-delimited JSON-RPC). Server notifications and server
 * requests are ignored (server requests get a JSON-RPC error so nothing hangs).
 */
export function startCodexAppServer(bin: string, env: NodeJS.ProcessEnv, cwd: string): CodexAppServer {
  const child = spawn(bin, ['app-server'], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let errText = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    errText = (errText + chunk).slice(-20_000);
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const w of waiting.values()) w.reject(new Error(`codex app-server exited: ${errText.slice(-2000)}`));
    waiting.clear();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let msg: { id?: number | string; method?: string; result?: unknown; error?: { message?: string } };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (msg.method !== undefined && msg.id !== undefined) {
      send({ id: msg.id, error: { code: -32601, message: 'not supported by the test client' } });
      return;
    }
    if (typeof msg.id !== 'number') return;
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.error) w.reject(new Error(`codex app-server error: ${JSON.stringify(msg.error)}`));
    else w.resolve(msg.result);
  });
  const send = (message: object): void => {
    child.stdin.write(`${JSON.stringify(message)}\n`);
  };
  return {
    request<T>(method: string, params?: unknown, timeoutMs = 30_000): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(
            new Error(
              `codex app-server: no reply to ${method} within ${timeoutMs} ms; stderr: ${errText.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        waiting.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        send({ id, method, ...(params === undefined ? {} : { params }) });
      });
    },
    notify(method, params) {
      send({ method, ...(params === undefined ? {} : { params }) });
    },
    stderr: () => errText,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end(); // app-server exits when its stdin closes
      const term = setTimeout(() => child.kill('SIGTERM'), 3_000);
      const kill = setTimeout(() => child.kill('SIGKILL'), 6_000);
      await exited;
      clearTimeout(term);
      clearTimeout(kill);
    },
  };
}
