import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { initCommand } from '../../../main/cli/commands/init.js';
import { ProfileStore } from '../../../main/core/profiles/profile-store.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const TUNNEL = 'tunnel_0123456789abcdef0123456789abcdef';
const CANARY = 'sk-proj-CANARY-init-0123456789abcdef';
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function profileDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'init-cli-'));
  dirs.push(dir);
  return join(dir, 'profiles');
}

async function init(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await initCommand(args, { stdout, stderr, env: { CONTROL_PLANE_API_KEY: CANARY, ...env } });
  const all = stdout.text + stderr.text;
  expect(all).not.toContain(CANARY);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('mcp-tunnel init', () => {
  it("takes the reference client's command line unchanged and writes a valid 0600 profile without the key", async () => {
    const dir = await profileDir();
    const r = await init([
      '--sample',
      'sample_mcp_stdio_local',
      '--profile',
      'local-jira',
      '--tunnel-id',
      TUNNEL,
      '--mcp-command',
      'python /opt/mcp-servers/jira-server.py',
      '--control-plane-api-key-ref',
      'env:CONTROL_PLANE_API_KEY',
      '--health-listen-addr',
      '127.0.0.1:0',
      '--profile-dir',
      dir,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created profile local-jira');
    expect(r.stdout).toContain(`mcp-tunnel run --profile local-jira --profile-dir ${dir}`);
    const file = join(dir, 'local-jira.yaml');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('env:CONTROL_PLANE_API_KEY');
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain('mcp_tunnel');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const loaded = await new ProfileStore({ dir }).load('local-jira');
    expect(loaded.data).toMatchObject({
      config_version: 1,
      control_plane: {
        base_url: 'https://api.openai.com',
        tunnel_id: TUNNEL,
        api_key: 'env:CONTROL_PLANE_API_KEY',
      },
      health: { listen_addr: '127.0.0.1:0' },
      mcp: { commands: [{ channel: 'main', command: 'python /opt/mcp-servers/jira-server.py' }] },
    });
  });

  it('refuses to overwrite an existing profile without --force (exit 2), replaces it with --force', async () => {
    const dir = await profileDir();
    const args = [
      '--sample',
      'sample_mcp_http',
      '--profile',
      'lake',
      '--tunnel-id',
      TUNNEL,
      '--mcp-server-url',
      'https://mcp.internal.example.com/mcp',
      '--profile-dir',
      dir,
    ];
    expect((await init(args)).code).toBe(0);
    const before = await readFile(join(dir, 'lake.yaml'), 'utf8');
    const again = await init([
      ...args.slice(0, -4),
      '--mcp-server-url',
      'https://other.example.com/mcp',
      '--profile-dir',
      dir,
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    expect(await readFile(join(dir, 'lake.yaml'), 'utf8')).toBe(before);
    const forced = await init([
      ...args.slice(0, -4),
      '--mcp-server-url',
      'https://other.example.com/mcp',
      '--profile-dir',
      dir,
      '--force',
    ]);
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'lake.yaml'), 'utf8')).toContain('https://other.example.com/mcp');
  });

  it('writes our samples (relay, demo) with the mcp_tunnel section; --json output', async () => {
    const dir = await profileDir();
    const relay = await init([
      '--sample',
      'sample_relay_stdio',
      '--profile',
      'r',
      '--tunnel-id',
      TUNNEL,
      '--mcp-command',
      'node s.js',
      '--control-plane-base-url',
      'https://relay.example.com',
      '--display-name',
      'My relay',
      '--autostart',
      '--profile-dir',
      dir,
      '--json',
    ]);
    expect(relay.code).toBe(0);
    expect(JSON.parse(relay.stdout)).toEqual({
      name: 'r',
      file: join(dir, 'r.yaml'),
      sample: 'sample_relay_stdio',
    });
    const store = new ProfileStore({ dir });
    expect((await store.load('r')).data.mcp_tunnel).toEqual({
      display_name: 'My relay',
      connection: 'relay',
      autostart: true,
    });
    const demo = await init(['--sample', 'sample_demo', '--profile', 'd', '--profile-dir', dir]);
    expect(demo.code).toBe(0);
    expect((await store.load('d')).data.mcp_tunnel?.connection).toBe('demo');
    // The profile name defaults to the sample name, like the reference client.
    expect(
      (await init(['--tunnel-id', TUNNEL, '--mcp-command', 'node s.js', '--profile-dir', dir])).code,
    ).toBe(0);
    expect(await store.exists('sample_mcp_stdio_local')).toBe(true);
  });

  it('bad input exits 2 with a clear message and writes nothing', async () => {
    const dir = await profileDir();
    const cases: Array<[string[], string]> = [
      [['--bogus'], "Unknown option '--bogus'"],
      [['--sample', 'nope', '--tunnel-id', TUNNEL, '--mcp-command', 'x'], "Unknown sample 'nope'"],
      [['--sample', 'sample_mcp_stdio_local', '--mcp-command', 'x'], '--tunnel-id'],
      [
        ['--sample', 'sample_mcp_stdio_local', '--tunnel-id', 'tunnel_short', '--mcp-command', 'x'],
        'control_plane.tunnel_id',
      ],
      [['--sample', 'sample_mcp_http', '--tunnel-id', TUNNEL, '--mcp-server-url', 'ftp://x'], 'http'],
      [['--sample', 'sample_mcp_stdio_local', '--tunnel-id', TUNNEL], '--mcp-command'],
      [
        ['--tunnel-id', TUNNEL, '--mcp-command', 'x', '--control-plane-api-key-ref', CANARY],
        'literal secret',
      ],
      [['--tunnel-id', TUNNEL, '--mcp-command', 'x', '--connection', 'cloud'], '--connection'],
    ];
    for (const [args, message] of cases) {
      const r = await init([...args, '--profile-dir', dir]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(await new ProfileStore({ dir }).list()).toEqual([]);
  });

  it('--list-samples and --help', async () => {
    const r = await init(['--list-samples']);
    for (const name of [
      'sample_mcp_stdio_local',
      'sample_mcp_http',
      'sample_mcp_remote_no_auth',
      'sample_relay_stdio',
      'sample_demo',
    ])
      expect(r.stdout).toContain(name);
    expect((await init(['--help'])).stdout).toContain('Usage:');
  });
});
