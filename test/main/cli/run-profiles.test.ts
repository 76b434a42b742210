import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../../main/cli/commands/run.js';
import { commandLineForDisplay } from '../../../main/core/engine/channels/stdio/argv.js';
import { demoServerArgv } from '../../../main/core/demo/demo-entry.js';
import { startEmbeddedRelay, type EmbeddedRelay } from '../../../main/core/relay/embedded.js';
import { startCli, waitForJsonFile, type CliChild } from '../../support/cli-process.js';

let dir: string;
let relay: EmbeddedRelay | undefined;
const clis: CliChild[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-profiles-'));
});
afterEach(async () => {
  for (const cli of clis.splice(0)) {
    if (cli.child.exitCode === null) {
      cli.child.kill('SIGINT');
      await cli.exited;
    }
  }
  await relay?.close();
  relay = undefined;
  await rm(dir, { recursive: true, force: true });
});

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { MCP_TUNNEL_PROFILE_DIR: join(dir, 'profiles'), MCP_TUNNEL_LOG_DIR: join(dir, 'logs'), ...extra };
}

function cli(args: string[], extra?: NodeJS.ProcessEnv): CliChild {
  const c = startCli(args, env(extra));
  clis.push(c);
  return c;
}

async function callEcho(mcpUrl: string, token: string, text: string): Promise<unknown> {
  const client = new Client({ name: 'run-profiles', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  const result = await client.callTool({ name: 'echo', arguments: { text } });
  await client.close();
  return result.content;
}

describe('mcp-tunnel run against a self-hosted relay', () => {
  it('runs from the reference environment variables, serves /readyz and /metrics, and tunnels calls', async () => {
    relay = await startEmbeddedRelay();
    const infoFile = join(dir, 'info.json');
    const c = cli(['run', '--info-file', infoFile], {
      CONTROL_PLANE_BASE_URL: relay.controlPlaneUrl,
      CONTROL_PLANE_TUNNEL_ID: relay.tunnelId,
      CONTROL_PLANE_API_KEY: relay.runtimeKey,
      MCP_COMMAND: commandLineForDisplay(demoServerArgv()),
    });
    const info = await waitForJsonFile<RunInfo>(infoFile, c);
    expect(info.tunnel_id).toBe(relay.tunnelId);
    expect(info.mcp_url).toBeUndefined();
    expect(await callEcho(relay.mcpUrl, relay.connectorToken, 'env-run')).toEqual([
      { type: 'text', text: 'env-run' },
    ]);

    const admin = new URL(info.admin_url);
    const metrics = await request(`${admin.origin}/metrics`);
    const text = await metrics.body.text();
    expect(text).toMatch(/commands_polled_total\{tunnel="env"\} [1-9]/);
    expect(text).not.toContain(relay.runtimeKey);
    const readyz = await request(`${admin.origin}/readyz`);
    expect(readyz.statusCode).toBe(200);
    const health = cli(['health', '--info-file', infoFile, '--json']);
    expect(await health.exited).toBe(0);
    expect(JSON.parse(health.stdout())).toEqual({ url: admin.origin, alive: true, ready: true, reasons: [] });

    // The admin API runs doctor inside the daemon, against the same environment.
    const doctor = await request(`${admin.origin}/api/doctor.run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.admin_token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const report = (await doctor.body.json()) as {
      ok: boolean;
      result: { ok: boolean; checks: Array<{ id: string; status: string }> };
    };
    expect(report, JSON.stringify(report)).toMatchObject({ ok: true });
    expect(report.result.ok).toBe(true);
    expect(report.result.checks.find((c) => c.id === 'control_plane_metadata')?.status).toBe('pass');
    expect(report.result.checks.find((c) => c.id === 'channel:main:initialize')?.status).toBe('pass');
    expect(JSON.stringify(report)).not.toContain(relay.runtimeKey);
    expect(c.stderr()).not.toContain(relay.runtimeKey);
  });

  it('runs a profile written by init with the reference client flags', async () => {
    relay = await startEmbeddedRelay();
    const init = cli([
      'init',
      '--sample',
      'sample_mcp_stdio_local',
      '--profile',
      'local-demo',
      '--tunnel-id',
      relay.tunnelId,
      '--mcp-command',
      commandLineForDisplay(demoServerArgv()),
      '--control-plane-api-key-ref',
      'env:RELAY_RUNTIME_KEY',
    ]);
    expect(await init.exited, init.stderr()).toBe(0);

    const infoFile = join(dir, 'info.json');
    const c = cli(
      [
        'run',
        '--profile',
        'local-demo',
        '--control-plane.base-url',
        relay.controlPlaneUrl,
        '--info-file',
        infoFile,
      ],
      {
        RELAY_RUNTIME_KEY: relay.runtimeKey,
      },
    );
    const info = await waitForJsonFile<RunInfo>(infoFile, c);
    expect(info.tunnels).toEqual([{ id: 'local-demo', tunnel_id: relay.tunnelId }]);
    expect(await callEcho(relay.mcpUrl, relay.connectorToken, 'profile-run')).toEqual([
      { type: 'text', text: 'profile-run' },
    ]);
  });

  it('health reports an unreachable daemon and a missing address', async () => {
    const gone = cli(['health', '--url', 'http://127.0.0.1:9']);
    expect(await gone.exited).toBe(1);
    expect(gone.stdout()).toMatch(/cannot reach .*ECONNREFUSED/);
    const nowhere = cli(['health']);
    expect(await nowhere.exited).toBe(2);
    expect(nowhere.stderr()).toMatch(/--health.listen-addr/);
  });

  it('refuses an unknown profile with a usage error', async () => {
    const c = cli(['run', '--profile', 'nope']);
    expect(await c.exited).toBe(2);
    expect(c.stderr()).toMatch(/nope/);
  });
});
