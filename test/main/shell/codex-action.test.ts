import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addTunnelToCodex, codexServerName } from '../../../main/shell/codex-action.js';
import { summary } from './tray/summaries.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('tray: Add to Codex', () => {
  it('writes our front door with the connector token header, keeping the rest of config.toml', async () => {
    dir = await mkdtemp(join(tmpdir(), 'codex-home-'));
    await writeFile(join(dir, 'config.toml'), '# mine\nmodel = "o3"\n');
    const demo = summary('demo', 'ready');
    const done = await addTunnelToCodex(demo, {
      env: {},
      codexHome: dir,
      connectorToken: () => 'mcpt_ct_canary_token_123456',
    });
    expect(done).toMatchObject({ name: 'mcp-tunnel-demo', path: join(dir, 'config.toml'), changed: true });
    const text = await readFile(join(dir, 'config.toml'), 'utf8');
    expect(text.startsWith('# mine\nmodel = "o3"\n')).toBe(true);
    expect(text).toContain('[mcp_servers.mcp-tunnel-demo]');
    expect(text).toContain(`url = "${demo.mcpUrl}"`);
    expect(text).toContain('Authorization = "Bearer mcpt_ct_canary_token_123456"');
    expect(JSON.stringify(done)).not.toContain('canary');
  });

  it('writes an OpenAI tunnel with bearer_token_env_var, never a token', async () => {
    dir = await mkdtemp(join(tmpdir(), 'codex-home-'));
    const t = summary('prod', 'ready', {
      connection: 'openai',
      mcpUrl: 'https://api.openai.com/v1/mcp/tunnel_x',
    });
    await addTunnelToCodex(t, { env: {}, codexHome: dir, connectorToken: () => 'must-not-be-used' });
    const text = await readFile(join(dir, 'config.toml'), 'utf8');
    expect(text).toContain('bearer_token_env_var = "OPENAI_API_KEY"');
    expect(text).not.toContain('must-not-be-used');
    expect(codexServerName('my tunnel!')).toBe('mcp-tunnel-my-tunnel');
  });
});
