import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../../main/cli/commands/run.js';
import { childPids, isAlive, startCli, waitForJsonFile, type CliChild } from '../../support/cli-process.js';

let dir: string;
let cli: CliChild | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-demo-'));
});
afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
  cli = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Profiles and logs in the test's own temp dir, never the user's. */
function isolated(): NodeJS.ProcessEnv {
  return { MCP_TUNNEL_PROFILE_DIR: join(dir, 'profiles'), MCP_TUNNEL_LOG_DIR: join(dir, 'logs') };
}

describe('mcp-tunnel run --demo', () => {
  it('serves the demo server through the embedded relay to a real MCP client, then stops cleanly on Ctrl-C', async () => {
    const infoFile = join(dir, 'info.json');
    cli = startCli(['run', '--demo', '--info-file', infoFile], isolated());
    const info = await waitForJsonFile<RunInfo>(infoFile, cli);
    expect(info.mcp_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/mcp\/tunnel_[a-z0-9]{32}$/);
    expect(cli.stdout()).toContain('codex mcp add mcp-tunnel-demo');

    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(info.mcp_url!), {
        requestInit: { headers: { Authorization: `Bearer ${info.connector_token}` } },
      }),
    );
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(['add', 'ask_model', 'echo', 'slow_count']);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'through the tunnel' } });
    expect(result.content).toEqual([{ type: 'text', text: 'through the tunnel' }]);
    await client.close();

    // Doctor inside the daemon checks the demo it runs, without polling the live tunnel.
    const doctor = await request(`${new URL(info.admin_url).origin}/api/doctor.run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.admin_token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const report = (await doctor.body.json()) as {
      result: { ok: boolean; checks: Array<{ id: string; status: string }> };
    };
    expect(report.result.ok, JSON.stringify(report)).toBe(true);
    expect(report.result.checks.find((c) => c.id === 'control_plane_metadata')?.status).toBe('pass');
    expect(report.result.checks.find((c) => c.id === 'channel:main:initialize')?.status).toBe('pass');

    const children = childPids(cli.child.pid!);
    expect(children.length).toBeGreaterThan(0);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    for (const pid of children) expect(isAlive(pid)).toBe(false);
    expect(cli.stderr()).toContain('stopped');
    // The runtime key never reaches the logs.
    expect(cli.stderr()).not.toMatch(/mcpt_rk_/);
  });

  it('refuses a bad log level with a usage error', async () => {
    cli = startCli(['run', '--demo', '--log.level', 'loud'], isolated());
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(/debug, info, warn, error/);
  });

  it('explains what is missing when the environment half-configures a tunnel', async () => {
    cli = startCli(['run'], {
      ...isolated(),
      CONTROL_PLANE_TUNNEL_ID: 'tunnel_0123456789abcdef0123456789abcdef',
      CONTROL_PLANE_API_KEY: 'sk-x',
    });
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(/MCP_COMMAND/);
  });
});
