import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCodexAdmin } from '../../../../main/core/admin/admin-integrations.js';
import { AdminService } from '../../../../main/core/admin/admin-service.js';
import { RequestLog } from '../../../../main/core/admin/request-log.js';
import { TunnelManager } from '../../../../main/core/admin/tunnel-manager.js';
import { LogHub } from '../../../../main/core/observability/logger.js';
import { ensureCodexCli } from '../../../support/codex-cli.js';

const TOKEN = 'ct_0123456789abcdef0123456789abcdef';
const MCP_URL = 'http://127.0.0.1:45999/t/tunnel_abc/mcp';

let codexHome: string;
let svc: AdminService;

function makeService(codexBin?: string): AdminService {
  const hub = new LogHub({ level: 'error' });
  const manager = new TunnelManager({ logger: hub.logger() });
  const load = () => Promise.reject(new Error('not started in this test'));
  manager.add({
    id: 'demo',
    displayName: 'Demo',
    connection: 'demo',
    enabled: false,
    load,
    mcpUrl: MCP_URL,
    connectorToken: TOKEN,
  });
  manager.add({ id: 'hosted', displayName: 'Hosted', connection: 'openai', enabled: false, load });
  return new AdminService({
    manager,
    logs: hub,
    requests: new RequestLog(),
    version: 'test',
    codex: createCodexAdmin({
      manager,
      env: { ...process.env, CODEX_HOME: codexHome },
      ...(codexBin ? { codexBin } : {}),
    }),
  });
}

beforeEach(async () => {
  codexHome = await mkdtemp(join(tmpdir(), 'admin-codex-'));
  svc = makeService();
});
afterEach(async () => {
  await rm(codexHome, { recursive: true, force: true });
});

describe('integrations.codex', () => {
  it('previews the exact entry with the token masked, then adds it preserving the file', async () => {
    const configPath = join(codexHome, 'config.toml');
    await writeFile(configPath, '# my settings\nmodel = "o3"\n');
    const preview = await svc.invoke('integrations.codex.preview', { tunnelId: 'demo', tokenMode: 'header' });
    expect(preview).toMatchObject({
      ok: true,
      result: { configPath, name: 'mcp-tunnel-demo', replaces: false },
    });
    const toml = (preview as { result: { entryToml: string } }).result.entryToml;
    expect(toml).toContain('[mcp_servers.mcp-tunnel-demo]');
    expect(toml).toContain(`url = "${MCP_URL}"`);
    expect(toml).not.toContain(TOKEN);

    const added = await svc.invoke('integrations.codex.add', { tunnelId: 'demo', tokenMode: 'header' });
    expect(added).toEqual({ ok: true, result: { configPath, changed: true } });
    const text = await readFile(configPath, 'utf8');
    expect(text.startsWith('# my settings\nmodel = "o3"\n')).toBe(true);
    expect(text).toContain(`Authorization = "Bearer ${TOKEN}"`);
    expect(await svc.invoke('integrations.codex.add', { tunnelId: 'demo', tokenMode: 'header' })).toEqual({
      ok: true,
      result: { configPath, changed: false },
    });
    const again = await svc.invoke('integrations.codex.preview', {
      tunnelId: 'demo',
      tokenMode: 'env',
      name: 'mine',
    });
    expect(again).toMatchObject({ ok: true, result: { name: 'mine', replaces: false } });
    expect((again as { result: { entryToml: string } }).result.entryToml).toContain('bearer_token_env_var');

    expect(await svc.invoke('integrations.codex.remove', { name: 'mcp-tunnel-demo' })).toEqual({
      ok: true,
      result: { removed: true },
    });
    expect(await readFile(configPath, 'utf8')).toBe('# my settings\nmodel = "o3"\n');
  });

  it('refuses bad names, unknown tunnels and tunnels without a URL here, with the next step', async () => {
    expect(
      await svc.invoke('integrations.codex.preview', {
        tunnelId: 'demo',
        tokenMode: 'env',
        name: 'bad name',
      }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await svc.invoke('integrations.codex.add', { tunnelId: 'nope', tokenMode: 'env' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const hosted = await svc.invoke('integrations.codex.preview', { tunnelId: 'hosted', tokenMode: 'env' });
    expect(hosted).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(JSON.stringify(hosted)).toContain('mcp-tunnel codex add --kind openai');
    expect(
      await svc.invoke('integrations.codex.preview', { tunnelId: 'demo', tokenMode: 'x' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
  });

  it('verify asks the real Codex CLI what it sees', async () => {
    const codex = makeService(await ensureCodexCli());
    expect(await codex.invoke('integrations.codex.verify', { name: 'mcp-tunnel-demo' })).toMatchObject({
      ok: true,
      result: { ok: false, code: 'codex_entry_missing' },
    });
    await codex.invoke('integrations.codex.add', { tunnelId: 'demo', tokenMode: 'env' });
    const verified = await codex.invoke('integrations.codex.verify', { name: 'mcp-tunnel-demo' });
    expect(verified).toMatchObject({ ok: true, result: { ok: true, code: 'ok' } });
    expect(JSON.stringify(verified)).not.toContain(TOKEN);
  }, 120_000);
});
