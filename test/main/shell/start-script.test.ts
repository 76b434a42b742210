/**
 * scripts/start.mjs end to end (without its build step): Electron "fails to start" (a stand-in
 * executable that exits like Electron does without a display), so the script says why in one
 * line and runs the headless demo, which becomes ready; Ctrl-C stops it cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BIN } from '../../support/cli-process.js';
import { childPids, isAlive } from '../../support/cli-process.js';
import { existsSync } from 'node:fs';

const START = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));
const DECISION = fileURLToPath(new URL('../../../dist/main/shell/launch-decision.js', import.meta.url));

let dir: string;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    for (const pid of childPids(child.pid!)) process.kill(pid, 'SIGKILL');
    child.kill('SIGKILL');
  }
  child = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function until(what: string, check: () => boolean, output: () => string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}. Output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('npm start (scripts/start.mjs)', () => {
  it('falls back to the headless demo when Electron cannot start, and stops on Ctrl-C', async () => {
    for (const f of [CLI_BIN, DECISION])
      if (!existsSync(f)) throw new Error(`${f} is missing: run 'npm run build' first (npm test does).`);
    dir = await mkdtemp(join(tmpdir(), 'start-'));
    const fakeElectron = join(dir, 'electron');
    await writeFile(
      fakeElectron,
      '#!/bin/sh\necho "[9:ERROR:ozone_platform_x11.cc] Missing X server or \\$DISPLAY" >&2\nexit 1\n',
    );
    await chmod(fakeElectron, 0o755);

    child = spawn(process.execPath, [START, '--no-build'], {
      env: {
        ...process.env,
        MCP_TUNNEL_ELECTRON: fakeElectron,
        DISPLAY: ':99',
        MCP_TUNNEL_PROFILE_DIR: join(dir, 'profiles'),
        MCP_TUNNEL_LOG_DIR: join(dir, 'logs'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child!.on('exit', (code) => r(code)));
    const output = () => `stdout:\n${out}\nstderr:\n${err}`;

    await until('the demo to be ready', () => out.includes('MCP Tunnel is ready.'), output);
    const reasons = err.split('\n').filter((l) => l.startsWith('mcp-tunnel: cannot start the tray app'));
    expect(reasons).toEqual([
      'mcp-tunnel: cannot start the tray app: Electron exited with code 1 before starting: [9:ERROR:ozone_platform_x11.cc] Missing X server or $DISPLAY; running the headless daemon with the demo instead.',
    ]);
    const daemons = childPids(child.pid!);
    expect(daemons).toHaveLength(1);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await until('the daemon to exit', () => !isAlive(daemons[0]!), output, 5_000);
  });
});
