import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addToCodex,
  codexConfigPath,
  codexHomeDir,
  previewCodexEntry,
  removeFromCodex,
} from '../../../../../main/core/integrations/codex/codex-config-file.js';
import type { CodexConfigError } from '../../../../../main/core/integrations/codex/codex-errors.js';
import { systemClock, type Clock } from '../../../../../main/core/runtime/clock.js';

const posix = process.platform !== 'win32';
const ENTRY = {
  url: 'http://127.0.0.1:1/v1/mcp/t',
  bearer_token_env_var: 'MCP_TUNNEL_TOKEN',
  startup_timeout_sec: 30,
  tool_timeout_sec: 300,
};
const USER_FILE = '# my Codex config\nmodel = "o3"\n\n[mcp_servers.jira]\ncommand = "npx" # keep\n';

let dir: string;
let home: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'codex-config-'));
  home = join(dir, 'codex-home');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

/** A clock whose sleep advances time at once (no real waiting in lock tests). */
function instantClock(): Clock {
  let now = 0;
  return {
    now: () => now,
    wallNow: () => Date.now() + now,
    sleep: async (ms) => {
      now += ms;
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('config location', () => {
  it('is $CODEX_HOME/config.toml, else ~/.codex/config.toml (%USERPROFILE%\\.codex on Windows)', () => {
    expect(codexConfigPath({ env: { CODEX_HOME: '/x/codex' }, platform: 'linux' })).toBe(
      '/x/codex/config.toml',
    );
    expect(codexConfigPath({ env: { HOME: '/home/u' }, platform: 'linux' })).toBe(
      '/home/u/.codex/config.toml',
    );
    expect(codexConfigPath({ codexHome: '/o', env: { CODEX_HOME: '/x' }, platform: 'linux' })).toBe(
      '/o/config.toml',
    );
    expect(codexHomeDir({ env: { USERPROFILE: 'C:\\Users\\u' }, platform: 'win32' })).toBe(
      'C:\\Users\\u\\.codex',
    );
    expect(codexConfigPath({ env: { USERPROFILE: 'C:\\Users\\u' }, platform: 'win32' })).toBe(
      'C:\\Users\\u\\.codex\\config.toml',
    );
  });
});

describe('addToCodex / removeFromCodex', () => {
  it('creates the directory (0700) and file (0600) when missing, from CODEX_HOME', async () => {
    const result = await addToCodex({ env: { CODEX_HOME: home }, name: 'tunnel', entry: ENTRY });
    expect(result.path).toBe(join(home, 'config.toml'));
    expect(result.changed).toBe(true);
    expect(parse(await readFile(result.path, 'utf8'))).toEqual({ mcp_servers: { tunnel: ENTRY } });
    expect(result.entryToml).toContain('[mcp_servers.tunnel]');
    if (posix) {
      expect(await mode(home)).toBe(0o700);
      expect(await mode(result.path)).toBe(0o600);
    }
    expect((await readdir(home)).sort()).toEqual(['config.toml']);
  });

  it('keeps the previous file as config.toml.bak (0600), and is idempotent', async () => {
    await addToCodex({ codexHome: home, env: {}, name: 'jira-x', entry: ENTRY }); // creates home
    const path = join(home, 'config.toml');
    await writeFile(path, USER_FILE);
    const first = await addToCodex({ codexHome: home, env: {}, name: 'tunnel', entry: ENTRY });
    expect(first.changed).toBe(true);
    const written = await readFile(path, 'utf8');
    expect(written.startsWith(USER_FILE)).toBe(true);
    expect(await readFile(`${path}.bak`, 'utf8')).toBe(USER_FILE);
    if (posix) expect(await mode(`${path}.bak`)).toBe(0o600);

    const again = await addToCodex({ codexHome: home, env: {}, name: 'tunnel', entry: ENTRY });
    expect(again.changed).toBe(false);
    expect(await readFile(path, 'utf8')).toBe(written);
    expect(await readFile(`${path}.bak`, 'utf8')).toBe(USER_FILE);

    expect(await removeFromCodex({ codexHome: home, env: {}, name: 'tunnel' })).toEqual({
      path,
      removed: true,
    });
    expect(await readFile(path, 'utf8')).toBe(USER_FILE);
    expect((await removeFromCodex({ codexHome: home, env: {}, name: 'tunnel' })).removed).toBe(false);
    expect((await readdir(home)).sort()).toEqual(['config.toml', 'config.toml.bak']);
  });

  it('refuses an unparsable file and leaves it (and the backup) untouched', async () => {
    await addToCodex({ codexHome: home, env: {}, name: 'a', entry: ENTRY });
    const path = join(home, 'config.toml');
    await writeFile(path, 'model = "o3\n');
    const error = await addToCodex({ codexHome: home, env: {}, name: 'tunnel', entry: ENTRY }).catch(
      (e: unknown) => e,
    );
    expect((error as CodexConfigError).code).toBe('codex_config_unparsable');
    expect((error as Error).message).toMatch(/line 1/);
    expect(await readFile(path, 'utf8')).toBe('model = "o3\n');
    expect((await readdir(home)).sort()).toEqual(['config.toml']);
  });

  it('a failure before the rename leaves the old file as it was and no temp file behind', async () => {
    await addToCodex({ codexHome: home, env: {}, name: 'first', entry: ENTRY });
    const path = join(home, 'config.toml');
    const before = await readFile(path, 'utf8');
    const error = await addToCodex({
      codexHome: home,
      env: {},
      name: 'second',
      entry: ENTRY,
      beforeRename: async () => {
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      },
    }).catch((e: unknown) => e);
    expect((error as CodexConfigError).code).toBe('codex_config_io');
    expect((error as Error).message).toMatch(/ENOSPC.*previous file is unchanged/);
    expect(await readFile(path, 'utf8')).toBe(before);
    expect((await readdir(home)).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });

  it('two concurrent adds take turns under the lock: both succeed, the file has both entries', async () => {
    await addToCodex({ codexHome: home, env: {}, name: 'seed', entry: ENTRY });
    const path = join(home, 'config.toml');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let firstPaused!: () => void;
    const paused = new Promise<void>((r) => (firstPaused = r));
    const first = addToCodex({
      codexHome: home,
      env: {},
      name: 'one',
      entry: ENTRY,
      beforeRename: async () => {
        firstPaused();
        await held;
      },
    });
    await paused;
    let secondDone = false;
    let secondWaiting!: () => void;
    const waiting = new Promise<void>((r) => (secondWaiting = r));
    const waitingClock: Clock = {
      ...systemClock,
      sleep: (ms, signal) => {
        secondWaiting();
        return systemClock.sleep(ms, signal);
      },
    };
    const second = addToCodex({
      codexHome: home,
      env: {},
      name: 'two',
      entry: { ...ENTRY, url: 'http://two' },
      clock: waitingClock,
    }).then((r) => {
      secondDone = true;
      return r;
    });
    // The second writer finds config.toml.lock taken while the first is mid-write, and waits.
    await waiting;
    expect(secondDone).toBe(false);
    expect(await readdir(home)).toContain('config.toml.lock');
    expect(parse(await readFile(path, 'utf8')).mcp_servers).not.toHaveProperty('one');
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a.changed && b.changed).toBe(true);
    const servers = parse(await readFile(path, 'utf8')).mcp_servers as Record<string, unknown>;
    expect(Object.keys(servers).sort()).toEqual(['one', 'seed', 'two']);
    expect(await readdir(home)).not.toContain('config.toml.lock');
  });

  it('waits a bounded time for a live lock, and takes over a stale one (older than 30 s)', async () => {
    await addToCodex({ codexHome: home, env: {}, name: 'seed', entry: ENTRY });
    const lock = join(home, 'config.toml.lock');
    await writeFile(lock, 'other writer\n');
    const error = await addToCodex({
      codexHome: home,
      env: {},
      name: 'x',
      entry: ENTRY,
      clock: instantClock(),
      lockWaitMs: 2_000,
    }).catch((e: unknown) => e);
    expect((error as CodexConfigError).code).toBe('codex_config_locked');
    expect((error as Error).message).toContain(lock);

    const old = new Date(Date.now() - 31_000);
    await utimes(lock, old, old);
    const result = await addToCodex({
      codexHome: home,
      env: {},
      name: 'x',
      entry: ENTRY,
      clock: instantClock(),
    });
    expect(result.changed).toBe(true);
    expect(await readdir(home)).not.toContain('config.toml.lock');
  });

  it('previewCodexEntry writes nothing and says whether it would replace an entry', async () => {
    const tunnel = {
      kind: 'demo' as const,
      mcpUrl: 'http://127.0.0.1:9/v1/mcp/t',
      connectorToken: 'mcpt_ct_abcdefghijklmnop',
    };
    const fresh = await previewCodexEntry({
      codexHome: home,
      env: {},
      tunnel,
      entryOptions: { name: 'demo', tokenMode: 'header' },
    });
    expect(fresh).toMatchObject({ path: join(home, 'config.toml'), exists: false, replaces: false });
    expect(fresh.maskedToml).not.toContain('abcdefghijklmnop');
    await expect(stat(home)).rejects.toThrow();
    await addToCodex({ codexHome: home, env: {}, name: 'demo', entry: fresh.entry });
    const again = await previewCodexEntry({
      codexHome: home,
      env: {},
      tunnel,
      entryOptions: { name: 'demo', tokenMode: 'env' },
    });
    expect(again).toMatchObject({ exists: true, replaces: true });
  });
});
