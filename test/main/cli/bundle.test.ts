import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleCommand, type BundleCommandDeps } from '../../../main/cli/commands/bundle.js';
import { createFileLogSink } from '../../../main/core/observability/file-log.js';
import { LogHub } from '../../../main/core/observability/logger.js';
import { listTar, readTar } from '../../../main/core/observability/support-bundle.js';

const runFile = promisify(execFile);
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const NOW = Date.UTC(2025, 2, 4, 5, 6, 7);
const CANARY_KEY = 'sk-cliCanaryKey0123456789';

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bundle-cli-'));
  dirs.push(dir);
  return dir;
}

/** A log folder written by the real file sink: one entry 3 hours ago, two in the last 10 minutes. */
async function logDir(): Promise<string> {
  const dir = join(await tempDir(), 'logs');
  let t = NOW - 180 * 60_000;
  const hub = new LogHub({ now: () => t });
  const file = createFileLogSink({ dir });
  hub.addSink(file.sink);
  const log = hub.logger('engine');
  log.info('old entry');
  t = NOW - 10 * 60_000;
  log.info(`started with ${CANARY_KEY}`);
  t = NOW - 5 * 60_000;
  log.warn('poll slow', { ms: 900 });
  await file.close();
  return dir;
}

async function run(argv: string[], deps: BundleCommandDeps = {}, env: NodeJS.ProcessEnv = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await bundleCommand(argv, { stdout, stderr, env }, { now: () => NOW, ...deps });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('mcp-tunnel bundle', () => {
  it('writes a 0600 archive from the file logs and prints its path and files', async () => {
    const logs = await logDir();
    const outDir = join(await tempDir(), 'bundles');
    const result = await run(['--log-dir', logs, '--out-dir', outDir, '--window', '30']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const path = join(outDir, 'mcp-tunnel-support-20250304T050607Z.tar.gz');
    expect(result.stdout).toContain(`Support bundle written to ${path}`);
    expect(result.stdout).toContain('logs.ndjson');
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(outDir)).toEqual(['mcp-tunnel-support-20250304T050607Z.tar.gz']);

    const { stdout: listing } = await runFile('tar', ['-tzf', path]);
    expect(listing).toContain('mcp-tunnel-support-20250304T050607Z/logs.ndjson');
    const entries = readTar(gunzipSync(await readFile(path)));
    const logsFile = entries.find((e) => e.name.endsWith('/logs.ndjson'))!.data.toString();
    const msgs = logsFile
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs).toEqual(['started with [REDACTED]', 'poll slow']);
    for (const entry of entries) expect(entry.data.includes(CANARY_KEY)).toBe(false);
  });

  it('--json prints {path, files} and includes live data when a daemon answers', async () => {
    const logs = await logDir();
    const out = join(await tempDir(), 'named.tar.gz');
    const result = await run(['--log-dir', logs, '--out', out, '--json'], {
      fetchLive: async () => ({
        status: { tunnels: [] },
        metricsText: 'commands_polled_total 1\n',
        doctor: { checks: [] },
      }),
    });
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      path: string;
      files: Array<{ name: string; bytes: number }>;
    };
    expect(Object.keys(parsed).sort()).toEqual(['files', 'path']);
    expect(parsed.path).toBe(out);
    expect(parsed.files.map((f) => f.name)).toEqual([
      'manifest.json',
      'README.txt',
      'logs.ndjson',
      'metrics.prom',
      'status.json',
      'doctor.json',
    ]);
    const listed = await listTar(await readFile(out));
    for (const file of parsed.files) {
      expect(listed.find((e) => e.name.endsWith(`/${file.name}`))?.size, file.name).toBe(file.bytes);
    }
  });

  it('still writes a bundle, with a note, when there are no logs and the daemon is unreachable', async () => {
    const base = await tempDir();
    const result = await run(['--log-dir', join(base, 'nothing'), '--out-dir', base, '--json'], {
      fetchLive: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:8080 (Bearer abcdefghijklmnop)');
      },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('No log files found');
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).not.toContain('abcdefghijklmnop');
    const parsed = JSON.parse(result.stdout) as { files: Array<{ name: string }> };
    expect(parsed.files.map((f) => f.name)).toContain('notes.txt');
  });

  it('uses MCP_TUNNEL_LOG_DIR when --log-dir is not given', async () => {
    const logs = await logDir();
    const base = await tempDir();
    const result = await run(['--out-dir', base, '--json'], {}, { MCP_TUNNEL_LOG_DIR: logs });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--window', 'abc'], /--window must be a positive number of minutes/],
    [['--window', '0'], /--window must be a positive number of minutes/],
    [['--out', 'a.tgz', '--out-dir', 'b'], /--out and --out-dir cannot be used together/],
    [['extra-positional'], /Unexpected argument 'extra-positional'/],
    [['--out'], /argument missing/],
  ])('rejects %j with exit 2 and a clear message', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Usage: mcp-tunnel bundle');
    expect(result.stdout).toBe('');
  });

  it('--help prints the usage and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--window MINUTES');
  });
});
