import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openFileStore, RelayStateError } from '../../../../main/core/relay/file-store.js';
import { defaultRelayStatePath } from '../../../../main/core/relay/state-path.js';
import { createTunnelAdmin } from '../../../../main/core/relay/tunnel-admin.js';
import { hashSecret } from '../../../../main/core/relay/tunnel-secrets.js';
import { waitFor } from './relay-harness.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'relay-state-'));
  dirs.push(dir);
  return dir;
}

describe('file store', () => {
  it('creates the file and its directory with mode 0600, stores only hashes, and round-trips', async () => {
    const dir = await tempDir();
    const path = join(dir, 'nested', 'deeper', 'relay-state.json');
    const store = await openFileStore(path);
    expect(store.list()).toEqual([]);
    const admin = createTunnelAdmin({ store, mcpUrlFor: (id) => `https://relay.example/v1/mcp/${id}` });
    const issued = await admin.create('Prod', 'my tunnel');
    await store.close();

    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(issued.runtimeKey);
    expect(text).not.toContain(issued.connectorToken);
    expect(text).toContain(hashSecret(issued.runtimeKey));
    expect(await readdir(join(dir, 'nested', 'deeper'))).toEqual(['relay-state.json']);

    const reopened = await openFileStore(path);
    const record = reopened.get(issued.tunnelId)!;
    expect(record).toMatchObject({ id: issued.tunnelId, name: 'Prod', description: 'my tunnel' });
    expect(record.runtimeKeyHashes).toEqual([hashSecret(issued.runtimeKey)]);
    expect(record.connectorTokenHashes).toEqual([hashSecret(issued.connectorToken)]);
    expect(await reopened.delete(issued.tunnelId)).toBe(true);
    expect(await reopened.delete(issued.tunnelId)).toBe(false);
    await reopened.close();
    expect((await openFileStore(path)).list()).toEqual([]);
  });

  it('replaces the file atomically: concurrent writes leave valid JSON and no temp files', async () => {
    const dir = await tempDir();
    const path = join(dir, 'state.json');
    const store = await openFileStore(path);
    const admin = createTunnelAdmin({ store, mcpUrlFor: (id) => id });
    await Promise.all(Array.from({ length: 10 }, (_, i) => admin.create(`t${i}`)));
    expect(store.list()).toHaveLength(10);
    const parsed = JSON.parse(await readFile(path, 'utf8')) as { version: number; tunnels: unknown[] };
    expect(parsed.version).toBe(1);
    expect(parsed.tunnels).toHaveLength(10);
    expect(await readdir(dir)).toEqual(['state.json']);
    await store.close();
  });

  it('refuses a corrupt or malformed state file with a clear error', async () => {
    const dir = await tempDir();
    const path = join(dir, 'state.json');
    await writeFile(path, '{not json');
    await expect(openFileStore(path)).rejects.toBeInstanceOf(RelayStateError);
    await writeFile(path, JSON.stringify({ version: 2, tunnels: [] }));
    await expect(openFileStore(path)).rejects.toThrow(/malformed/);
  });

  it('picks up changes made by another process when watching', async () => {
    const dir = await tempDir();
    const path = join(dir, 'state.json');
    const serving = await openFileStore(path, { watch: true });
    const cli = await openFileStore(path);
    const issued = await createTunnelAdmin({ store: cli, mcpUrlFor: (id) => id }).create('from cli');
    await cli.close();
    // No explicit reload: the watcher notices the rename within about a second.
    await waitFor(() => serving.get(issued.tunnelId) !== undefined, 'the watched store to reload', 5000);
    expect(serving.get(issued.tunnelId)?.name).toBe('from cli');
    await serving.close();
  });

  it('defaults to $MCP_TUNNEL_RELAY_STATE, else the platform config dir', () => {
    expect(defaultRelayStatePath({ MCP_TUNNEL_RELAY_STATE: '/x/s.json' }, 'linux', '/home/u')).toBe(
      '/x/s.json',
    );
    expect(defaultRelayStatePath({}, 'linux', '/home/u')).toBe('/home/u/.config/mcp-tunnel/relay-state.json');
    expect(defaultRelayStatePath({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u')).toBe(
      '/cfg/mcp-tunnel/relay-state.json',
    );
    expect(defaultRelayStatePath({}, 'darwin', '/Users/u')).toBe(
      '/Users/u/Library/Application Support/mcp-tunnel/relay-state.json',
    );
  });
});
