/**
 * The canary test: plant a unique runtime key, a caller token, a cookie, a shard token and an
 * upstream header value, drive every path of the real daemon (polls, commands, an upstream MCP
 * server, a rejected key, metrics, logs, requests, status, support bundle, doctor, profiles)
 * and prove that none of them appears in any log line, file, bundle, metric, API answer or
 * command output.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../main/cli/commands/run.js';
import { FakeControlPlane, jsonrpcCommand } from '../fakes/fake-control-plane.js';
import { startHttpMcpServer, type HttpMcpServer } from '../fixtures/http-mcp-server.js';
import { startCli, waitForJsonFile, type CliChild } from '../support/cli-process.js';

const tag = randomBytes(6).toString('hex');
const CANARIES = {
  runtimeKey: `sk-canary-runtime-${tag}`,
  callerToken: `caller-canary-${tag}`,
  cookie: `cookie-canary-${tag}`,
  shardToken: `shard-canary-${tag}`,
  upstreamHeader: `upstream-canary-${tag}`,
};

let dir: string;
let cp: FakeControlPlane;
let upstream: HttpMcpServer;
let daemon: CliChild;
let info: RunInfo;
const seen: Array<{ where: string; text: string }> = [];

async function api(method: string, params: unknown = {}): Promise<string> {
  const origin = new URL(info.admin_url).origin;
  const res = await request(`${origin}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${info.admin_token}`, 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return res.body.text();
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliChild> {
  const c = startCli(args, {
    MCP_TUNNEL_PROFILE_DIR: join(dir, 'profiles'),
    MCP_TUNNEL_LOG_DIR: join(dir, 'logs'),
    ...env,
  });
  await c.exited;
  seen.push(
    { where: `${args.join(' ')} (stdout)`, text: c.stdout() },
    { where: `${args.join(' ')} (stderr)`, text: c.stderr() },
  );
  return c;
}

async function filesUnder(root: string): Promise<Array<{ where: string; text: string }>> {
  const out: Array<{ where: string; text: string }> = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ where: path, text: await readFile(path, 'latin1') });
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canary-'));
  cp = await FakeControlPlane.start({ apiKey: CANARIES.runtimeKey });
  upstream = await startHttpMcpServer({ bearerToken: CANARIES.upstreamHeader });
  const infoFile = join(dir, 'info.json');
  daemon = startCli(['run', '--info-file', infoFile, '--log.level', 'debug'], {
    CONTROL_PLANE_BASE_URL: cp.baseUrl,
    CONTROL_PLANE_TUNNEL_ID: cp.tunnelId,
    CONTROL_PLANE_API_KEY: CANARIES.runtimeKey,
    MCP_SERVER_URL: upstream.url,
    // Short polls, so a key rejected by the control plane shows within a second.
    CONTROL_PLANE_POLL_TIMEOUT: '1s',
    MCP_EXTRA_HEADERS: `Authorization: Bearer ${CANARIES.upstreamHeader}`,
    MCP_TUNNEL_PROFILE_DIR: join(dir, 'profiles'),
    MCP_TUNNEL_LOG_DIR: join(dir, 'logs'),
  });
  info = await waitForJsonFile<RunInfo>(infoFile, daemon);
});

afterAll(async () => {
  if (daemon.child.exitCode === null) {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
  }
  await upstream.close();
  await cp.close();
  await rm(dir, { recursive: true, force: true });
});

describe('no secret leaves its place', () => {
  it('drives every path with planted secrets and finds none of them anywhere', async () => {
    const callerHeaders = {
      Authorization: [`Bearer ${CANARIES.callerToken}`],
      Cookie: [`session=${CANARIES.cookie}`],
    };
    const init = jsonrpcCommand(
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'canary', version: '1' },
        },
      },
      { headers: callerHeaders, shardToken: `${CANARIES.shardToken}-1` },
    );
    cp.pushCommands(init);
    const initPost = await cp.waitForTerminal(init.request_id as string);
    const session = (initPost.body as { resp_headers?: Record<string, string[]> }).resp_headers?.[
      'Mcp-Session-Id'
    ]?.[0];
    expect(session, 'the upstream accepted the extra header and opened a session').toBeTruthy();
    const headers = {
      ...callerHeaders,
      'Mcp-Session-Id': [session!],
      'Mcp-Protocol-Version': ['2025-06-18'],
    };
    const commands = [
      jsonrpcCommand(
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { headers, shardToken: `${CANARIES.shardToken}-2` },
      ),
      jsonrpcCommand(
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        { headers, shardToken: `${CANARIES.shardToken}-3` },
      ),
      jsonrpcCommand(
        {
          jsonrpc: '2.0',
          id: 3,
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: 'hello' } },
        },
        { headers, shardToken: `${CANARIES.shardToken}-4` },
      ),
      jsonrpcCommand(
        { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } },
        { headers, shardToken: `${CANARIES.shardToken}-5` },
      ),
    ];
    cp.pushCommands(...commands);
    for (const c of commands) await cp.waitForTerminal(c.request_id as string);

    // Every admin surface while healthy.
    const origin = new URL(info.admin_url).origin;
    seen.push({ where: '/metrics', text: await (await request(`${origin}/metrics`)).body.text() });
    seen.push({ where: '/readyz', text: await (await request(`${origin}/readyz`)).body.text() });
    for (const method of ['status.get', 'logs.tail', 'requests.list', 'metrics.snapshot', 'doctor.run']) {
      seen.push({ where: `api ${method}`, text: await api(method) });
    }
    const bundle = JSON.parse(await api('bundle.create', { windowMinutes: 60 })) as {
      result: { base64: string };
    };
    seen.push({
      where: 'support bundle',
      text: gunzipSync(Buffer.from(bundle.result.base64, 'base64')).toString('latin1'),
    });

    // The key is rejected: the failure path must not echo it either.
    cp.setApiKey('sk-some-other-key');
    const deadline = Date.now() + 15_000;
    let status = '';
    while (!status.includes('"auth_failed"')) {
      if (Date.now() > deadline) throw new Error(`tunnel never reported auth_failed: ${status}`);
      await new Promise((r) => setTimeout(r, 100));
      status = await api('status.get');
    }
    seen.push(
      { where: 'status while the key is rejected', text: status },
      { where: 'logs after rejection', text: await api('logs.tail') },
    );

    // Profiles and the offline commands, with the key behind a reference.
    const keyEnv = { CANARY_RUNTIME_KEY: CANARIES.runtimeKey, CONTROL_PLANE_API_KEY: '' };
    await cli(
      [
        'init',
        '--sample',
        'sample_mcp_stdio_local',
        '--profile',
        'canary',
        '--tunnel-id',
        cp.tunnelId,
        '--mcp-command',
        'node server.js',
        '--control-plane-api-key-ref',
        'env:CANARY_RUNTIME_KEY',
      ],
      keyEnv,
    );
    const literal = await cli(
      [
        'profiles',
        'add',
        'literal',
        '--tunnel-id',
        cp.tunnelId,
        '--mcp-command',
        'node server.js',
        '--control-plane.api-key',
        CANARIES.runtimeKey,
      ],
      keyEnv,
    );
    expect(literal.child.exitCode, 'a literal key is refused').toBe(2);
    await cli(['profiles', 'list', '--json'], keyEnv);
    await cli(['profiles', 'show', 'canary', '--json'], keyEnv);
    await cli(
      ['doctor', '--profile', 'canary', '--control-plane.base-url', cp.baseUrl, '--json', '--explain'],
      keyEnv,
    );
    await cli(['bundle', '--out-dir', join(dir, 'bundles'), '--json'], keyEnv);

    daemon.child.kill('SIGINT');
    expect(await daemon.exited).toBe(0);
    seen.push(
      { where: 'daemon stdout', text: daemon.stdout() },
      { where: 'daemon stderr', text: daemon.stderr() },
    );
    seen.push(...(await filesUnder(join(dir, 'logs'))), ...(await filesUnder(join(dir, 'profiles'))));
    for (const file of await filesUnder(join(dir, 'bundles'))) {
      seen.push({ where: file.where, text: gunzipSync(Buffer.from(file.text, 'latin1')).toString('latin1') });
    }

    // The surfaces really were exercised (a test that saw nothing would prove nothing).
    expect(seen.find((s) => s.where === 'api requests.list')?.text).toContain('tools/call');
    expect(seen.find((s) => s.where === 'support bundle')?.text).toContain('logs.ndjson');
    const logNames = seen.filter((s) => s.where.startsWith(join(dir, 'logs'))).map((s) => s.where);
    expect(logNames, 'the daemon wrote its log file').toContain(join(dir, 'logs', 'mcp-tunnel.log'));
    expect(seen.find((s) => s.where === join(dir, 'logs', 'mcp-tunnel.log'))?.text).toContain(
      'control plane knows this tunnel',
    );
    expect(seen.find((s) => s.where.endsWith('canary.yaml'))?.text).toContain('env:CANARY_RUNTIME_KEY');

    const leaks = seen.flatMap((s) =>
      Object.entries(CANARIES)
        .filter(([, secret]) => s.text.includes(secret))
        .map(([name]) => `${name} in ${s.where}`),
    );
    expect(leaks).toEqual([]);
  });
});
