#!/usr/bin/env node
// `npm start`: build, then launch the tray app in Electron; when Electron cannot start (binary
// not downloaded, no display), say why in one line and run the headless daemon with the demo.
//   node scripts/start.mjs [--no-build]
// The decision logic is main/shell/launch-decision.ts (tested); this file only spawns.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const READY_LINE = 'MCP Tunnel tray is running';

if (!process.argv.includes('--no-build')) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = spawnSync(npm, ['run', 'build'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const decision = await import(pathToFileURL(join(root, 'dist/main/shell/launch-decision.js')).href);
const electronDir = join(root, 'node_modules', 'electron');
const pathTxt = existsSync(join(electronDir, 'path.txt'))
  ? readFileSync(join(electronDir, 'path.txt'), 'utf8')
  : undefined;
const binary = decision.electronBinary(process.env, electronDir, pathTxt, existsSync);
const plan = decision.decideLaunch({ platform: process.platform, env: process.env, binary });

let current; // the child we forward Ctrl-C to
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopping = true;
    current?.kill(sig);
  });
}

if (plan.kind === 'fallback') headless(plan.reason);
else {
  let started = false;
  let stderr = '';
  let spawnError;
  const child = spawn(plan.binary, [root], { cwd: root, stdio: ['inherit', 'pipe', 'pipe'] });
  current = child;
  child.stdout.on('data', (d) => {
    if (d.toString().includes(READY_LINE)) started = true;
    process.stdout.write(d);
  });
  child.stderr.on('data', (d) => {
    stderr = (stderr + d.toString()).slice(-4000);
    if (started) process.stderr.write(d);
  });
  child.on('error', (err) => (spawnError = err.code ?? err.message));
  child.on('close', (code, signal) => {
    const next = decision.decideAfterExit({ code, signal, started, stopping, stderr, spawnError });
    if (next.kind === 'exit') process.exit(next.code);
    headless(next.reason);
  });
}

function headless(reason) {
  console.error(
    `mcp-tunnel: cannot start the tray app: ${reason}; running the headless daemon with the demo instead.`,
  );
  if (stopping) process.exit(130);
  const child = spawn(process.execPath, [join(root, 'dist/main/cli/bin.js'), 'run', '--demo'], {
    cwd: root,
    stdio: 'inherit',
  });
  current = child;
  child.on('close', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}
