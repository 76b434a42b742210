/**
 * A private, unlocked Secret Service for the keychain tests (Vitest `globalSetup`).
 *
 * Starts its own D-Bus session bus (a minimal config with no service activation, so nothing from
 * the host is auto-started on it) and a gnome-keyring-daemon unlocked with a throwaway password,
 * both living in a fresh temporary directory (XDG_DATA_HOME, XDG_RUNTIME_DIR, HOME for the
 * daemons). It always starts a private one, even when the machine has a session bus, so the
 * suite never reads or writes a developer's real keychain. Test workers inherit
 * DBUS_SESSION_BUS_ADDRESS because Vitest forks them after globalSetup has run.
 *
 * Wire it with one line in vitest.config.ts: `globalSetup: ['./test/support/keyring-session.ts']`.
 * Missing system parts fail loudly with the Debian packages to install; nothing is skipped.
 * No shell is involved: every process is spawned with an argument array.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Set in the test processes' environment: the private keyring session's directory. */
export const KEYRING_SESSION_ENV = 'MCP_TUNNEL_TEST_KEYRING_DIR';

const PACKAGES_HINT = 'apt-get install dbus gnome-keyring libsecret-1-dev';
const KEYRING_PASSWORD = 'pass';

export interface KeyringSession {
  /** The temporary directory holding the bus socket and the keyring files. */
  readonly dir: string;
  /** `unix:path=…` address of the private session bus. */
  readonly busAddress: string;
  /** Environment for a process that should use this keyring (copy of `base` plus the bus). */
  env(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export interface StartKeyringOptions {
  /** Bound on the whole start-up, readiness included (default 10 s). */
  timeoutMs?: number;
  /** Where to look for the daemons (default: PATH). */
  searchPath?: string;
}

/** Fails unless the test runs against the private keyring started by this module. */
export function requirePrivateKeyring(): string {
  const dir = process.env[KEYRING_SESSION_ENV];
  const bus = process.env.DBUS_SESSION_BUS_ADDRESS ?? '';
  if (!dir || !bus.includes(dir)) {
    throw new Error(
      `This test needs the private Secret Service from test/support/keyring-session.ts ` +
        `(list it in vitest.config.ts test.globalSetup: ['./test/support/keyring-session.ts']); ` +
        `it refuses to touch the real keychain.`,
    );
  }
  return dir;
}

export async function startKeyringSession(options: StartKeyringOptions = {}): Promise<KeyringSession> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const searchPath = options.searchPath ?? process.env.PATH ?? '';
  const dbusDaemon = await findExecutable('dbus-daemon', 'dbus', searchPath);
  const keyringDaemon = await findExecutable('gnome-keyring-daemon', 'gnome-keyring', searchPath);

  const dir = await mkdtemp(join(tmpdir(), 'mcp-tunnel-keyring-'));
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const child of [...children].reverse()) await killChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const runtimeDir = join(dir, 'run');
    const dataDir = join(dir, 'data');
    await mkdir(runtimeDir, { mode: 0o700 });
    await mkdir(dataDir, { mode: 0o700 });
    const daemonEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
      HOME: dir,
      XDG_DATA_HOME: dataDir,
      XDG_RUNTIME_DIR: runtimeDir,
      XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_CACHE_HOME: join(dir, 'cache'),
    };

    const busConfig = join(dir, 'bus.conf');
    await writeFile(busConfig, busConfigXml(join(dir, 'bus')), { mode: 0o600 });
    const bus = spawn(
      dbusDaemon,
      [`--config-file=${busConfig}`, '--nofork', '--nopidfile', '--print-address=1'],
      {
        env: daemonEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(bus);
    const busAddress = await firstLine(bus, 'dbus-daemon', deadline);

    const keyring = spawn(keyringDaemon, ['--foreground', '--unlock', '--components=secrets'], {
      env: { ...daemonEnv, DBUS_SESSION_BUS_ADDRESS: busAddress },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    children.push(keyring);
    const keyringErr = collect(keyring);
    keyring.stdin?.end(KEYRING_PASSWORD);

    const env = (base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({
      ...base,
      DBUS_SESSION_BUS_ADDRESS: busAddress,
      [KEYRING_SESSION_ENV]: dir,
    });
    await waitUntilUsable(env(), deadline, keyring, keyringErr);
    return { dir, busAddress, env, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Vitest globalSetup: start the private keyring, export its bus to the workers, stop it after. */
export default async function setup(): Promise<() => Promise<void>> {
  const saved = { bus: process.env.DBUS_SESSION_BUS_ADDRESS, dir: process.env[KEYRING_SESSION_ENV] };
  const session = await startKeyringSession();
  process.env.DBUS_SESSION_BUS_ADDRESS = session.busAddress;
  process.env[KEYRING_SESSION_ENV] = session.dir;
  return async () => {
    restoreEnv('DBUS_SESSION_BUS_ADDRESS', saved.bus);
    restoreEnv(KEYRING_SESSION_ENV, saved.dir);
    await session.stop();
  };
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

async function findExecutable(name: string, debianPackage: string, searchPath: string): Promise<string> {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  throw new Error(
    `${name} is not installed (Debian package '${debianPackage}'); the keychain tests need a real Secret Service. ` +
      `Install it with: ${PACKAGES_HINT} (bash .ci/run does this).`,
  );
}

function busConfigXml(socketPath: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socketPath}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (text.length < 4000) text += chunk.toString('utf8');
  });
  return () => text.trim();
}

function firstLine(child: ChildProcess, what: string, deadline: number): Promise<string> {
  const stderr = collect(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => finish(new Error(`${what} printed no bus address in time. ${stderr()}`)),
      remaining(deadline),
    );
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const newline = out.indexOf('\n');
      if (newline >= 0) finish(null, out.slice(0, newline).trim());
    };
    const onExit = (code: number | null): void =>
      finish(new Error(`${what} exited early (code ${code}): ${stderr()}`));
    const finish = (err: Error | null, line?: string): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(line ?? '');
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

function remaining(deadline: number): number {
  return Math.max(0, deadline - Date.now());
}

/**
 * Proves the login collection exists and is unlocked with a real keytar round trip, run in a
 * child process (libsecret binds to the first session bus a process uses, so the check must not
 * run inside the test runner). Without keytar there is nothing to check with: warn and go on —
 * the keychain tests then fail on their own with `keychain_unavailable` and the fix.
 */
async function waitUntilUsable(
  env: NodeJS.ProcessEnv,
  deadline: number,
  keyring: ChildProcess,
  keyringErr: () => string,
): Promise<void> {
  let keytarPath: string;
  try {
    keytarPath = createRequire(import.meta.url).resolve('keytar');
  } catch {
    process.stderr.write(
      `keyring-session: keytar is not installed, so the private Secret Service was not verified; ` +
        `keychain tests will fail. Install libsecret (${PACKAGES_HINT}) and rerun npm ci.\n`,
    );
    return;
  }
  const script = `
const keytar = require(process.argv[1]);
const deadline = Number(process.argv[2]);
let last = 'no attempt';
(async () => {
  while (Date.now() < deadline) {
    try {
      await keytar.setPassword('mcp-tunnel-keyring-session', 'ready', 'ok');
      const back = await keytar.getPassword('mcp-tunnel-keyring-session', 'ready');
      await keytar.deletePassword('mcp-tunnel-keyring-session', 'ready');
      if (back === 'ok') process.exit(0);
      last = 'read-back returned ' + String(back);
    } catch (err) { last = String(err && err.message || err); }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stderr.write(last);
  process.exit(1);
})();`;
  const child = spawn(process.execPath, ['-e', script, keytarPath, String(deadline)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const childErr = collect(child);
  const keyringExit = new Promise<string>((resolve) =>
    keyring.once('exit', (code) => resolve(`gnome-keyring-daemon exited (code ${code}): ${keyringErr()}`)),
  );
  const checkExit = new Promise<string | null>((resolve) =>
    child.once('exit', (code) =>
      resolve(code === 0 ? null : `keytar round trip failed: ${childErr() || `exit ${code}`}`),
    ),
  );
  const failure = await Promise.race([checkExit, keyringExit]);
  if (failure !== null) {
    await killChild(child);
    throw new Error(
      `The private Secret Service did not become usable: ${failure}. Check that gnome-keyring and dbus work ` +
        `(${PACKAGES_HINT}).`,
    );
  }
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}
