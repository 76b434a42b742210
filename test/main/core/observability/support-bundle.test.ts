import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { LogHub } from '../../../../main/core/observability/logger.js';
import { registerSecret } from '../../../../main/core/observability/redact.js';
import { redactedConfig } from '../../../../main/core/observability/redacted-config.js';
import {
  SupportBundleError,
  createSupportBundle,
  listTar,
  previewSupportBundle,
  readTar,
  type SupportBundleInput,
} from '../../../../main/core/observability/support-bundle.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'support-bundle-'));
  dirs.push(dir);
  return dir;
}

const NOW = Date.UTC(2025, 5, 7, 8, 9, 10, 456);
const MIN = 60_000;

const CANARY = {
  logKey: 'sk-canaryLogKey4f1e2d3c4b5a',
  logBearer: 'canaryLogBearer9a8b7c6d',
  logField: 'canaryLogFieldSecret31ab',
  logUrlPass: 'canaryLogUrlPass77',
  rawEntryToken: 'canaryRawEntryBearer55aa',
  metricsKey: 'sk-canaryMetricsKey0f0e0d0c',
  metricsBearer: 'canaryMetricsBearerC0ffee',
  statusToken: 'mcpt_ct_canaryStatusToken12',
  statusRegistered: 'canary-registered-secret-42x',
  doctorKey: 'sk-canaryDoctorKey998877',
  configKey: 'sk-canaryConfigKey5566aa',
  configHeader: 'canary-config-header-3f3f',
  extraKey: 'sk-canaryExtraKey1122bb',
};

/** Logs through a real LogHub (ingestion redaction), at times relative to NOW. */
function hubLogs() {
  let t = 0;
  const hub = new LogHub({ level: 'debug', now: () => t });
  const log = hub.logger('engine/control-plane');
  t = NOW - 120 * MIN;
  log.info('too old for the window');
  t = NOW - 30 * MIN;
  log.warn(`poll failed with key ${CANARY.logKey}`, {
    authorization: `Bearer ${CANARY.logBearer}`,
    client_secret: CANARY.logField,
    url: `https://svc:${CANARY.logUrlPass}@cp.example/poll`,
  });
  t = NOW - 1 * MIN;
  log.error('auth failed', { status: 401 });
  t = NOW + 5 * MIN;
  log.info('after the bundle was made');
  return hub.entries();
}

function canaryInput(): SupportBundleInput {
  registerSecret(CANARY.statusRegistered);
  return {
    now: NOW,
    windowMinutes: 60,
    version: '1.2.3',
    logs: [
      ...hubLogs(),
      // A raw entry that never went through a LogHub: only the bundle's own passes catch it.
      {
        seq: 99,
        time: NOW - 2 * MIN,
        level: 'debug',
        msg: `raw header Authorization: Bearer ${CANARY.rawEntryToken}`,
      },
    ],
    metricsText: [
      '# HELP commands_polled_total Commands polled.',
      '# TYPE commands_polled_total counter',
      `commands_polled_total{note="Bearer ${CANARY.metricsBearer}"} 3`,
      `# key ${CANARY.metricsKey}`,
      '',
    ].join('\n'),
    status: {
      tunnels: [{ name: 'prod', state: 'running', connector_token: CANARY.statusToken }],
      note: `looks like ${CANARY.statusRegistered} leaked`,
    },
    doctor: { checks: [{ id: 'cp.poll', status: 'fail', evidence: `sent ${CANARY.doctorKey}` }] },
    configs: [
      {
        name: 'prod',
        config: redactedConfig({
          name: 'prod',
          controlPlane: {
            tunnelId: 'tun_1',
            apiKey: CANARY.configKey,
            maxInflight: 20,
            pollTimeoutMs: 30_000,
          },
          channels: [
            {
              name: 'h',
              kind: 'http',
              url: 'https://x.internal/mcp',
              extraHeaders: { 'X-Key': CANARY.configHeader },
            },
          ],
          maxConcurrent: 10,
          connectionMaxTtlMs: 600_000,
        }),
      },
      // A raw config: redacted inside the bundle as well.
      {
        name: 'raw',
        config: { controlPlane: { apiKey: CANARY.configKey }, headers: { a: CANARY.configHeader } },
      },
    ],
    extra: { 'platform.txt': `linux x64\nleaked ${CANARY.extraKey}\n` },
  };
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out;
}

interface Manifest {
  version: string;
  created_at: string;
  window: { minutes: number; from: string; to: string };
  log_entries: number;
  files: Array<{ name: string; bytes: number; sha256: string }>;
}

describe('support bundle', () => {
  it('packs the expected files, a matching manifest and no canary, as checked by the real tar', async () => {
    const input = canaryInput();
    const bundle = await createSupportBundle(input);
    expect(bundle.fileName).toBe('mcp-tunnel-support-20250607T080910Z.tar.gz');

    const dir = await tempDir();
    const archive = join(dir, bundle.fileName);
    await writeFile(archive, bundle.bytes);
    const out = join(dir, 'out');
    await mkdir(out);
    await run('tar', ['-xzf', archive, '-C', out]);

    const root = join(out, 'mcp-tunnel-support-20250607T080910Z');
    const names = (await readdir(root)).sort();
    expect(names).toEqual(
      [
        'README.txt',
        'config.redacted.json',
        'doctor.json',
        'logs.ndjson',
        'manifest.json',
        'metrics.prom',
        'platform.txt',
        'status.json',
      ].sort(),
    );
    expect((await stat(join(root, 'logs.ndjson'))).mode & 0o077).toBe(0);

    // Manifest: every other file with its exact size and sha256; result.files agrees.
    const manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest).toMatchObject({
      version: '1.2.3',
      created_at: '2025-06-07T08:09:10.456Z',
      window: { minutes: 60, from: '2025-06-07T07:09:10.456Z', to: '2025-06-07T08:09:10.456Z' },
      log_entries: 3,
    });
    expect(manifest.files.map((f) => f.name).sort()).toEqual(names.filter((n) => n !== 'manifest.json'));
    for (const file of manifest.files) {
      const data = await readFile(join(root, file.name));
      expect(file.bytes, file.name).toBe(data.length);
      expect(file.sha256, file.name).toBe(createHash('sha256').update(data).digest('hex'));
    }
    expect(bundle.files[0]!.name).toBe('manifest.json');
    for (const info of bundle.files) {
      expect(info.bytes, info.name).toBe((await stat(join(root, info.name))).size);
      expect(info.description.length).toBeGreaterThan(0);
    }

    // Window: only entries from the last 60 minutes, oldest first, each a parsable line.
    const logLines = (await readFile(join(root, 'logs.ndjson'), 'utf8')).trim().split('\n');
    const logged = logLines.map((l) => JSON.parse(l) as { msg: string; time: string });
    expect(logged.map((e) => e.time)).toEqual([
      '2025-06-07T07:39:10.456Z',
      '2025-06-07T08:07:10.456Z',
      '2025-06-07T08:08:10.456Z',
    ]);
    expect(logged[2]!.msg).toBe('auth failed');

    // Every extracted byte, and the uncompressed tar itself, is free of every canary.
    const files = await walk(out);
    expect(files).toHaveLength(8);
    const blobs = [...(await Promise.all(files.map((f) => readFile(f)))), gunzipSync(bundle.bytes)];
    for (const blob of blobs) {
      for (const [name, canary] of Object.entries(CANARY)) {
        expect(blob.includes(canary), `${name} found in the bundle`).toBe(false);
      }
    }
    const metrics = await readFile(join(root, 'metrics.prom'), 'utf8');
    expect(metrics).toContain('commands_polled_total{note="Bearer [REDACTED]"} 3');
    const readme = await readFile(join(root, 'README.txt'), 'utf8');
    expect(readme).toContain('[REDACTED]');
    expect(readme).toContain('config.redacted.json');
  });

  it('lists its own archive like tar -tzf does, and previews the same files without packing', async () => {
    const input = canaryInput();
    const bundle = await createSupportBundle(input);
    const dir = await tempDir();
    const archive = join(dir, bundle.fileName);
    await writeFile(archive, bundle.bytes);
    const { stdout } = await run('tar', ['-tzf', archive]);
    const listed = await listTar(bundle.bytes);
    expect(listed.map((e) => e.name)).toEqual(stdout.trim().split('\n'));
    expect(listed[0]).toMatchObject({ type: 'directory', mode: 0o700 });
    expect(
      listed.slice(1).every((e) => e.type === 'file' && e.mode === 0o600 && e.mtimeMs === 1749283750000),
    ).toBe(true);
    expect(previewSupportBundle(input)).toEqual(bundle.files);
  });

  it('includes only what it is given and says in the README what is missing', async () => {
    const bundle = await createSupportBundle({ now: NOW, logs: [], version: '0.0.1' });
    const entries = readTar(gunzipSync(bundle.bytes));
    const names = entries.filter((e) => e.type === 'file').map((e) => e.name.split('/')[1]);
    expect(names).toEqual(['manifest.json', 'README.txt', 'logs.ndjson']);
    const readme = entries.find((e) => e.name.endsWith('README.txt'))!.data.toString();
    expect(readme).toMatch(/Not included[\s\S]*doctor\.json/);
    expect(readme).toContain('60 minutes');
    expect(entries.find((e) => e.name.endsWith('logs.ndjson'))!.size).toBe(0);
  });

  it('rejects a bad window and unsafe extra file names with stable codes', async () => {
    await expect(
      createSupportBundle({ now: NOW, logs: [], version: '1', windowMinutes: 0 }),
    ).rejects.toMatchObject({
      code: 'bundle_window_invalid',
    });
    for (const name of ['../escape.txt', 'manifest.json', 'a/b']) {
      const attempt = createSupportBundle({ now: NOW, logs: [], version: '1', extra: { [name]: 'x' } });
      await expect(attempt).rejects.toBeInstanceOf(SupportBundleError);
      await expect(attempt).rejects.toMatchObject({ code: 'bundle_extra_name_invalid' });
    }
  });
});
