/**
 * The configuration checks of runDoctor (profile, secrets, keychain), the skip chain behind
 * them, the admin listener, and the canary: a secret echoed back by a failing MCP server (or
 * anything else) is masked in the report.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminListenerCheck } from '../../../../main/core/doctor/check-admin-listener.js';
import type { DoctorCheck, DoctorReport } from '../../../../main/core/doctor/doctor-check.js';
import { createDoctorRunner, runDoctor, type DoctorOptions } from '../../../../main/core/doctor/doctor.js';
import { ProfileStore } from '../../../../main/core/profiles/profile-store.js';
import { KEYCHAIN_LOCKED_MESSAGE } from '../../../../main/core/secrets/keychain-store.js';
import { KeychainError, type SecretStore } from '../../../../main/core/secrets/secret-store.js';
import { FakeControlPlane } from '../../../fakes/fake-control-plane.js';

const KEY = 'sk-proj-config-CANARY-0123456789abcdef';
const TUNNEL = 'tunnel_0123456789abcdef0123456789abcdef';

let dir: string;
let cp: FakeControlPlane;
const servers: Server[] = [];
const sockets = new Set<Socket>();
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doctor-config-'));
  cp = await FakeControlPlane.start({ apiKey: KEY });
});
afterEach(async () => {
  await cp.close();
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  await rm(dir, { recursive: true, force: true });
});

function yaml(apiKeyRef: string, extra = ''): string {
  return `config_version: 1
control_plane:
  base_url: "${cp.baseUrl}"
  tunnel_id: "${TUNNEL}"
  api_key: "${apiKeyRef}"
${extra}mcp:
  commands:
    - command: "definitely-not-installed-mcp-server"
`;
}

async function doctorFile(text: string, options: Partial<DoctorOptions> = {}): Promise<DoctorReport> {
  const file = join(dir, 'work.yaml');
  await writeFile(file, text, { mode: 0o600 });
  return runDoctor({ profileName: file, env: { PATH: process.env.PATH }, poll: false, ...options });
}

function byId(report: DoctorReport): Record<string, DoctorCheck> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c]));
}

describe('profile, secrets and keychain checks', () => {
  it('a profile that is not there fails `profile`, skips what needs it, still checks the admin listener', async () => {
    const report = await runDoctor({ profileName: 'nope', profileDir: dir, env: {} });
    expect(report.ok).toBe(false);
    expect(report.profile).toBe('nope');
    expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'profile:fail',
      'secrets:skip',
      'keychain:skip',
      'control_plane_metadata:skip',
      'control_plane_poll:skip',
      'admin_listener:pass',
    ]);
    expect(report.checks[0]?.nextStep).toMatch(/mcp-tunnel profiles list/);
  });

  it('createDoctorRunner (the admin service’s doctor.run) looks names up in the given store', async () => {
    const run = createDoctorRunner({ store: new ProfileStore({ dir }), env: {} });
    const report = await run('absent');
    expect(report.profile).toBe('absent');
    expect(report.checks[0]?.why).toContain(`No profile 'absent' in ${dir}`);
  });

  it('an unknown key fails `profile` naming the key and the file', async () => {
    const report = await doctorFile(yaml('env:KEY_VAR', 'surprise: 1\n'));
    const profile = byId(report).profile!;
    expect(profile.status).toBe('fail');
    expect(profile.why).toMatch(/surprise/);
    expect(profile.why).toContain('work.yaml');
  });

  it('ignored reference-client keys warn and are listed; the rest runs with the real key', async () => {
    const report = await doctorFile(
      yaml('env:KEY_VAR').replace('  api_key', '  organization_id: org_1\n  api_key'),
      {
        env: { PATH: process.env.PATH, KEY_VAR: KEY },
      },
    );
    const checks = byId(report);
    expect(checks.profile?.status).toBe('warn');
    expect(checks.profile?.evidence).toMatch(/ignored: control_plane\.organization_id/);
    expect(checks.profile?.evidence).toMatch(/API key from: control_plane\.api_key/);
    expect(checks.secrets).toMatchObject({
      status: 'pass',
      evidence: 'control_plane.api_key → env:KEY_VAR: resolves',
    });
    expect(checks.keychain?.status).toBe('skip');
    expect(checks.control_plane_metadata?.status).toBe('pass');
    expect(checks['channel:main:preflight']?.status).toBe('fail');
  });

  it('a missing env: secret fails `secrets` by name (the profile itself is fine) and skips the network checks', async () => {
    const report = await doctorFile(yaml('env:MISSING_KEY_VAR'));
    const checks = byId(report);
    expect(checks.profile?.status).toBe('pass');
    expect(checks.profile?.summary).toMatch(/secret references are checked next/);
    expect(checks.secrets?.status).toBe('fail');
    expect(checks.secrets?.why).toMatch(/MISSING_KEY_VAR is not set/);
    expect(checks.secrets?.evidence).toBe('control_plane.api_key → env:MISSING_KEY_VAR: does not resolve');
    for (const id of [
      'control_plane_metadata',
      'control_plane_poll',
      'channel:main:preflight',
      'channel:main:initialize',
    ])
      expect(checks[id]?.summary, id).toMatch(/^Skipped: a secret reference does not resolve/);
    expect(cp.calls).toHaveLength(0);
  });

  it('a broken reference overridden by CONTROL_PLANE_API_KEY only warns', async () => {
    const report = await doctorFile(yaml('env:MISSING_KEY_VAR'), {
      env: { PATH: process.env.PATH, CONTROL_PLANE_API_KEY: KEY },
    });
    const checks = byId(report);
    expect(checks.secrets?.status).toBe('warn');
    expect(checks.profile?.evidence).toMatch(/API key from: CONTROL_PLANE_API_KEY/);
    expect(checks.control_plane_metadata?.status).toBe('pass');
  });

  it('a locked keychain fails `keychain` with the unlock advice and `secrets` names the entry', async () => {
    const locked: SecretStore = {
      kind: 'keychain',
      get: () => Promise.reject(new KeychainError('keychain_locked', KEYCHAIN_LOCKED_MESSAGE)),
      set: () => Promise.reject(new Error('locked')),
      delete: () => Promise.resolve(false),
      list: () => Promise.resolve([]),
      probe: () => Promise.resolve({ ok: false, code: 'keychain_locked', message: KEYCHAIN_LOCKED_MESSAGE }),
    };
    const report = await doctorFile(yaml('keychain:work-api-key'), { keychain: locked });
    const checks = byId(report);
    expect(checks.secrets?.status).toBe('fail');
    expect(checks.secrets?.evidence).toBe('control_plane.api_key → keychain:work-api-key: does not resolve');
    expect(checks.keychain).toMatchObject({ status: 'fail', summary: 'The OS keychain is locked.' });
    expect(checks.keychain?.nextStep).toMatch(/Unlock the keychain.*file:\/path/s);
  });

  it('with no profile and no tunnel in the environment, says how to give one', async () => {
    const report = await runDoctor({ env: {} });
    expect(report.profile).toBe('env');
    expect(report.checks[0]).toMatchObject({ id: 'profile', status: 'fail' });
    expect(report.checks[0]?.nextStep).toMatch(/--profile NAME.*CONTROL_PLANE_TUNNEL_ID/s);
  });

  it('masks secrets that come back in evidence (a server echoing its token on stderr)', async () => {
    const token = 'tok-CANARY-9f8e7d6c5b4a3210';
    const text = yaml('env:KEY_VAR').replace(
      '    - command: "definitely-not-installed-mcp-server"',
      `    - command: "node -e \\"console.error('token=' + process.env.SERVER_TOKEN + ' key=' + process.env.SERVER_KEY); process.exit(1)\\""\n      env:\n        SERVER_TOKEN: "env:TOKEN_VAR"\n        SERVER_KEY: "env:KEY_VAR"`,
    );
    const report = await doctorFile(text, {
      env: { PATH: process.env.PATH, KEY_VAR: KEY, TOKEN_VAR: token },
    });
    const init = byId(report)['channel:main:initialize']!;
    expect(init.status).toBe('fail');
    expect(init.evidence).toContain('stderr: token=[REDACTED] key=[REDACTED]');
    const all = JSON.stringify(report);
    expect(all).not.toContain(token);
    expect(all).not.toContain(KEY);
  });
});

describe('admin listener check', () => {
  async function listen(handler?: 'healthz'): Promise<number> {
    const server: Server =
      handler === 'healthz'
        ? createHttpServer((req, res) =>
            res.writeHead(req.url === '/healthz' ? 200 : 404).end('{"status":"ok"}'),
          )
        : createServer();
    servers.push(server);
    server.on('connection', (socket: Socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address !== 'object') throw new Error('no port');
    return address.port;
  }

  it('passes for the default and fails a malformed address', async () => {
    expect(await adminListenerCheck({})).toMatchObject({
      status: 'pass',
      summary: 'The admin listener can bind 127.0.0.1:0.',
    });
    const bad = await adminListenerCheck({ listen: 'localhost', source: 'HEALTH_LISTEN_ADDR' });
    expect(bad.status).toBe('fail');
    expect(bad.evidence).toBe('from: HEALTH_LISTEN_ADDR');
  });

  it('fails a port another program holds, and warns when a running mcp-tunnel holds it', async () => {
    const taken = await adminListenerCheck({ listen: `127.0.0.1:${await listen()}` });
    expect(taken.status).toBe('fail');
    expect(taken.evidence).toContain('bind: EADDRINUSE');
    expect(taken.nextStep).toMatch(/Another program uses port/);
    const ours = await adminListenerCheck({ listen: `127.0.0.1:${await listen('healthz')}` });
    expect(ours.status).toBe('warn');
    expect(ours.summary).toMatch(/already served by a running mcp-tunnel/);
  });

  it('warns about a non-loopback address unless remote access is allowed', async () => {
    const open = await adminListenerCheck({ listen: '0.0.0.0:0' });
    expect(open.status).toBe('warn');
    expect(open.nextStep).toMatch(/127\.0\.0\.1:0/);
    expect((await adminListenerCheck({ listen: '0.0.0.0:0', allowRemote: true })).status).toBe('pass');
  });
});
