#!/usr/bin/env node
// CI check for packaging (needs electron-builder installed; run after `npm run build`):
//   1. builds an unpacked Linux app with a stand-in Electron distribution (no download):
//      electron-builder --dir --linux -c.electronDist=<stand-in> -c.electronVersion=<installed>
//   2. asserts the app archive holds dist/main, dist/preload(-cjs), dist/renderer and the tray
//      icons, and that keytar's native module is unpacked next to it.
// The stand-in is a folder with an `electron` executable stub; electron-builder copies it and
// renames it, which is all an unpacked build needs. Exits non-zero with the reason on failure.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const fail = (msg) => {
  console.error(`check-package: ${msg}`);
  process.exit(1);
};

for (const dir of ['dist/main', 'dist/preload-cjs', 'dist/renderer'])
  if (!existsSync(join(root, dir))) fail(`${dir} is missing: run npm run build first.`);
let builderCli;
let asar;
try {
  builderCli = require.resolve('electron-builder/cli.js');
  asar = require('@electron/asar');
} catch {
  fail('electron-builder is not installed (devDependency electron-builder@26.17.0).');
}

const work = mkdtempSync(join(tmpdir(), 'mcpt-package-'));
try {
  const dist = join(work, 'electron-dist');
  mkdirSync(dist);
  writeFileSync(join(dist, 'electron'), '#!/bin/sh\necho stand-in electron\n');
  chmodSync(join(dist, 'electron'), 0o755);
  writeFileSync(join(dist, 'LICENSE'), 'stand-in\n');
  writeFileSync(join(dist, 'version'), '45.5.0');
  const version = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
  const out = join(work, 'release');
  const run = spawnSync(
    process.execPath,
    [
      builderCli,
      '--dir',
      '--linux',
      '--publish',
      'never',
      '-c.npmRebuild=false',
      `-c.electronDist=${dist}`,
      `-c.electronVersion=${version}`,
      `-c.directories.output=${out}`,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
  );
  if (run.status !== 0) fail(`electron-builder exited with ${run.status}.`);

  const unpackedDir = readdirSync(out).find((d) => d.endsWith('-unpacked'));
  if (!unpackedDir) fail(`no *-unpacked folder in ${out}.`);
  const resources = join(out, unpackedDir, 'resources');
  const archive = join(resources, 'app.asar');
  if (!existsSync(archive)) fail(`${archive} is missing.`);
  const files = asar.listPackage(archive, { isPack: false }).map((f) => f.replaceAll('\\', '/'));
  const want = [
    '/package.json',
    '/dist/main/index.js',
    '/dist/main/cli/bin.js',
    '/dist/preload-cjs/index.js',
    '/dist/preload/contract/methods.js',
    '/dist/renderer/index.html',
    '/assets/tray/tray-readyTemplate@2x.png',
  ];
  const missing = want.filter((f) => !files.includes(f));
  if (missing.length) fail(`the app archive lacks: ${missing.join(', ')}`);
  const keytarNode = join(
    resources,
    'app.asar.unpacked',
    'node_modules',
    'keytar',
    'build',
    'Release',
    'keytar.node',
  );
  if (!existsSync(keytarNode)) fail(`keytar's native module is not unpacked at ${keytarNode}.`);
  console.log(`check-package: ok (${files.length} entries in app.asar; keytar unpacked)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
