import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { HttpChannelConfig, StdioChannelConfig } from '../../../../main/core/engine/config.js';
import { ConfigError } from '../../../../main/core/profiles/env-config.js';
import { PROFILE_FLAG_OPTIONS } from '../../../../main/core/profiles/profile-flags.js';
import type { ProfileFile } from '../../../../main/core/profiles/profile-types.js';
import { resolveProfile, type ResolvedProfile } from '../../../../main/core/profiles/resolve-profile.js';

const T = (c: string): string => `tunnel_${c.repeat(32)}`;
const FILES: Record<string, string> = {
  '/pki/flag.pem': 'FLAG-CA\n',
  '/pki/env.pem': 'ENV-CA\n',
  '/pki/profile.pem': 'PROFILE-CA\n',
  '/pki/entry.pem': 'ENTRY-CA\n',
  '/pki/cert.pem': '-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----\n',
  '/pki/key.pem': 'KEY-PEM\n',
  '/secrets/wiki-token': 'Bearer wiki-file-token\n',
};
const readText = async (path: string): Promise<string> => {
  const text = FILES[path];
  if (text === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return text;
};

function baseProfile(): ProfileFile {
  return {
    config_version: 1,
    control_plane: { tunnel_id: T('a'), api_key: 'env:PROFILE_KEY' },
    mcp: { commands: [{ channel: 'main', command: 'node profile.js' }] },
  };
}

function flags(args: string[]) {
  return parseArgs({ args, options: PROFILE_FLAG_OPTIONS, strict: true }).values;
}

async function resolve(
  data: ProfileFile,
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
): Promise<ResolvedProfile> {
  return resolveProfile({
    profile: { name: 'work', file: '~/p/work.yaml', data },
    env: { PROFILE_KEY: 'pk', ...env },
    flags: flags(args),
    readText,
  });
}

interface Row {
  field: string;
  flag: string[];
  env: NodeJS.ProcessEnv;
  profile: (d: ProfileFile) => void;
  get: (r: ResolvedProfile) => unknown;
  expect: [unknown, unknown, unknown, unknown];
}

const cp = (d: ProfileFile) => (d.control_plane ??= {});
const mcp = (d: ProfileFile) => (d.mcp ??= {});
const ROWS: Row[] = [
  {
    field: 'base url',
    flag: ['--control-plane.base-url', 'https://flag.openai.com'],
    env: { CONTROL_PLANE_BASE_URL: 'https://env.openai.com' },
    profile: (d) => (cp(d).base_url = 'https://profile.openai.com'),
    get: (r) => r.tunnel.controlPlane.baseUrl,
    expect: ['https://flag.openai.com', 'https://env.openai.com', 'https://profile.openai.com', undefined],
  },
  {
    field: 'url path',
    flag: ['--control-plane.url-path', '/f'],
    env: { CONTROL_PLANE_URL_PATH: '/e' },
    profile: (d) => (cp(d).url_path = '/p'),
    get: (r) => r.tunnel.controlPlane.pathPrefix,
    expect: ['/f', '/e', '/p', undefined],
  },
  {
    field: 'tunnel id',
    flag: ['--control-plane.tunnel-id', T('f')],
    env: { CONTROL_PLANE_TUNNEL_ID: T('e') },
    profile: (d) => (cp(d).tunnel_id = T('p')),
    get: (r) => r.tunnel.controlPlane.tunnelId,
    expect: [T('f'), T('e'), T('p'), T('a')],
  },
  {
    field: 'api key',
    flag: ['--control-plane.api-key-ref', 'env:FLAG_KEY'],
    env: { CONTROL_PLANE_API_KEY: 'env-key', FLAG_KEY: 'flag-key' },
    profile: (d) => (cp(d).api_key = 'env:OTHER_KEY'),
    get: (r) => r.tunnel.controlPlane.apiKey,
    expect: ['flag-key', 'env-key', 'other-key', 'pk'],
  },
  {
    field: 'max inflight',
    flag: ['--control-plane.max-inflight-requests', '7'],
    env: { CONTROL_PLANE_MAX_INFLIGHT_REQUESTS: '6' },
    profile: (d) => (cp(d).max_inflight_requests = 5),
    get: (r) => r.tunnel.controlPlane.maxInflight,
    expect: [7, 6, 5, 20],
  },
  {
    field: 'poll timeout',
    flag: ['--control-plane.poll-timeout', '7s'],
    env: { CONTROL_PLANE_POLL_TIMEOUT: '6s' },
    profile: (d) => (cp(d).poll_timeout = '5s'),
    get: (r) => r.tunnel.controlPlane.pollTimeoutMs,
    expect: [7000, 6000, 5000, 30_000],
  },
  {
    field: 'max concurrent',
    flag: ['--mcp.max-concurrent-requests', '4'],
    env: { MCP_MAX_CONCURRENT_REQUESTS: '3' },
    profile: (d) => (mcp(d).max_concurrent_requests = 2),
    get: (r) => r.tunnel.maxConcurrent,
    expect: [4, 3, 2, 10],
  },
  {
    field: 'connection ttl',
    flag: ['--mcp.connection-max-ttl', '3m'],
    env: { MCP_CONNECTION_MAX_TTL: '2m' },
    profile: (d) => (mcp(d).connection_max_ttl = '1m'),
    get: (r) => r.tunnel.connectionMaxTtlMs,
    expect: [180_000, 120_000, 60_000, 600_000],
  },
  {
    field: 'main command',
    flag: ['--mcp.command', 'node flag.js'],
    env: { MCP_COMMAND: 'node env.js' },
    profile: (d) => (mcp(d).commands = [{ command: 'node p.js' }]),
    get: (r) => (r.tunnel.channels[0] as StdioChannelConfig).argv,
    expect: [
      ['node', 'flag.js'],
      ['node', 'env.js'],
      ['node', 'p.js'],
      ['node', 'profile.js'],
    ],
  },
  {
    field: 'ca bundle',
    flag: ['--ca-bundle', '/pki/flag.pem'],
    env: { CA_BUNDLE: '/pki/env.pem' },
    profile: (d) => (d.ca_bundle = '/pki/profile.pem'),
    get: (r) => r.tunnel.controlPlane.caBundlePem,
    expect: ['FLAG-CA\n', 'ENV-CA\n', 'PROFILE-CA\n', undefined],
  },
  {
    field: 'health listen',
    flag: ['--health.listen-addr', '127.0.0.1:3'],
    env: { HEALTH_LISTEN_ADDR: '127.0.0.1:2' },
    profile: (d) => (d.health = { listen_addr: '127.0.0.1:1' }),
    get: (r) => r.health.listenAddr,
    expect: ['127.0.0.1:3', '127.0.0.1:2', '127.0.0.1:1', undefined],
  },
  {
    field: 'log level',
    flag: ['--log.level', 'debug'],
    env: { LOG_LEVEL: 'warn' },
    profile: (d) => (d.log = { level: 'error' }),
    get: (r) => r.log.level,
    expect: ['debug', 'warn', 'error', undefined],
  },
  {
    field: 'log format',
    flag: ['--log.format', 'json'],
    env: { LOG_FORMAT: 'text' },
    profile: (d) => (d.log = { format: 'json' }),
    get: (r) => r.log.format,
    expect: ['json', 'text', 'json', undefined],
  },
];

describe('precedence: flag > environment > profile > default, per field', () => {
  it.each(ROWS)('$field', async (row) => {
    const withProfile = baseProfile();
    row.profile(withProfile);
    const env = { ...row.env, OTHER_KEY: 'other-key' };
    const envOnly = Object.fromEntries(Object.entries(row.env).filter(([k]) => k !== 'FLAG_KEY'));
    expect(row.get(await resolve(withProfile, env, row.flag))).toEqual(row.expect[0]);
    expect(row.get(await resolve(withProfile, { ...envOnly, OTHER_KEY: 'other-key' }))).toEqual(
      row.expect[1],
    );
    expect(row.get(await resolve(withProfile, { OTHER_KEY: 'other-key' }))).toEqual(row.expect[2]);
    expect(row.get(await resolve(baseProfile()))).toEqual(row.expect[3]);
  });

  it('OPENAI_API_KEY is the last fallback, below the profile', async () => {
    const noKey = baseProfile();
    delete noKey.control_plane?.api_key;
    expect((await resolve(noKey, { OPENAI_API_KEY: 'openai-key' })).tunnel.controlPlane.apiKey).toBe(
      'openai-key',
    );
    expect((await resolve(baseProfile(), { OPENAI_API_KEY: 'openai-key' })).tunnel.controlPlane.apiKey).toBe(
      'pk',
    );
    await expect(resolve(noKey)).rejects.toMatchObject({ code: 'api_key_missing' });
  });

  it('the reference client dash aliases work like the dotted flags', async () => {
    const r = await resolve(baseProfile(), {}, [
      '--control-plane-tunnel-id',
      T('d'),
      '--mcp-command',
      'node alias.js',
      '--health-listen-addr',
      '127.0.0.1:9',
    ]);
    expect(r.tunnel.controlPlane.tunnelId).toBe(T('d'));
    expect((r.tunnel.channels[0] as StdioChannelConfig).argv).toEqual(['node', 'alias.js']);
    expect(r.health.listenAddr).toBe('127.0.0.1:9');
  });
});

async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected resolveProfile to fail');
}

describe('resolveProfile', () => {
  it('builds HTTP channels with merged headers, per-entry CA, proxies and mTLS material', async () => {
    const data: ProfileFile = {
      control_plane: {
        tunnel_id: T('a'),
        api_key: 'file:/secrets/wiki-token',
        client_cert: '/pki/cert.pem',
        client_key: 'env:KEY_PATH',
        http_proxy: 'http://cp-proxy:1',
      },
      ca_bundle: '/pki/profile.pem',
      mcp: {
        extra_headers: { 'X-Section': 's', 'X-Over': 'section' },
        commands: [{ command: 'node main.js', env: { TOKEN: 'env:CHILD_TOKEN', MODE: 'x' }, cwd: '/srv' }],
        server_urls: [
          {
            channel: 'wiki',
            url: 'https://wiki.example/mcp',
            ca_bundle: '/pki/entry.pem',
            proxy_url: 'http://wiki-proxy:3',
            extra_headers: { Authorization: 'file:/secrets/wiki-token', 'X-Over': 'entry' },
          },
          { channel: 'plain', url: 'http://127.0.0.1:9/mcp' },
        ],
      },
      mcp_tunnel: { display_name: 'Work', autostart: true },
    };
    const r = await resolve(
      data,
      {
        CHILD_TOKEN: 'child-secret',
        KEY_PATH: '/pki/key.pem',
        MCP_EXTRA_HEADERS: 'X-Env: e',
        HTTPS_PROXY: 'http://ambient:8',
        NO_PROXY: '127.0.0.1',
      },
      ['--mcp.extra-headers', 'X-Flag: f'],
    );
    expect(r.tunnel.controlPlane).toMatchObject({
      apiKey: 'Bearer wiki-file-token',
      clientCertPem: FILES['/pki/cert.pem'],
      clientKeyPem: 'KEY-PEM\n',
      caBundlePem: 'PROFILE-CA\n',
      proxyUrl: 'http://cp-proxy:1',
    });
    const [main, wiki, plain] = r.tunnel.channels as [
      StdioChannelConfig,
      HttpChannelConfig,
      HttpChannelConfig,
    ];
    expect(main).toEqual({
      name: 'main',
      kind: 'stdio',
      argv: ['node', 'main.js'],
      env: { TOKEN: 'child-secret', MODE: 'x' },
      cwd: '/srv',
    });
    expect(wiki).toMatchObject({
      name: 'wiki',
      caBundlePem: 'ENTRY-CA\n',
      proxyUrl: 'http://wiki-proxy:3',
      extraHeaders: {
        'X-Section': 's',
        'X-Over': 'entry',
        Authorization: 'Bearer wiki-file-token',
        'X-Env': 'e',
        'X-Flag': 'f',
      },
    });
    expect(plain.proxyUrl).toBeUndefined();
    expect(plain.caBundlePem).toBe('PROFILE-CA\n');
    expect(r.meta).toEqual({ displayName: 'Work', connection: 'openai', autostart: true });
    expect(r.name).toBe('work');
  });

  it('flags define channels by name: channel=NAME,url=URL adds, a main command replaces a main URL', async () => {
    const data = baseProfile();
    const r = await resolve(data, {}, [
      '--mcp.server-url',
      'http://127.0.0.1:5/mcp',
      '--mcp.server-url',
      'channel=extra,url=http://127.0.0.1:6/mcp',
    ]);
    expect(r.tunnel.channels.map((c) => [c.name, c.kind])).toEqual([
      ['main', 'http'],
      ['extra', 'http'],
    ]);
    await expect(
      resolve(data, {}, ['--mcp.command', 'node a.js', '--mcp.server-url', 'http://127.0.0.1:5/mcp']),
    ).rejects.toMatchObject({ code: 'mcp_target_conflict' });
    await expect(resolve(data, {}, ['--mcp.command', 'channel=Bad,command=x'])).rejects.toMatchObject({
      code: 'channel_invalid',
    });
    await expect(resolve({ control_plane: data.control_plane! }, {}, [])).rejects.toMatchObject({
      code: 'mcp_target_missing',
    });
    await expect(resolve(data, {}, ['--mcp.extra-headers', 'X-A: b'])).rejects.toMatchObject({
      code: 'extra_headers_without_url',
    });
  });

  it('relay needs a base URL; the tunnel id is checked wherever it comes from', async () => {
    const relay = { ...baseProfile(), mcp_tunnel: { connection: 'relay' as const } };
    await expect(resolve(relay)).rejects.toMatchObject({ code: 'base_url_missing' });
    const ok = await resolve(relay, {}, ['--control-plane.base-url', 'http://127.0.0.1:8787']);
    expect(ok.meta.connection).toBe('relay');
    expect(ok.tunnel.controlPlane.baseUrl).toBe('http://127.0.0.1:8787');
    // Inferred from a non-OpenAI base URL.
    expect(
      (
        await resolve({
          ...baseProfile(),
          control_plane: { ...baseProfile().control_plane, base_url: 'https://relay.example' },
        })
      ).meta.connection,
    ).toBe('relay');
    await expect(resolve(baseProfile(), { CONTROL_PLANE_TUNNEL_ID: 'tunnel_bad' })).rejects.toMatchObject({
      code: 'tunnel_id_invalid',
    });
    await expect(resolve(baseProfile(), {}, ['--control-plane.base-url', 'ftp://x'])).rejects.toMatchObject({
      code: 'url_invalid',
    });
  });

  it('demo takes its control plane from the runner and may have no channels', async () => {
    const demo: ProfileFile = { mcp_tunnel: { connection: 'demo' } };
    const bare = await resolve(demo);
    expect(bare.tunnel.channels).toEqual([]);
    expect(bare.tunnel.controlPlane.tunnelId).toBe('');
    const r = await resolveProfile({
      profile: { name: 'demo', data: demo },
      env: {},
      demo: { baseUrl: 'http://127.0.0.1:4000', tunnelId: T('d'), apiKey: 'rk' },
    });
    expect(r.tunnel.controlPlane).toMatchObject({
      baseUrl: 'http://127.0.0.1:4000',
      tunnelId: T('d'),
      apiKey: 'rk',
    });
  });

  it('works without a profile (flags and environment only)', async () => {
    const r = await resolveProfile({
      env: {
        CONTROL_PLANE_TUNNEL_ID: T('e'),
        CONTROL_PLANE_API_KEY: 'k',
        MCP_SERVER_URL: 'http://127.0.0.1:1/mcp',
      },
    });
    expect(r.name).toBe('env');
    expect(r.tunnel.channels[0]).toMatchObject({ name: 'main', kind: 'http', url: 'http://127.0.0.1:1/mcp' });
  });

  it('unresolvable references name the setting and the reference, never a value', async () => {
    const err = await failure(resolve(baseProfile(), { PROFILE_KEY: '' }));
    expect(err.message).toContain('control_plane.api_key in ~/p/work.yaml');
    const missing = await failure(resolveProfile({ profile: { name: 'w', data: baseProfile() }, env: {} }));
    expect(missing.message).toContain('PROFILE_KEY');
    const literal = await failure(
      resolve(baseProfile(), {}, ['--control-plane.api-key', 'sk-CANARYCANARYCANARY']),
    );
    expect(literal.code).toBe('api_key_literal');
    expect(literal.message).not.toContain('CANARY');
    const keychain = await failure(
      resolve({ ...baseProfile(), control_plane: { tunnel_id: T('a'), api_key: 'keychain:work' } }),
    );
    expect(keychain.code).toBe('profile_secret_unresolved');
    expect(keychain.message).toContain('env:');
    const fromKeychain = await resolveProfile({
      profile: {
        name: 'w',
        data: { ...baseProfile(), control_plane: { tunnel_id: T('a'), api_key: 'keychain:work' } },
      },
      env: {},
      keychain: { get: async (n) => (n === 'work' ? 'kc-key' : null) },
    });
    expect(fromKeychain.tunnel.controlPlane.apiKey).toBe('kc-key');
    await expect(resolve({ ...baseProfile(), ca_bundle: '/pki/missing.pem' })).rejects.toMatchObject({
      code: 'file_unreadable',
    });
  });
});
