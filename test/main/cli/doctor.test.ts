/**
 * `mcp-tunnel doctor` in-process against the real embedded relay and a real Streamable HTTP MCP
 * server: exit codes 0 / 1 / 2, the human output (markers, --explain), the --json shape, and
 * planted secrets (the runtime key, a header value) absent from every output.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctorCommand } from '../../../main/cli/commands/doctor.js';
import { startEmbeddedRelay, type EmbeddedRelay } from '../../../main/core/relay/embedded.js';
import { createMemoryStore } from '../../../main/core/secrets/memory-store.js';
import { startHttpMcpServer, type HttpMcpServer } from '../../fixtures/http-mcp-server.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const HEADER_CANARY = 'hdr-CANARY-cli-7c1d2e3f4a5b6c7d';
const WRONG_KEY = 'sk-proj-WRONG-cli-CANARY-0123456789';

let relay: EmbeddedRelay;
let mcp: HttpMcpServer;
let dir: string;
let secrets: string[];
beforeAll(async () => {
  relay = await startEmbeddedRelay({ tunnelName: 'CLI doctor tunnel' });
  mcp = await startHttpMcpServer({ bearerToken: HEADER_CANARY });
  dir = await mkdtemp(join(tmpdir(), 'doctor-cli-'));
  secrets = [relay.runtimeKey, HEADER_CANARY, WRONG_KEY];
});
afterAll(async () => {
  await mcp.close();
  await relay.close();
  await rm(dir, { recursive: true, force: true });
});

function tunnelEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    CONTROL_PLANE_BASE_URL: relay.controlPlaneUrl,
    CONTROL_PLANE_TUNNEL_ID: relay.tunnelId,
    CONTROL_PLANE_API_KEY: relay.runtimeKey,
    MCP_SERVER_URL: mcp.url,
    MCP_EXTRA_HEADERS: 'Authorization: env:MCP_AUTH',
    MCP_AUTH: `Bearer ${HEADER_CANARY}`,
    HEALTH_LISTEN_ADDR: '127.0.0.1:0',
  };
}

async function doctor(args: string[], env: NodeJS.ProcessEnv) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await doctorCommand(args, { stdout, stderr, env }, { keychain: createMemoryStore() });
  for (const secret of secrets) expect(stdout.text + stderr.text).not.toContain(secret);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('mcp-tunnel doctor', () => {
  it('exit 2 with a clear message when nothing is configured, and for a bad command line', async () => {
    const none = await doctor([], { PATH: process.env.PATH });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/pass --profile NAME.*or set CONTROL_PLANE_TUNNEL_ID/s);
    expect(none.stdout).toBe('');
    expect((await doctor(['--frobnicate'], tunnelEnv())).code).toBe(2);
    const timeout = await doctor(['--timeout', 'soon'], tunnelEnv());
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toMatch(/--timeout/);
  });

  it('exit 0 for the environment configuration: one marked line per check, no secrets', async () => {
    const r = await doctor([], tunnelEnv());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Doctor: the environment');
    expect(lines.slice(1, -1).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual([
      '✓ profile',
      '✓ secrets',
      '- keychain',
      '✓ control_plane_metadata',
      '✓ control_plane_poll',
      '✓ channel:main:preflight',
      '✓ channel:main:initialize',
      '✓ admin_listener',
    ]);
    expect(lines.at(-1)).toBe('Result: 0 failed, 0 warning(s), 7 passed, 1 skipped.');
    expect(r.stdout).not.toMatch(/next step/);
  });

  it('--json prints the DoctorReport in its stable shape', async () => {
    const r = await doctor(['--json'], tunnelEnv());
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      profile: string;
      ok: boolean;
      checks: Array<Record<string, unknown>>;
    };
    expect(Object.keys(report)).toEqual(['profile', 'ok', 'checks']);
    expect(report).toMatchObject({ profile: 'env', ok: true });
    for (const check of report.checks) {
      expect(['id', 'status', 'summary', 'why', 'evidence', 'nextStep']).toEqual(
        expect.arrayContaining(Object.keys(check)),
      );
      expect(['pass', 'warn', 'fail', 'skip']).toContain(check.status);
      expect(typeof check.summary).toBe('string');
    }
    const secretsCheck = report.checks.find((c) => c.id === 'secrets');
    expect(secretsCheck?.evidence).toBe('MCP_EXTRA_HEADERS (Authorization) → env:MCP_AUTH: resolves');
    const init = report.checks.find((c) => c.id === 'channel:main:initialize');
    expect(init?.evidence).toContain('server: http-fixture 1.0.0');
  });

  it('exit 1 for a stored profile with the wrong key; --explain shows why, evidence and the next step', async () => {
    const profiles = join(dir, 'profiles');
    await mkdir(profiles, { recursive: true });
    await writeFile(
      join(profiles, 'work.yaml'),
      `config_version: 1
control_plane:
  base_url: "${relay.controlPlaneUrl}"
  tunnel_id: "${relay.tunnelId}"
  api_key: "env:WORK_KEY"
mcp:
  server_urls:
    - url: "${mcp.url}"
      extra_headers:
        Authorization: "env:MCP_AUTH"
`,
      { mode: 0o600 },
    );
    const env = { PATH: process.env.PATH, WORK_KEY: WRONG_KEY, MCP_AUTH: `Bearer ${HEADER_CANARY}` };
    const plain = await doctor(['--profile', 'work', '--profile-dir', profiles], env);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/^Doctor: profile 'work'/);
    expect(plain.stdout).toMatch(/✗ control_plane_metadata\s+The control plane refused/);
    expect(plain.stdout).toMatch(/✓ channel:main:initialize/);
    expect(plain.stdout).toContain('Run again with --explain');

    const explained = await doctor(['--profile', 'work', '--profile-dir', profiles, '--explain'], env);
    expect(explained.code).toBe(1);
    const block = explained.stdout.slice(explained.stdout.indexOf('✗ control_plane_metadata'));
    expect(block).toMatch(/\n\s+why\s+The control plane does not let this key use the tunnel/);
    expect(block).toMatch(
      /\n\s+evidence\s+request: GET http:\/\/127\.0\.0\.1:\d+\/v1\/tunnels\/tunnel_\w+\n\s+HTTP 403/,
    );
    expect(block).toMatch(/\n\s+next step\s+Check control_plane\.api_key/);
  });
});
