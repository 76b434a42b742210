import { describe, expect, it } from 'vitest';
import {
  tunnelConfigFromEnv,
  ConfigError,
  parseExtraHeaders,
} from '../../../../main/core/profiles/env-config.js';

const TUNNEL = 'tunnel_0123456789abcdef0123456789abcdef';
const base = { CONTROL_PLANE_TUNNEL_ID: TUNNEL, CONTROL_PLANE_API_KEY: 'sk-test-key-123456' };

describe('tunnelConfigFromEnv', () => {
  it('builds a stdio tunnel with the reference defaults', async () => {
    const cfg = await tunnelConfigFromEnv({
      env: { ...base, MCP_COMMAND: `python "/opt/my server.py" --verbose` },
    });
    expect(cfg.controlPlane).toMatchObject({
      tunnelId: TUNNEL,
      apiKey: base.CONTROL_PLANE_API_KEY,
      maxInflight: 20,
      pollTimeoutMs: 30_000,
    });
    expect(cfg.controlPlane.baseUrl).toBeUndefined();
    expect(cfg.channels).toEqual([
      { name: 'main', kind: 'stdio', argv: ['python', '/opt/my server.py', '--verbose'] },
    ]);
    expect(cfg.maxConcurrent).toBe(10);
    expect(cfg.connectionMaxTtlMs).toBe(600_000);
  });

  it('reads every tunable and the OPENAI_API_KEY fallback', async () => {
    const cfg = await tunnelConfigFromEnv({
      env: {
        CONTROL_PLANE_TUNNEL_ID: TUNNEL,
        OPENAI_API_KEY: 'sk-fallback-123456',
        CONTROL_PLANE_BASE_URL: 'https://relay.example.com',
        CONTROL_PLANE_URL_PATH: '/tunnel',
        CONTROL_PLANE_MAX_INFLIGHT_REQUESTS: '40',
        CONTROL_PLANE_POLL_TIMEOUT: '45s',
        MCP_SERVER_URL: 'http://10.1.2.3:9000/mcp',
        MCP_EXTRA_HEADERS: 'Authorization: env:UPSTREAM_AUTH\nX-Team: blue',
        UPSTREAM_AUTH: 'Bearer upstream-secret',
        MCP_CONNECTION_MAX_TTL: '2m',
        MCP_MAX_CONCURRENT_REQUESTS: '4',
        HTTPS_PROXY: 'http://proxy:3128',
      },
    });
    expect(cfg.controlPlane).toMatchObject({
      apiKey: 'sk-fallback-123456',
      baseUrl: 'https://relay.example.com',
      pathPrefix: '/tunnel',
      maxInflight: 40,
      pollTimeoutMs: 45_000,
      proxyUrl: 'http://proxy:3128',
    });
    expect(cfg.channels).toEqual([
      {
        name: 'main',
        kind: 'http',
        url: 'http://10.1.2.3:9000/mcp',
        extraHeaders: { Authorization: 'Bearer upstream-secret', 'X-Team': 'blue' },
      },
    ]);
    expect(cfg.maxConcurrent).toBe(4);
    expect(cfg.connectionMaxTtlMs).toBe(120_000);
  });

  it.each([
    [{}, 'tunnel_id_missing'],
    [{ CONTROL_PLANE_TUNNEL_ID: TUNNEL }, 'api_key_missing'],
    [{ ...base }, 'mcp_target_missing'],
    [{ ...base, MCP_COMMAND: 'a', MCP_SERVER_URL: 'http://x/mcp' }, 'mcp_target_conflict'],
    [{ ...base, MCP_COMMAND: 'node "unterminated' }, 'mcp_command_invalid'],
    [{ ...base, MCP_SERVER_URL: 'ftp://x' }, 'url_invalid'],
    [{ ...base, MCP_COMMAND: 'a', MCP_MAX_CONCURRENT_REQUESTS: 'ten' }, 'number_invalid'],
    [{ ...base, MCP_COMMAND: 'a', CONTROL_PLANE_POLL_TIMEOUT: 'soon' }, 'duration_invalid'],
    [{ ...base, MCP_COMMAND: 'a', CONTROL_PLANE_CLIENT_CERT: '/nonexistent/cert.pem' }, 'file_unreadable'],
  ])('rejects %j with code %s and a message that says what to do', async (env, code) => {
    const err = await tunnelConfigFromEnv({ env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe(code);
    expect((err as ConfigError).message.length).toBeGreaterThan(20);
    expect((err as ConfigError).message).not.toContain(base.CONTROL_PLANE_API_KEY);
  });
});

describe('parseExtraHeaders', () => {
  it('accepts JSON objects and rejects bad names', async () => {
    expect(await parseExtraHeaders('{"X-A":"1"}', { env: {} })).toEqual({ 'X-A': '1' });
    await expect(parseExtraHeaders('Bad Name: x', { env: {} })).rejects.toMatchObject({
      code: 'extra_headers_invalid',
    });
    await expect(parseExtraHeaders('novalue', { env: {} })).rejects.toMatchObject({
      code: 'extra_headers_invalid',
    });
  });
});
