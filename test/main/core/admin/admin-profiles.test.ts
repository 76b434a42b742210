import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileDraft } from '../../../../preload/contract/dto.js';
import { createProfileAdmin } from '../../../../main/core/admin/admin-profiles.js';
import { AdminService } from '../../../../main/core/admin/admin-service.js';
import { RequestLog } from '../../../../main/core/admin/request-log.js';
import { TunnelManager } from '../../../../main/core/admin/tunnel-manager.js';
import { LogHub } from '../../../../main/core/observability/logger.js';
import { ProfileStore } from '../../../../main/core/profiles/profile-store.js';
import { createKeychainStore } from '../../../../main/core/secrets/keychain-store.js';
import { createMemoryStore } from '../../../../main/core/secrets/memory-store.js';
import type { SecretStore } from '../../../../main/core/secrets/secret-store.js';
import { requirePrivateKeyring } from '../../../support/keyring-session.js';

const TUNNEL_ID = `tunnel_${'a'.repeat(32)}`;
const API_KEY = `sk-test-${randomBytes(16).toString('hex')}`;

let dir: string;
let store: ProfileStore;
let started: string[];

function service(secrets: SecretStore): AdminService {
  const hub = new LogHub({ level: 'error' });
  return new AdminService({
    manager: new TunnelManager({ logger: hub.logger() }),
    logs: hub,
    requests: new RequestLog(),
    version: 'test',
    profileAdmin: createProfileAdmin({
      store,
      secrets,
      startProfile: async (name) => {
        started.push(name);
      },
    }),
  });
}

const relayDraft = (over: Partial<ProfileDraft> = {}): ProfileDraft => ({
  name: 'work',
  displayName: 'Work server',
  connection: 'relay',
  tunnelId: TUNNEL_ID,
  baseUrl: 'https://relay.example.com',
  channels: [{ name: 'main', kind: 'stdio', command: 'node server.js', env: { LOG: 'debug' } }],
  autostart: true,
  ...over,
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'admin-profiles-'));
  store = new ProfileStore({ dir });
  started = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('profiles.validate', () => {
  it('accepts a complete relay draft', async () => {
    const res = await service(createMemoryStore()).invoke('profiles.validate', { draft: relayDraft() });
    expect(res).toEqual({ ok: true, result: { issues: [] } });
  });

  it('refuses the names of the built-in tunnels', async () => {
    for (const name of ['demo', 'env']) {
      const res = await service(createMemoryStore()).invoke('profiles.validate', {
        draft: relayDraft({ name }),
      });
      expect(res).toMatchObject({
        ok: true,
        result: { issues: [{ path: 'name', message: expect.stringMatching(/built-in tunnel/) }] },
      });
    }
  });

  it('says what each kind of tunnel still needs', async () => {
    const res = await service(createMemoryStore()).invoke('profiles.validate', {
      draft: { name: 'x y', connection: 'relay', channels: [], autostart: false },
    });
    const issues = (res as { result: { issues: Array<{ path: string; message: string }> } }).result.issues;
    expect(issues.map((i) => i.path)).toEqual([
      'name',
      'control_plane.tunnel_id',
      'control_plane.base_url',
      'mcp',
    ]);
    expect(issues[1]?.message).toMatch(/tunnel id/);
    expect(issues[2]?.message).toMatch(/URL of your relay/);
  });

  it('maps the profile validator’s error to the field path', async () => {
    const res = await service(createMemoryStore()).invoke('profiles.validate', {
      draft: relayDraft({ tunnelId: 'tunnel_nope' }),
    });
    const issues = (res as { result: { issues: Array<{ path: string; message: string }> } }).result.issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('control_plane.tunnel_id');
    expect(issues[0]?.message).toMatch(/tunnel_ followed by 32/);
  });

  it('refuses a literal secret in a header without echoing it', async () => {
    const res = await service(createMemoryStore()).invoke('profiles.validate', {
      draft: relayDraft({
        channels: [
          {
            name: 'main',
            kind: 'http',
            url: 'https://mcp.example.com/mcp',
            headers: { Authorization: API_KEY },
          },
        ],
      }),
    });
    const text = JSON.stringify(res);
    expect(text).toContain('mcp.server_urls[0].extra_headers.Authorization');
    expect(text).not.toContain(API_KEY);
  });

  it('answers bad_request for a draft of the wrong shape', async () => {
    const res = await service(createMemoryStore()).invoke('profiles.validate', { draft: { name: 1 } });
    expect(res).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });
});

describe('profiles.save / get / remove', () => {
  it('stores the key in the secret store, writes only the reference, and starts when asked', async () => {
    const secrets = createMemoryStore();
    const svc = service(secrets);
    const res = await svc.invoke('profiles.save', {
      draft: relayDraft(),
      secrets: { apiKey: API_KEY },
      start: true,
    });
    expect(res).toEqual({
      ok: true,
      result: {
        name: 'work',
        displayName: 'Work server',
        connection: 'relay',
        tunnelId: TUNNEL_ID,
        channels: [{ name: 'main', kind: 'stdio', target: 'node server.js' }],
        autostart: true,
      },
    });
    expect(await secrets.get('work.api-key')).toBe(API_KEY);
    const text = await readFile(join(dir, 'work.yaml'), 'utf8');
    expect(text).toContain('api_key: keychain:work.api-key');
    expect(text).not.toContain(API_KEY);
    expect(started).toEqual(['work']);

    const got = await svc.invoke('profiles.get', { name: 'work' });
    expect(got).toEqual({ ok: true, result: { ...relayDraft(), apiKeyRef: 'keychain:work.api-key' } });
    expect(JSON.stringify(got)).not.toContain(API_KEY);

    expect(await svc.invoke('profiles.save', { draft: relayDraft() })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    expect(await svc.invoke('profiles.remove', { name: 'work' })).toEqual({
      ok: true,
      result: { removed: true },
    });
    expect(await secrets.get('work.api-key')).toBeNull();
    expect(await svc.invoke('profiles.get', { name: 'work' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('refuses an invalid draft with validation_failed and writes nothing', async () => {
    const secrets = createMemoryStore();
    const res = await service(secrets).invoke('profiles.save', {
      draft: relayDraft({ baseUrl: 'ftp://relay' }),
      secrets: { apiKey: API_KEY },
    });
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', issues: [{ path: 'control_plane.base_url' }] },
    });
    expect(await secrets.list()).toEqual([]);
    expect(await store.exists('work')).toBe(false);
  });

  it('answers keychain_unavailable, suggesting env:/file:, when the keychain cannot store', async () => {
    const broken = createKeychainStore({
      service: 'mcp-tunnel-test-broken',
      loadKeytar: () => Promise.reject(new Error('Cannot find module keytar')),
    });
    const res = await service(broken).invoke('profiles.save', {
      draft: relayDraft(),
      secrets: { apiKey: API_KEY },
    });
    expect(res).toMatchObject({ ok: false, error: { code: 'keychain_unavailable' } });
    const message = (res as { error: { message: string } }).error.message;
    expect(message).toContain('env:');
    expect(message).toContain('file:');
    expect(message).not.toContain(API_KEY);
    expect(await store.exists('work')).toBe(false);
  });

  it('saves a demo profile with the demo server command and no key', async () => {
    const res = await service(createMemoryStore()).invoke('profiles.save', {
      draft: {
        name: 'second',
        connection: 'demo',
        channels: [{ name: 'main', kind: 'stdio', command: 'node demo.js' }],
        autostart: false,
      },
      secrets: { apiKey: API_KEY },
    });
    expect(res).toMatchObject({ ok: true, result: { name: 'second', connection: 'demo' } });
    expect(await readFile(join(dir, 'second.yaml'), 'utf8')).not.toContain('api_key');
  });
});

describe('profiles.save with the real OS keychain', () => {
  it('round-trips the API key and the client key through the Secret Service', async () => {
    requirePrivateKeyring();
    const keychain = createKeychainStore({ service: `mcp-tunnel-test-${randomBytes(4).toString('hex')}` });
    const pem = `-----BEGIN PRIVATE KEY-----\n${randomBytes(24).toString('base64')}\n-----END PRIVATE KEY-----\n`;
    const svc = service(keychain);
    const res = await svc.invoke('profiles.save', {
      draft: relayDraft({ advanced: { clientCertPath: '/etc/ssl/client.pem' } }),
      secrets: { apiKey: API_KEY, clientKeyPem: pem },
    });
    expect(res.ok).toBe(true);
    expect(await keychain.get('work.api-key')).toBe(API_KEY);
    expect(await keychain.get('work.client-key')).toBe(pem);
    const text = await readFile(join(dir, 'work.yaml'), 'utf8');
    expect(text).toContain('client_key: keychain:work.client-key');
    await svc.invoke('profiles.remove', { name: 'work' });
    expect(await keychain.get('work.api-key')).toBeNull();
  });
});
