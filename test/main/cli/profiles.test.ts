import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { profilesCommand } from '../../../main/cli/commands/profiles.js';
import { ProfileStore } from '../../../main/core/profiles/profile-store.js';
import type { ProfileListItem, ProfileView } from '../../../main/core/profiles/profile-summary.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const FIXTURES = join(import.meta.dirname, '../../fixtures/profiles');
const TUNNEL = 'tunnel_0123456789abcdef0123456789abcdef';
/** Planted in environment variables the profiles reference: must never be printed. */
const CANARY_KEY = 'sk-proj-CANARY-profiles-0123456789';
const CANARY_TOKEN = 'CANARY-token-value-987654321';
const ENV = {
  WORK_KEY: CANARY_KEY,
  WIKI_TOKEN: CANARY_TOKEN,
  CONTROL_PLANE_API_KEY: CANARY_KEY,
  LOG_LEVEL: 'debug',
};

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function profileDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'profiles-cli-'));
  dirs.push(dir);
  return join(dir, 'profiles');
}

const outputs: string[] = [];
async function run(dir: string, args: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await profilesCommand([...args, '--profile-dir', dir], { stdout, stderr, env: ENV });
  outputs.push(stdout.text, stderr.text);
  expect(stdout.text + stderr.text).not.toContain(CANARY_KEY);
  expect(stdout.text + stderr.text).not.toContain(CANARY_TOKEN);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function seed(dir: string): Promise<void> {
  expect(
    (
      await run(dir, [
        'add',
        'work',
        '--tunnel-id',
        TUNNEL,
        '--mcp-command',
        'node /srv/work.js',
        '--api-key-ref',
        'env:WORK_KEY',
        '--display-name',
        'Work',
      ])
    ).code,
  ).toBe(0);
  expect(
    (
      await run(dir, [
        'add',
        'wiki',
        '--sample',
        'sample_mcp_http',
        '--tunnel-id',
        TUNNEL,
        '--mcp-server-url',
        'https://wiki.example/mcp',
        '--mcp.extra-headers',
        'Authorization: env:WIKI_TOKEN',
        '--mcp.extra-headers',
        'X-Team: docs',
      ])
    ).code,
  ).toBe(0);
}

describe('mcp-tunnel profiles', () => {
  it('list and show never print a resolved secret (canary), refs are shown as refs', async () => {
    const dir = await profileDir();
    await seed(dir);
    const list = await run(dir, ['list', '--json']);
    expect(list.code).toBe(0);
    const items = (JSON.parse(list.stdout) as { profiles: ProfileListItem[] }).profiles;
    expect(items).toEqual([
      {
        name: 'wiki',
        file: join(dir, 'wiki.yaml'),
        display_name: null,
        connection: 'openai',
        tunnel_id: TUNNEL,
        autostart: false,
        channels: [{ name: 'main', kind: 'http' }],
      },
      {
        name: 'work',
        file: join(dir, 'work.yaml'),
        display_name: 'Work',
        connection: 'openai',
        tunnel_id: TUNNEL,
        autostart: false,
        channels: [{ name: 'main', kind: 'stdio' }],
      },
    ]);
    const table = await run(dir, ['list']);
    expect(table.stdout).toMatch(/^NAME\s+CONNECTION\s+TUNNEL\s+CHANNELS\n/);
    expect(table.stdout).toContain('main(stdio)');

    const show = await run(dir, ['show', 'wiki', '--json']);
    const view = JSON.parse(show.stdout) as ProfileView;
    expect(view.control_plane.api_key).toBe('env:CONTROL_PLANE_API_KEY');
    expect(view.control_plane.max_inflight_requests).toBe(20);
    expect(view.mcp.extra_headers).toEqual({ Authorization: 'env:WIKI_TOKEN', 'X-Team': 'docs' });
    expect(view.environment_overrides).toEqual(['CONTROL_PLANE_API_KEY', 'LOG_LEVEL']);
    expect(
      (JSON.parse((await run(dir, ['show', 'work', '--json'])).stdout) as ProfileView).control_plane.api_key,
    ).toBe('env:WORK_KEY');
    const text = await run(dir, ['show', join(dir, 'work.yaml')]);
    expect(text.stdout).toContain('api_key: env:WORK_KEY');
    for (const out of outputs) {
      expect(out).not.toContain(CANARY_KEY);
      expect(out).not.toContain(CANARY_TOKEN);
    }
    for (const file of await readdir(dir)) {
      const body = await readFile(join(dir, file), 'utf8');
      expect(body).not.toContain(CANARY_KEY);
      expect(body).not.toContain(CANARY_TOKEN);
    }
  });

  it('edit changes listed fields, --set and --unset anything, keeps comments, stays 0600', async () => {
    const dir = await profileDir();
    await seed(dir);
    const file = join(dir, 'work.yaml');
    expect((await readFile(file, 'utf8')).startsWith('# Local stdio MCP server')).toBe(true);
    const r = await run(dir, [
      'edit',
      'work',
      '--control-plane.tunnel-id',
      'tunnel_ffffffffffffffffffffffffffffffff',
      '--mcp-server-url',
      'http://127.0.0.1:7/mcp',
      '--connection',
      'relay',
      '--control-plane.base-url',
      'https://relay.example',
      '--no-autostart',
      '--set',
      'mcp.max_concurrent_requests=4',
      '--set',
      'mcp.server_urls[0].extra_headers.X-Team=ops',
      '--unset',
      'log.format',
      '--log.level',
      'warn',
    ]);
    expect(r.code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('# Local stdio MCP server')).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const data = (await new ProfileStore({ dir }).load('work')).data;
    expect(data.control_plane).toMatchObject({
      tunnel_id: 'tunnel_ffffffffffffffffffffffffffffffff',
      base_url: 'https://relay.example',
      api_key: 'env:WORK_KEY',
    });
    expect(data.mcp).toEqual({
      server_urls: [{ channel: 'main', url: 'http://127.0.0.1:7/mcp', extra_headers: { 'X-Team': 'ops' } }],
      max_concurrent_requests: 4,
    });
    expect(data.mcp_tunnel).toEqual({ display_name: 'Work', connection: 'relay', autostart: false });
    expect(data.log).toEqual({ level: 'warn' });
    // And back to a command: the main URL entry is replaced.
    expect((await run(dir, ['edit', 'work', '--mcp-command', 'node again.js'])).code).toBe(0);
    expect((await new ProfileStore({ dir }).load('work')).data.mcp).toEqual({
      commands: [{ channel: 'main', command: 'node again.js' }],
      max_concurrent_requests: 4,
    });
  });

  it('edit refuses invalid results and literal secrets; the file is unchanged', async () => {
    const dir = await profileDir();
    await seed(dir);
    const file = join(dir, 'work.yaml');
    const before = await readFile(file, 'utf8');
    const cases: Array<[string[], string]> = [
      [['edit', 'work', '--set', `control_plane.api_key=${CANARY_KEY}`], 'control_plane.api_key in'],
      [['edit', 'work', '--api-key-ref', 'plain-literal-key'], 'literal secret'],
      [['edit', 'work', '--set', 'control_plane.typo=1'], "'control_plane.typo'"],
      [['edit', 'work', '--set', 'mcp.commands[0].channel=Bad Name'], 'channel name'],
      [['edit', 'work', '--set', 'control_plane.poll_timeout=soon'], 'control_plane.poll_timeout'],
      [['edit', 'work'], 'nothing to change'],
      [['edit', 'missing', '--tunnel-id', TUNNEL], "No profile 'missing'"],
    ];
    for (const [args, message] of cases) {
      const r = await run(dir, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('import copies reference profiles unchanged; rm removes; bad flags exit 2', async () => {
    const dir = await profileDir();
    const imported = await run(dir, [
      'import',
      join(FIXTURES, 'reference-multi-channel.yaml'),
      '--name',
      'hub',
      '--json',
    ]);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ name: 'hub', file: join(dir, 'hub.yaml') });
    expect(await readFile(join(dir, 'hub.yaml'), 'utf8')).toBe(
      await readFile(join(FIXTURES, 'reference-multi-channel.yaml'), 'utf8'),
    );
    const show = JSON.parse((await run(dir, ['show', 'hub', '--json'])).stdout) as ProfileView;
    expect(show.channels.map((c) => c.name)).toEqual(['main', 'pagerduty', 'datalake']);
    expect(show.ignored_keys).toContain('harpoon');
    expect(
      (await run(dir, ['import', join(FIXTURES, 'reference-multi-channel.yaml'), '--name', 'hub'])).code,
    ).toBe(2);
    expect(
      (await run(dir, ['import', join(FIXTURES, 'reference-multi-channel.yaml'), '--name', 'hub', '--force']))
        .code,
    ).toBe(0);

    const secretFile = join(dir, '..', 'leaky.yaml');
    await writeFile(
      secretFile,
      (await readFile(join(FIXTURES, 'reference-stdio-local.yaml'), 'utf8')).replace(
        'env:CONTROL_PLANE_API_KEY',
        CANARY_KEY,
      ),
    );
    const refused = await run(dir, ['import', secretFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('control_plane.api_key in');
    expect(refused.stderr).toContain('it was not saved');

    expect((await run(dir, ['rm', 'hub'])).code).toBe(0);
    expect((await run(dir, ['rm', 'hub'])).code).toBe(2);
    expect((await run(dir, ['list'])).stdout).toContain('No profiles');
    for (const [args, message] of [
      [['list', '--nope'], "Unknown option '--nope'"],
      [['frobnicate'], "unknown command 'profiles frobnicate'"],
      [['show'], 'exactly one'],
      [['add', 'Bad/Name', '--tunnel-id', TUNNEL, '--mcp-command', 'x'], 'not a profile name'],
    ] as Array<[string[], string]>) {
      const r = await run(dir, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect((await run(dir, [])).code).toBe(2);
  });

  it('lists a broken profile with its error instead of failing', async () => {
    const dir = await profileDir();
    await mkdir(dir, { recursive: true });
    await copyFile(join(FIXTURES, 'reference-stdio-local.yaml'), join(dir, 'good.yaml'));
    await writeFile(
      join(dir, 'broken.yaml'),
      `config_version: 1\ncontrol_plane:\n  api_key: "${CANARY_KEY}"\n`,
    );
    const r = await run(dir, ['list', '--json']);
    expect(r.code).toBe(0);
    const items = (JSON.parse(r.stdout) as { profiles: ProfileListItem[] }).profiles;
    expect(items.map((i) => [i.name, i.error?.code ?? null])).toEqual([
      ['broken', 'profile_literal_secret'],
      ['good', null],
    ]);
  });
});
