import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileError } from '../../../../main/core/profiles/profile-errors.js';
import { ProfileStore } from '../../../../main/core/profiles/profile-store.js';
import { documentFromData, parseProfileText } from '../../../../main/core/profiles/profile-yaml.js';
import { renderSample } from '../../../../main/core/profiles/samples.js';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/profiles');
const TUNNEL = 'tunnel_0123456789abcdef0123456789abcdef';
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'profiles-store-'));
  dirs.push(dir);
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<ProfileError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    return err as ProfileError;
  }
  throw new Error('expected a rejection');
}

const sample = (): string =>
  renderSample('sample_mcp_stdio_local', {
    tunnelId: TUNNEL,
    mcpCommand: 'python /opt/jira.py',
    displayName: 'Jira',
    autostart: true,
  });

describe('ProfileStore', () => {
  it('round trips: save → load gives the same profile; file 0600 in a 0700 directory', async () => {
    const dir = join(await tempDir(), 'nested', 'profiles');
    const store = new ProfileStore({ dir });
    const text = sample();
    const saved = await store.saveText('local-jira', text);
    const loaded = await store.load('local-jira');
    expect(loaded.data).toEqual(saved.data);
    expect(loaded.data).toEqual(parseProfileText(text, { file: 'x', profileName: 'x' }).data);
    expect(loaded.data.mcp_tunnel).toEqual({ display_name: 'Jira', connection: 'openai', autostart: true });
    expect(await readFile(join(dir, 'local-jira.yaml'), 'utf8')).toBe(text);
    expect((await stat(join(dir, 'local-jira.yaml'))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);

    // A document built from data round trips too.
    const doc = documentFromData({
      config_version: 1,
      control_plane: { tunnel_id: TUNNEL, api_key: 'file:/run/key', max_inflight_requests: 3 },
      mcp: { server_urls: [{ url: 'http://127.0.0.1:9/mcp', extra_headers: { 'X-Team': 'a' } }] },
    });
    const second = await store.save('http', doc);
    expect((await store.load('http')).data).toEqual(second.data);
    expect(second.data.control_plane?.max_inflight_requests).toBe(3);
  });

  it('refuses to overwrite without force, replaces with force', async () => {
    const store = new ProfileStore({ dir: await tempDir() });
    await store.saveText('a', sample());
    const err = await rejection(store.saveText('a', sample()));
    expect(err.code).toBe('profile_exists');
    expect(err.message).toContain('--force');
    await store.saveText('a', sample().replace('python /opt/jira.py', 'node other.js'), { force: true });
    expect((await store.load('a')).data.mcp?.commands?.[0]?.command).toBe('node other.js');
  });

  it('atomic write: a failing serializer or a failure before the rename leaves the old file intact and no temp files', async () => {
    const dir = await tempDir();
    const good = new ProfileStore({ dir });
    await good.saveText('p', sample());
    const before = await readFile(join(dir, 'p.yaml'), 'utf8');
    const { doc } = await good.load('p');
    doc.setIn(['mcp_tunnel', 'display_name'], 'Changed');

    const failingSerializer = new ProfileStore({
      dir,
      serialize: () => {
        throw new Error('serializer exploded');
      },
    });
    await expect(failingSerializer.save('p', doc, { force: true })).rejects.toThrow('serializer exploded');
    expect(await readFile(join(dir, 'p.yaml'), 'utf8')).toBe(before);

    let tempSeen = '';
    const failingRename = new ProfileStore({
      dir,
      beforeRename: async (temp) => {
        tempSeen = temp;
        expect((await stat(temp)).mode & 0o777).toBe(0o600);
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      },
    });
    const err = await rejection(failingRename.save('p', doc, { force: true }));
    expect(err.code).toBe('profile_write_failed');
    expect(err.message).toContain('ENOSPC');
    expect(tempSeen).not.toBe('');
    expect(await readFile(join(dir, 'p.yaml'), 'utf8')).toBe(before);
    expect(await readdir(dir)).toEqual(['p.yaml']);
  });

  it('never writes a literal secret: the save is refused and the old file stays', async () => {
    const dir = await tempDir();
    const store = new ProfileStore({ dir, home: dir });
    await store.saveText('work', sample());
    const { doc } = await store.load('work');
    doc.setIn(['control_plane', 'api_key'], 'sk-proj-CANARY0123456789');
    const err = await rejection(store.save('work', doc, { force: true }));
    expect(err.code).toBe('profile_literal_secret');
    expect(err.message).toBe(
      'control_plane.api_key in ~/work.yaml holds a literal secret. Store it with `mcp-tunnel profiles edit work --api-key-ref env:CONTROL_PLANE_API_KEY` (and export CONTROL_PLANE_API_KEY) or put it in a file and use file:/path; it was not saved.',
    );
    expect(await readFile(join(dir, 'work.yaml'), 'utf8')).not.toContain('CANARY');
  });

  it('imports a reference profile unchanged (comments kept), validating first', async () => {
    const store = new ProfileStore({ dir: await tempDir() });
    const source = join(FIXTURES, 'reference-enterprise-proxy.yaml');
    const imported = await store.import(source);
    expect(imported.name).toBe('reference-enterprise-proxy');
    expect(await readFile(imported.file, 'utf8')).toBe(await readFile(source, 'utf8'));
    expect((await stat(imported.file)).mode & 0o777).toBe(0o600);
    const renamed = await store.import(join(FIXTURES, 'reference-multi-channel.yaml'), { name: 'hub' });
    expect(renamed.file).toBe(join(store.dir, 'hub.yaml'));
    expect((await rejection(store.import(source))).code).toBe('profile_exists');
  });

  it('import refuses literal secrets and unknown keys; nothing is copied', async () => {
    const dir = await tempDir();
    const store = new ProfileStore({ dir: join(dir, 'store') });
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, sample().replace('env:CONTROL_PLANE_API_KEY', 'sk-CANARYCANARYCANARY'));
    const err = await rejection(store.import(bad));
    expect(err.code).toBe('profile_literal_secret');
    expect(err.message).not.toContain('CANARY');
    expect(err.message).toContain('bad.yaml');
    const unknown = join(dir, 'unknown.yaml');
    await writeFile(unknown, `${sample()}extra_section: {}\n`);
    const err2 = await rejection(store.import(unknown));
    expect(err2.message).toContain("'extra_section'");
    expect(err2.message).toContain('unknown.yaml');
    expect(await store.list()).toEqual([]);
  });

  it('lists profiles sorted, with broken ones flagged; loads by path; removes', async () => {
    const dir = await tempDir();
    const store = new ProfileStore({ dir });
    await store.saveText('b', sample());
    await copyFile(join(FIXTURES, 'reference-stdio-local.yaml'), join(dir, 'a.yaml'));
    await writeFile(join(dir, 'broken.yaml'), 'config_version: 1\nnope: 1\n');
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const listed = await store.list();
    expect(listed.map((e) => [e.name, e.error?.code ?? 'ok'])).toEqual([
      ['a', 'ok'],
      ['b', 'ok'],
      ['broken', 'profile_unknown_key'],
    ]);
    expect((await store.load(join(dir, 'a.yaml'))).name).toBe('a');
    await store.remove('b');
    expect((await rejection(store.load('b'))).code).toBe('profile_not_found');
    expect((await rejection(store.remove('b'))).code).toBe('profile_not_found');
    expect((await rejection(store.load('../etc/passwd'))).code).toBe('profile_not_found');
    expect((await rejection(store.saveText('../escape', sample()))).code).toBe('profile_name_invalid');
  });

  it('reports an unreadable profile clearly', async () => {
    const dir = await tempDir();
    const store = new ProfileStore({ dir });
    await mkdir(join(dir, 'odd.yaml')); // a directory where a file should be: EISDIR, even for root
    const err = await rejection(store.load('odd'));
    expect(err.code).toBe('profile_unreadable');
    expect(err.message).toContain('EISDIR');
  });
});
