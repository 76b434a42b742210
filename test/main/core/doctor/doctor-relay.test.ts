/**
 * runDoctor end to end against the REAL embedded relay and real MCP servers (the bundled demo
 * server over stdio): a good key passes everything, a bad key and an unknown tunnel fail the
 * control-plane checks with the right advice while the channel checks still run, and dead MCP
 * servers fail preflight / initialize with clear next steps. Planted secrets never show up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoServerArgv } from '../../../../main/core/demo/demo-entry.js';
import type { DoctorCheck, DoctorReport } from '../../../../main/core/doctor/doctor-check.js';
import { runDoctor } from '../../../../main/core/doctor/doctor.js';
import { commandLineForDisplay } from '../../../../main/core/engine/channels/stdio/argv.js';
import type { ProfileFile } from '../../../../main/core/profiles/profile-types.js';
import { startEmbeddedRelay, type EmbeddedRelay } from '../../../../main/core/relay/embedded.js';
import { createMemoryStore } from '../../../../main/core/secrets/memory-store.js';

const ENV_CANARY = 'childenv-CANARY-0a9b8c7d6e5f';
const WRONG_KEY = 'sk-proj-WRONG-CANARY-abcdef0123456789';

let relay: EmbeddedRelay;
beforeAll(async () => {
  relay = await startEmbeddedRelay({ tunnelName: 'Doctor test tunnel' });
});
afterAll(async () => {
  await relay.close();
});

const DEMO = commandLineForDisplay(demoServerArgv());

function profile(over: { tunnelId?: string; commands?: ProfileFile['mcp'] } = {}): ProfileFile {
  return {
    config_version: 1,
    control_plane: {
      base_url: relay.controlPlaneUrl,
      tunnel_id: over.tunnelId ?? relay.tunnelId,
      api_key: 'keychain:relay-runtime-key',
    },
    mcp: over.commands ?? {
      commands: [{ command: DEMO, env: { DEMO_API_TOKEN: 'env:DEMO_API_TOKEN' } }],
    },
    health: { listen_addr: '127.0.0.1:0' },
  };
}

async function doctor(data: ProfileFile, key: string): Promise<DoctorReport> {
  const report = await runDoctor({
    profile: { name: 'relay-test', data },
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DEMO_API_TOKEN: ENV_CANARY,
    },
    keychain: createMemoryStore({ 'relay-runtime-key': key }),
    timeoutMs: 15_000,
  });
  const text = JSON.stringify(report);
  for (const secret of [relay.runtimeKey, WRONG_KEY, ENV_CANARY, relay.connectorToken])
    expect(text).not.toContain(secret);
  return report;
}

function byId(report: DoctorReport): Record<string, DoctorCheck> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c]));
}

describe('runDoctor against the embedded relay', () => {
  it('a good key and the demo server: every check passes, in the documented order', async () => {
    const report = await doctor(profile(), relay.runtimeKey);
    expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'profile:pass',
      'secrets:pass',
      'keychain:pass',
      'control_plane_metadata:pass',
      'control_plane_poll:pass',
      'channel:main:preflight:pass',
      'channel:main:initialize:pass',
      'admin_listener:pass',
    ]);
    expect(report.ok).toBe(true);
    const checks = byId(report);
    expect(checks.control_plane_metadata?.summary).toContain("'Doctor test tunnel'");
    expect(checks['channel:main:initialize']?.evidence).toMatch(
      /server: mcp-tunnel-demo \S+\nprotocol version: \d{4}-\d\d-\d\d/,
    );
    expect(checks.secrets?.evidence).toContain(
      'control_plane.api_key → keychain:relay-runtime-key: resolves',
    );
    expect(checks.secrets?.evidence).toContain(
      'mcp.commands[0].env.DEMO_API_TOKEN → env:DEMO_API_TOKEN: resolves',
    );
  });

  it('a wrong key fails both control-plane checks with the key fix, and the channels are still checked', async () => {
    const report = await doctor(profile(), WRONG_KEY);
    const checks = byId(report);
    expect(report.ok).toBe(false);
    for (const id of ['control_plane_metadata', 'control_plane_poll']) {
      expect(checks[id]?.status, id).toBe('fail');
      expect(checks[id]?.evidence).toMatch(/HTTP 40[13] tunnel_use_forbidden/);
      expect(checks[id]?.nextStep).toMatch(/^Check control_plane\.api_key \/ CONTROL_PLANE_API_KEY/);
    }
    expect(checks['channel:main:preflight']?.status).toBe('pass');
    expect(checks['channel:main:initialize']?.status).toBe('pass');
  });

  it('a well-formed tunnel id the relay does not know fails with the tunnel-id advice', async () => {
    const report = await doctor(
      profile({ tunnelId: 'tunnel_00000000000000000000000000000000' }),
      relay.runtimeKey,
    );
    const metadata = byId(report).control_plane_metadata!;
    expect(metadata.status).toBe('fail');
    expect(metadata.why).toMatch(/no tunnel with this id exists/);
    expect(metadata.nextStep).toMatch(/control_plane\.tunnel_id \/ CONTROL_PLANE_TUNNEL_ID/);
    expect(metadata.evidence).toContain('/v1/tunnels/tunnel_00000000000000000000000000000000');
  });

  it('dead MCP servers: one that exits at once fails initialize with its stderr, a missing command fails preflight', async () => {
    const report = await doctor(
      profile({
        commands: {
          commands: [
            { command: DEMO },
            { channel: 'exits', command: `node -e "console.error('cannot open database'); process.exit(3)"` },
            { channel: 'missing', command: 'mcp-server-that-does-not-exist --stdio' },
          ],
        },
      }),
      relay.runtimeKey,
    );
    const checks = byId(report);
    expect(report.ok).toBe(false);
    expect(checks['channel:main:initialize']?.status).toBe('pass');

    expect(checks['channel:exits:preflight']?.status).toBe('pass');
    const exits = checks['channel:exits:initialize']!;
    expect(exits.status).toBe('fail');
    expect(exits.summary).toMatch(/exited or could not start before answering initialize/);
    expect(exits.evidence).toContain('stderr: cannot open database');
    expect(exits.evidence).toMatch(/exited \(code 3\)/);
    expect(exits.nextStep).toMatch(/Run the command by hand/);

    const missing = checks['channel:missing:preflight']!;
    expect(missing.status).toBe('fail');
    expect(missing.summary).toContain("'mcp-server-that-does-not-exist'");
    expect(missing.evidence).toMatch(/^PATH searched: /);
    expect(missing.nextStep).toMatch(/absolute path/);
    expect(checks['channel:missing:initialize']).toMatchObject({ status: 'skip' });
  });
});
