import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileError } from '../../../../main/core/profiles/profile-errors.js';
import { parseProfileText } from '../../../../main/core/profiles/profile-yaml.js';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/profiles');
const FILE = '~/.config/mcp-tunnel/profiles/work.yaml';
const TUNNEL = 'tunnel_0123456789abcdef0123456789abcdef';

function parse(text: string) {
  return parseProfileText(text, { file: FILE, profileName: 'work', action: 'saved' });
}

function failure(text: string): ProfileError {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    return err as ProfileError;
  }
  throw new Error('expected the profile to be refused');
}

const base = (mcp = '  commands:\n    - channel: main\n      command: "node server.js"\n'): string =>
  `config_version: 1\ncontrol_plane:\n  tunnel_id: "${TUNNEL}"\n  api_key: "env:CONTROL_PLANE_API_KEY"\nmcp:\n${mcp}`;

describe('reference-client profiles load unchanged', () => {
  it.each([
    'reference-stdio-local.yaml',
    'reference-remote-no-auth.yaml',
    'reference-enterprise-proxy.yaml',
    'reference-multi-channel.yaml',
    'ours-relay-with-extras.yaml',
  ])('%s', async (name) => {
    const text = await readFile(join(FIXTURES, name), 'utf8');
    const parsed = parseProfileText(text, { file: name, profileName: 'x' });
    expect(parsed.data.config_version).toBe(1);
    expect(parsed.data.mcp?.commands?.length ?? parsed.data.mcp?.server_urls?.length).toBeGreaterThan(0);
    // Re-serializing keeps the comments and the meaning.
    const again = parseProfileText(parsed.doc.toString(), { file: name, profileName: 'x' });
    expect(again.data).toEqual(parsed.data);
    for (const comment of text.split('\n').filter((l) => l.trim().startsWith('#'))) {
      expect(parsed.doc.toString()).toContain(comment.trim());
    }
  });

  it('records the reference keys it accepts but ignores', async () => {
    const text = await readFile(join(FIXTURES, 'reference-multi-channel.yaml'), 'utf8');
    const parsed = parseProfileText(text, { file: 'multi.yaml', profileName: 'multi' });
    expect(parsed.ignored.map((k) => k.path).sort()).toEqual(
      [
        'admin_ui',
        'control_plane.extra_headers',
        'control_plane.poll_deadline_guardrail',
        'harpoon',
        'health.unix_socket',
        'log.file',
        'log.http_raw_unsafe',
        'mcp.discovery_extra_headers',
        'mcp.server_urls[1].unix_socket',
        'process',
        'proxy',
      ].sort(),
    );
    expect(parsed.data.control_plane?.max_inflight_requests).toBe(40);
    expect(parsed.data.mcp?.server_urls?.map((s) => s.channel)).toEqual(['pagerduty', 'datalake']);
    expect(parsed.data).not.toHaveProperty('harpoon');
  });
});

describe('validation errors', () => {
  it('unknown key: names the key path and the file (with its line)', () => {
    const err = failure(base().replace('  api_key:', '  tunel_id: "x"\n  api_key:'));
    expect(err.code).toBe('profile_unknown_key');
    expect(err.message).toContain("'control_plane.tunel_id'");
    expect(err.message).toContain(`${FILE} (line 4)`);
    expect(err.keyPath).toBe('control_plane.tunel_id');
  });

  it('unknown key inside a channel entry and at the top level', () => {
    expect(
      failure(base('  commands:\n    - channel: main\n      command: "x"\n      args: ["a"]\n')).message,
    ).toContain("'mcp.commands[0].args'");
    expect(failure(`${base()}servers: {}\n`).message).toContain("Unknown key 'servers'");
  });

  it('wrong types', () => {
    expect(failure(base().replace('config_version: 1\n', 'config_version: 1\nlog: "debug"\n')).code).toBe(
      'profile_type_invalid',
    );
    const err = failure(`${base()}  max_concurrent_requests: "many"\n`);
    expect(err.message).toContain("'mcp.max_concurrent_requests'");
    expect(err.message).toContain('whole number');
    expect(failure(`${base()}mcp_tunnel:\n  autostart: "yes"\n`).message).toContain('true or false');
    expect(failure('- just\n- a list\n').code).toBe('profile_type_invalid');
  });

  it('invalid YAML reports the position, not the text', () => {
    const err = failure('control_plane:\n  api_key: "sk-proj-ABCDEFGHIJKLMNOP\n  tunnel_id: [\n');
    expect(err.code).toBe('profile_yaml_invalid');
    expect(err.message).toMatch(/line \d+/);
    expect(err.message).not.toContain('sk-proj');
  });

  it('duplicate keys are refused', () => {
    expect(
      failure(base().replace('config_version: 1\n', 'config_version: 1\nconfig_version: 1\n')).code,
    ).toBe('profile_yaml_invalid');
  });

  it('literal API key is refused with the storing hint and without the value', () => {
    const secret = 'sk-proj-CANARYabcdefghijklmnop';
    const err = failure(base().replace('env:CONTROL_PLANE_API_KEY', secret));
    expect(err.code).toBe('profile_literal_secret');
    expect(err.message).toBe(
      `control_plane.api_key in ${FILE} holds a literal secret. Store it with \`mcp-tunnel profiles edit work --api-key-ref env:CONTROL_PLANE_API_KEY\` (and export CONTROL_PLANE_API_KEY) or put it in a file and use file:/path; it was not saved.`,
    );
    // Not shaped like a key, still refused: api_key only takes references.
    const plain = failure(base().replace('env:CONTROL_PLANE_API_KEY', 'hunter2hunter2'));
    expect(plain.code).toBe('profile_literal_secret');
    expect(plain.message).not.toContain('hunter2');
  });

  it('literal secret headers and env values are refused; references and plain values pass', () => {
    const headers = (value: string): string =>
      base(
        `  server_urls:\n    - url: "https://mcp.example.com/mcp"\n      extra_headers:\n        X-Api-Key: "${value}"\n        X-Team: "platform"\n`,
      );
    const err = failure(headers('abc123CANARY'));
    expect(err.message).toContain('mcp.server_urls[0].extra_headers.X-Api-Key');
    expect(err.message).not.toContain('abc123CANARY');
    expect(() => parse(headers('env:TEAM_KEY'))).not.toThrow();
    const cookie = failure(
      base(
        `  server_urls:\n    - url: "https://m.example/mcp"\n      extra_headers:\n        Cookie: "session=CANARYCOOKIE"\n`,
      ),
    );
    expect(cookie.message).not.toContain('CANARYCOOKIE');
    const envSecret = failure(
      base('  commands:\n    - command: "node s.js"\n      env:\n        GITHUB_TOKEN: "ghp_CANARYCANARY"\n'),
    );
    expect(envSecret.message).toContain('mcp.commands[0].env.GITHUB_TOKEN');
    expect(envSecret.message).not.toContain('CANARY');
    expect(() =>
      parse(
        base(
          '  commands:\n    - command: "node s.js"\n      env:\n        LOG_LEVEL: "debug"\n        GITHUB_TOKEN: "keychain:gh"\n',
        ),
      ),
    ).not.toThrow();
  });

  it('secret shapes anywhere are refused (URL passwords, bearer values, keys in commands, PEM keys)', () => {
    expect(
      failure(base('  server_urls:\n    - url: "https://user:CANARYPW@mcp.example.com/mcp"\n')).message,
    ).not.toContain('CANARYPW');
    expect(failure(base('  commands:\n    - command: "node s.js --api-key=CANARYKEY123"\n')).code).toBe(
      'profile_literal_secret',
    );
    expect(failure(`${base()}harpoon:\n  note: "Bearer CANARYTOKEN123"\n`).message).toContain('harpoon.note');
    const pem = failure(
      base().replace(
        '  api_key:',
        '  client_cert: "/c.pem"\n  client_key: "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----"\n  api_key:',
      ),
    );
    expect(pem.keyPath).toBe('control_plane.client_key');
  });

  it('the load-time refusal says the profile was not loaded', () => {
    const err = (() => {
      try {
        parseProfileText(base().replace('env:CONTROL_PLANE_API_KEY', 'sk-CANARYCANARYCANARY'), {
          file: FILE,
          profileName: 'work',
        });
      } catch (e) {
        return e as ProfileError;
      }
      throw new Error('not refused');
    })();
    expect(err.message).toContain('was not loaded');
  });

  it('bad channel name, duplicate channel, missing main', () => {
    const bad = failure(base('  commands:\n    - channel: Main\n      command: "x"\n'));
    expect(bad.code).toBe('profile_channel_invalid');
    expect(bad.message).toContain('mcp.commands[0].channel');
    const dup = failure(
      base(
        '  commands:\n    - command: "x"\n  server_urls:\n    - channel: main\n      url: "http://127.0.0.1:1/mcp"\n',
      ),
    );
    expect(dup.code).toBe('profile_channel_duplicate');
    expect(dup.message).toContain("'main'");
    const noMain = failure(base('  commands:\n    - channel: jira\n      command: "x"\n'));
    expect(noMain.code).toBe('profile_channel_main_missing');
    expect(noMain.message).toContain(FILE);
  });

  it('bad tunnel id (openai and relay), accepted for demo', () => {
    const err = failure(base().replace(TUNNEL, 'tunnel_123'));
    expect(err.code).toBe('profile_tunnel_id_invalid');
    expect(err.message).toContain('control_plane.tunnel_id');
    expect(failure(base().replace(TUNNEL, TUNNEL.toUpperCase().replace('TUNNEL_', 'tunnel_'))).code).toBe(
      'profile_tunnel_id_invalid',
    );
  });

  it('bad URLs: not a URL, not http(s)', () => {
    expect(failure(base('  server_urls:\n    - url: "mcp.example.com/mcp"\n')).code).toBe(
      'profile_url_invalid',
    );
    expect(failure(base('  server_urls:\n    - url: "ftp://mcp.example.com/mcp"\n')).code).toBe(
      'profile_url_invalid',
    );
    expect(failure(base().replace('  api_key:', '  base_url: "ws://relay"\n  api_key:')).message).toContain(
      'control_plane.base_url',
    );
    expect(failure(`${base()}http_proxy: "proxy:8080"\n`).message).toContain('http_proxy');
    // References are resolved later, not parsed as URLs.
    expect(() => parse(base('  server_urls:\n    - url: "env:MCP_URL"\n'))).not.toThrow();
  });

  it('bad durations', () => {
    const err = failure(base().replace('  api_key:', '  poll_timeout: "30 seconds"\n  api_key:'));
    expect(err.code).toBe('profile_duration_invalid');
    expect(err.message).toContain('control_plane.poll_timeout');
    expect(failure(`${base()}  connection_max_ttl: "0s"\n`).code).toBe('profile_duration_invalid');
    expect(() => parse(`${base()}  connection_max_ttl: "1m30s"\n`)).not.toThrow();
  });

  it('other value rules', () => {
    expect(failure(base().replace('config_version: 1', 'config_version: 2')).code).toBe(
      'profile_version_unsupported',
    );
    expect(failure(`${base()}mcp_tunnel:\n  connection: cloud\n`).message).toContain('openai, relay, demo');
    expect(failure(`${base()}health:\n  listen_addr: "localhost"\n`).message).toContain('HOST:PORT');
    expect(failure(`${base()}log:\n  level: loud\n`).message).toContain('log.level');
    expect(failure(base().replace('  api_key:', '  client_cert: "/c.pem"\n  api_key:')).message).toContain(
      'client_key',
    );
    expect(
      failure(
        base(
          '  server_urls:\n    - url: "http://a/mcp"\n      http_proxy: "http://p:1"\n      proxy_url: "http://p:2"\n',
        ),
      ).message,
    ).toContain('proxy_url');
  });

  it('a demo profile needs no tunnel id, key or channel', () => {
    expect(() => parse('config_version: 1\nmcp_tunnel:\n  connection: demo\n')).not.toThrow();
  });
});
