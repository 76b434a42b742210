import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { relayCommand } from '../../../main/cli/commands/relay.js';

const dirs: string[] = [];
const aborts: AbortController[] = [];
afterEach(async () => {
  for (const a of aborts.splice(0)) a.abort();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function stateFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'relay-cli-'));
  dirs.push(dir);
  return join(dir, 'state', 'relay-state.json');
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}, signal?: AbortSignal) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await relayCommand(argv, { stdout, stderr, env, signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

interface Issued {
  tunnel_id: string;
  runtime_key: string;
  connector_token: string;
  mcp_url: string;
}

describe('mcp-tunnel relay tunnels', () => {
  it('creates, lists, rotates and deletes tunnels; secrets are printed once and never listed', async () => {
    const state = await stateFile();
    const created = await run([
      'tunnels',
      'create',
      '--name',
      'Prod',
      '--state',
      state,
      '--public-url',
      'https://relay.example/',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const issued = JSON.parse(created.stdout) as Issued;
    expect(Object.keys(issued).sort()).toEqual(['connector_token', 'mcp_url', 'runtime_key', 'tunnel_id']);
    expect(issued.tunnel_id).toMatch(/^tunnel_[a-z0-9]{32}$/);
    expect(issued.runtime_key).toMatch(/^mcpt_rk_[A-Za-z0-9_-]{43}$/);
    expect(issued.connector_token).toMatch(/^mcpt_ct_[A-Za-z0-9_-]{43}$/);
    expect(issued.mcp_url).toBe(`https://relay.example/v1/mcp/${issued.tunnel_id}`);

    const fileText = await readFile(state, 'utf8');
    expect(fileText).not.toContain(issued.runtime_key);
    expect(fileText).not.toContain(issued.connector_token);

    for (const args of [['--json'], []]) {
      const listed = await run(['tunnels', 'list', '--state', state, ...args]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(issued.tunnel_id);
      expect(listed.stdout).toContain('Prod');
      expect(listed.stdout).not.toContain('mcpt_');
    }
    const rows = JSON.parse((await run(['tunnels', 'list', '--state', state, '--json'])).stdout) as Array<
      Record<string, unknown>
    >;
    expect(Object.keys(rows[0]!).sort()).toEqual([
      'created_at',
      'description',
      'mcp_url',
      'name',
      'tunnel_id',
    ]);

    const human = await run(['tunnels', 'rotate-key', issued.tunnel_id, '--state', state]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Runtime key: +mcpt_rk_/);
    expect(human.stdout).toMatch(/Connector token: +mcpt_ct_/);
    const rotated = JSON.parse(
      (await run(['tunnels', 'rotate-key', issued.tunnel_id, '--state', state, '--json'])).stdout,
    ) as Issued;
    expect(rotated.tunnel_id).toBe(issued.tunnel_id);
    expect(rotated.runtime_key).not.toBe(issued.runtime_key);
    expect(rotated.connector_token).not.toBe(issued.connector_token);

    const missing = await run(['tunnels', 'rotate-key', `tunnel_${'0'.repeat(32)}`, '--state', state]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No tunnel');

    expect((await run(['tunnels', 'delete', issued.tunnel_id, '--state', state])).code).toBe(0);
    expect((await run(['tunnels', 'delete', issued.tunnel_id, '--state', state])).code).toBe(1);
    expect(JSON.parse((await run(['tunnels', 'list', '--state', state, '--json'])).stdout)).toEqual([]);
  });

  it('uses $MCP_TUNNEL_RELAY_STATE when --state is absent', async () => {
    const state = await stateFile();
    const created = await run(['tunnels', 'create', '--json'], { MCP_TUNNEL_RELAY_STATE: state });
    expect(created.code).toBe(0);
    expect(await readFile(state, 'utf8')).toContain((JSON.parse(created.stdout) as Issued).tunnel_id);
  });

  it('rejects bad command lines with a message and exit code 2', async () => {
    for (const argv of [
      ['tunnels', 'create', '--bogus'],
      ['tunnels', 'frobnicate'],
      ['tunnels', 'rotate-key'],
      ['tunnels', 'list', 'extra'],
      ['serve', '--listen', 'nope'],
      ['serve', '--tls-cert', 'a.pem'],
      ['tunnels', 'create', '--public-url', 'ftp://x'],
      [],
    ]) {
      const res = await run(argv);
      expect(res.code, argv.join(' ')).toBe(2);
      expect(res.stderr).toContain('Usage:');
    }
    expect((await run(['--help'])).code).toBe(0);
  });
});

describe('mcp-tunnel relay serve', () => {
  it('serves the state file, picks up tunnels created meanwhile, and stops cleanly on abort', async () => {
    const state = await stateFile();
    const abort = new AbortController();
    aborts.push(abort);
    const stdout = new Capture();
    const stderr = new Capture();
    const serving = relayCommand(['serve', '--listen', '127.0.0.1:0', '--state', state], {
      stdout,
      stderr,
      env: {},
      signal: abort.signal,
    });
    const start = Date.now();
    while (!/Relay listening on (http:\/\/127\.0\.0\.1:\d+)/.test(stdout.text)) {
      if (Date.now() - start > 5000) throw new Error(`serve did not start: ${stdout.text} ${stderr.text}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const base = /Relay listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout.text)![1]!;
    expect(stdout.text).toContain(state);
    const health = await request(`${base}/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.text();

    const issued = JSON.parse(
      (await run(['tunnels', 'create', '--state', state, '--json'])).stdout,
    ) as Issued;
    let status = 0;
    while (status !== 204) {
      if (Date.now() - start > 8000) throw new Error(`new tunnel never accepted (last status ${status})`);
      const res = await request(`${base}/v1/tunnels/${issued.tunnel_id}/poll?timeout_ms=1`, {
        headers: { authorization: `Bearer ${issued.runtime_key}` },
      });
      status = res.statusCode;
      await res.body.text();
      if (status !== 204) await new Promise((r) => setTimeout(r, 100));
    }

    abort.abort();
    expect(await serving).toBe(0);
    expect(stdout.text).toContain('Relay stopped.');
    expect(stdout.text + stderr.text).not.toContain('mcpt_');
  });
});
