/**
 * What a run is recorded with: the machine, Node, the versions of every package under test,
 * and a fresh compile of MCP Tunnel (into bench-results/build, so `dist/` is left alone).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { cpus, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';

export function machineInfo(): Record<string, string | number> {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${osType()} ${release()} ${process.arch}`,
    node: process.versions.node,
  };
}

function versionOf(repoRoot: string, pkg: string): string {
  try {
    const json = JSON.parse(readFileSync(join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return json.version ?? 'unknown';
  } catch {
    return 'missing';
  }
}

export function packageVersions(repoRoot: string): Record<string, string> {
  const own = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  let commit = 'unknown';
  try {
    const git = (args: string[]): string =>
      execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    commit =
      git(['rev-parse', '--short', 'HEAD']) + (git(['status', '--porcelain', 'main']) ? '+uncommitted' : '');
  } catch {
    // not a git checkout
  }
  return {
    'mcp-tunnel': `${own.version} (${commit})`,
    '@modelcontextprotocol/sdk': versionOf(repoRoot, '@modelcontextprotocol/sdk'),
    supergateway: versionOf(repoRoot, 'supergateway'),
    'mcp-proxy': versionOf(repoRoot, 'mcp-proxy'),
    undici: versionOf(repoRoot, 'undici'),
  };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Compile main/ into `outDir` with tsconfig.main.json unless the output is newer than every
 * source file. Type errors elsewhere do not stop the emit; a missing bin.js does.
 */
export function buildTunnel(repoRoot: string, outDir: string, log: (line: string) => void): void {
  const bin = join(outDir, 'main/cli/bin.js');
  if (existsSync(bin) && statSync(bin).mtimeMs > newestMtime(join(repoRoot, 'main'))) {
    log(`using the compiled tunnel in ${outDir} (newer than main/)`);
    return;
  }
  log(`compiling MCP Tunnel into ${outDir} …`);
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.main.json'), '--outDir', outDir], {
      cwd: repoRoot,
      stdio: 'pipe',
    });
  } catch (error) {
    const out = String((error as { stdout?: Buffer }).stdout ?? '');
    log(`tsc reported errors (emitting anyway):\n${out.split('\n').slice(0, 10).join('\n')}`);
  }
  if (!existsSync(bin)) throw new Error(`the build produced no ${bin}; run \`npm run build\` to see why.`);
}
