import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { codexEntryFor, maskToken } from '../../../../../main/core/integrations/codex/codex-entry.js';

const TOKEN = 'mcpt_ct_SECRETsecretSECRETsecret1234';
const URL = 'http://127.0.0.1:8787/v1/mcp/tunnel_0123456789abcdef0123456789abcdef';

describe('codexEntryFor', () => {
  it('header mode (our front door): url + Authorization header + explicit timeouts, token masked in the preview', () => {
    const plan = codexEntryFor(
      { kind: 'demo', mcpUrl: URL, connectorToken: TOKEN },
      { name: 'demo', tokenMode: 'header' },
    );
    expect(plan.entry).toEqual({
      url: URL,
      http_headers: { Authorization: `Bearer ${TOKEN}` },
      startup_timeout_sec: 30,
      tool_timeout_sec: 300,
    });
    expect(plan.toml).toBe(
      `[mcp_servers.demo]\nurl = "${URL}"\nhttp_headers = { Authorization = "Bearer ${TOKEN}" }\n` +
        'startup_timeout_sec = 30\ntool_timeout_sec = 300\n',
    );
    expect(parse(plan.toml)).toEqual({ mcp_servers: { demo: plan.entry } });
    expect(plan.maskedToml).not.toContain(TOKEN);
    expect(plan.maskedToml).toContain('Bearer mcpt_ct_…1234');
    expect(plan.envVar).toBeUndefined();
    expect(plan.toml).not.toMatch(/^bearer_token =/m);
  });

  it('env mode (self-hosted relay): bearer_token_env_var, default MCP_TUNNEL_TOKEN or the given name', () => {
    const relay = { kind: 'relay' as const, mcpUrl: URL, connectorToken: TOKEN };
    const plan = codexEntryFor(relay, { name: 'team-jira', tokenMode: 'env', toolTimeoutSec: 120.5 });
    expect(plan.entry).toEqual({
      url: URL,
      bearer_token_env_var: 'MCP_TUNNEL_TOKEN',
      startup_timeout_sec: 30,
      tool_timeout_sec: 120.5,
    });
    expect(plan.toml).not.toContain(TOKEN);
    expect(plan.envVar).toBe('MCP_TUNNEL_TOKEN');
    expect(
      codexEntryFor(relay, { name: 'x', tokenMode: 'env', envVar: 'JIRA_TUNNEL' }).entry.bearer_token_env_var,
    ).toBe('JIRA_TUNNEL');
  });

  it('OpenAI tunnel: the hosted URL with bearer_token_env_var = OPENAI_API_KEY, as in the article', () => {
    const hosted = 'https://tunnel.api.openai.com/v1/mcp/tunnel_0123456789abcdef';
    const plan = codexEntryFor(
      { kind: 'openai', mcpUrl: hosted },
      { name: 'internal-jira', tokenMode: 'header', startupTimeoutSec: 15, toolTimeoutSec: 120 },
    );
    expect(plan.toml).toBe(
      `[mcp_servers.internal-jira]\nurl = "${hosted}"\nbearer_token_env_var = "OPENAI_API_KEY"\n` +
        'startup_timeout_sec = 15\ntool_timeout_sec = 120\n',
    );
  });

  it('rejects what Codex would reject or what cannot work, with a clear next step', () => {
    const demo = { kind: 'demo' as const, mcpUrl: URL, connectorToken: TOKEN };
    expect(() => codexEntryFor(demo, { name: 'my tunnel', tokenMode: 'env' })).toThrow(/'my-tunnel'/);
    expect(() => codexEntryFor({ kind: 'demo', mcpUrl: URL }, { name: 'd', tokenMode: 'header' })).toThrow(
      /token-mode env/,
    );
    expect(() => codexEntryFor({ ...demo, mcpUrl: 'not a url' }, { name: 'd', tokenMode: 'env' })).toThrow(
      /not a URL/,
    );
    expect(() => codexEntryFor({ ...demo, mcpUrl: 'ftp://x/y' }, { name: 'd', tokenMode: 'env' })).toThrow(
      /http or https/,
    );
    expect(() => codexEntryFor(demo, { name: 'd', tokenMode: 'env', envVar: '1BAD' })).toThrow(
      /environment variable/,
    );
    expect(() => codexEntryFor(demo, { name: 'd', tokenMode: 'env', toolTimeoutSec: 0 })).toThrow(/positive/);
  });

  it('maskToken hides every occurrence and leaves text without the token alone', () => {
    expect(maskToken(`a ${TOKEN} b ${TOKEN}`, TOKEN)).toBe('a mcpt_ct_…1234 b mcpt_ct_…1234');
    expect(maskToken('nothing here', TOKEN)).toBe('nothing here');
    expect(maskToken('short abc', 'abc')).toBe('short …');
  });
});
