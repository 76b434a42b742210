/**
 * "Add to Codex" against the real OpenAI Codex CLI (pinned; installed on demand into
 * .cache/codex): what we write is what `codex mcp get` reports, Verify agrees, Remove removes,
 * and `codex app-server` reaches the demo MCP server's tools through a real tunnel.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemoRelay, type DemoSetup } from '../../../../../main/core/demo/demo-tunnel.js';
import { buildTunnel, type BuiltTunnel } from '../../../../../main/core/engine/build-tunnel.js';
import {
  addToCodex,
  removeFromCodex,
} from '../../../../../main/core/integrations/codex/codex-config-file.js';
import { codexEntryFor } from '../../../../../main/core/integrations/codex/codex-entry.js';
import { verifyCodexEntry } from '../../../../../main/core/integrations/codex/codex-verify.js';
import { silentLogger } from '../../../../../main/core/observability/logger.js';
import { ensureCodexCli, startCodexAppServer, type CodexAppServer } from '../../../../support/codex-cli.js';

const TOKEN = 'mcpt_ct_0123456789abcdefghijklmnopqrstuv';
/** Pre-existing user settings: kept byte-for-byte; the base URL keeps Codex off the network. */
const USER_SETTINGS = `# my settings
openai_base_url = "http://127.0.0.1:9/v1"

[analytics]
enabled = false
`;

let codex: string;
let dir: string;
let home: string;

beforeAll(async () => {
  codex = await ensureCodexCli();
}, 600_000);

let demo: DemoSetup | undefined;
let built: BuiltTunnel | undefined;
let server: CodexAppServer | undefined;

afterEach(async () => {
  await server?.close();
  await built?.tunnel.stop();
  await demo?.relay.close();
  server = built = demo = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function freshHome(): Promise<NodeJS.ProcessEnv> {
  dir = await mkdtemp(join(tmpdir(), 'codex-real-'));
  home = join(dir, 'codex-home');
  await mkdir(home, { mode: 0o700 });
  await writeFile(join(home, 'config.toml'), USER_SETTINGS, { mode: 0o600 });
  return { PATH: process.env.PATH, HOME: dir, CODEX_HOME: home };
}

function codexRun(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(codex, args, { env, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as NodeJS.ErrnoException).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('Add to Codex with the real Codex CLI', () => {
  it('codex mcp get reports exactly what we wrote (env and header modes); Verify agrees; Remove removes', async () => {
    const env = await freshHome();
    const url = 'http://127.0.0.1:8787/v1/mcp/tunnel_0123456789abcdef0123456789abcdef';
    const envPlan = codexEntryFor(
      { kind: 'relay', mcpUrl: url, connectorToken: TOKEN },
      { name: 'team-relay', tokenMode: 'env' },
    );
    const headerPlan = codexEntryFor(
      { kind: 'demo', mcpUrl: url, connectorToken: TOKEN },
      { name: 'demo_1', tokenMode: 'header', startupTimeoutSec: 12.5, toolTimeoutSec: 90 },
    );
    await addToCodex({ env, name: envPlan.name, entry: envPlan.entry });
    await addToCodex({ env, name: headerPlan.name, entry: headerPlan.entry });
    expect((await readFile(join(home, 'config.toml'), 'utf8')).startsWith(USER_SETTINGS)).toBe(true);

    const got = await codexRun(['mcp', 'get', 'team-relay', '--json'], env);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({
      name: 'team-relay',
      enabled: true,
      transport: {
        type: 'streamable_http',
        url,
        bearer_token_env_var: 'MCP_TUNNEL_TOKEN',
        http_headers: null,
      },
      startup_timeout_sec: 30,
      tool_timeout_sec: 300,
    });
    const gotHeader = await codexRun(['mcp', 'get', 'demo_1', '--json'], env);
    expect(JSON.parse(gotHeader.stdout)).toMatchObject({
      transport: {
        type: 'streamable_http',
        url,
        bearer_token_env_var: null,
        http_headers: { Authorization: `Bearer ${TOKEN}` },
      },
      startup_timeout_sec: 12.5,
      tool_timeout_sec: 90,
    });

    const verified = await verifyCodexEntry({ env, name: 'team-relay', codexBin: codex });
    expect(verified).toMatchObject({ ok: true, code: 'ok', details: { envVarSet: false } });
    expect(verified.message).toContain(url);
    expect(verified.message).toMatch(/MCP_TUNNEL_TOKEN is not set/);
    const verifiedHeader = await verifyCodexEntry({
      env,
      name: 'demo_1',
      codexBin: codex,
      expected: headerPlan.entry,
    });
    expect(verifiedHeader.ok).toBe(true);
    expect(JSON.stringify(verifiedHeader)).not.toContain(TOKEN);

    const mismatch = await verifyCodexEntry({
      env,
      name: 'demo_1',
      codexBin: codex,
      expected: { ...headerPlan.entry, url: 'http://elsewhere/mcp' },
    });
    expect(mismatch).toMatchObject({ ok: false, code: 'codex_entry_mismatch' });
    expect(mismatch.message).toContain('url is');

    expect((await removeFromCodex({ env, name: 'team-relay' })).removed).toBe(true);
    const gone = await codexRun(['mcp', 'get', 'team-relay', '--json'], env);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/No MCP server named 'team-relay'/);
    const list = JSON.parse((await codexRun(['mcp', 'list', '--json'], env)).stdout) as Array<{
      name: string;
    }>;
    expect(list.map((s) => s.name)).toEqual(['demo_1']);
    expect(await verifyCodexEntry({ env, name: 'team-relay', codexBin: codex })).toMatchObject({
      ok: false,
      code: 'codex_entry_missing',
    });
  });

  it('Verify says how to install Codex when it is not there', async () => {
    const env = await freshHome();
    const result = await verifyCodexEntry({ env, name: 'x', codexBin: join(dir, 'no-such-codex') });
    expect(result).toMatchObject({ ok: false, code: 'codex_not_installed' });
    expect(result.message).toMatch(/npm i -g @openai\/codex/);
  });
});

describe('Codex app-server through a real demo tunnel', () => {
  it('lists the demo tools and calls echo, with the token in a header and from an env var', async () => {
    demo = await startDemoRelay(silentLogger);
    built = buildTunnel({ config: demo.config, logger: silentLogger });
    await built.tunnel.start();
    await built.tunnel.whenReady(AbortSignal.timeout(20_000));

    const env = await freshHome();
    const tunnel = {
      kind: 'demo' as const,
      mcpUrl: demo.relay.mcpUrl,
      connectorToken: demo.relay.connectorToken,
    };
    const viaHeader = codexEntryFor(tunnel, { name: 'mcp-tunnel-demo', tokenMode: 'header' });
    const viaEnv = codexEntryFor(tunnel, { name: 'mcp-tunnel-env', tokenMode: 'env' });
    await addToCodex({ env, name: viaHeader.name, entry: viaHeader.entry });
    await addToCodex({ env, name: viaEnv.name, entry: viaEnv.entry });

    server = startCodexAppServer(codex, { ...env, MCP_TUNNEL_TOKEN: demo.relay.connectorToken }, dir);
    await server.request('initialize', { clientInfo: { name: 'mcp-tunnel-test', version: '1.0.0' } });
    server.notify('initialized');
    const status = await server.request<{
      data: Array<{
        name: string;
        tools: Record<string, unknown>;
        toolsError: string | null;
        authStatus: string;
      }>;
    }>('mcpServerStatus/list', {}, 60_000);
    for (const name of ['mcp-tunnel-demo', 'mcp-tunnel-env']) {
      const entry = status.data.find((s) => s.name === name);
      expect(entry, `${name} missing from ${JSON.stringify(status)}`).toBeDefined();
      expect(entry!.toolsError).toBeNull();
      expect(Object.keys(entry!.tools).sort()).toEqual(['add', 'ask_model', 'echo', 'slow_count']);
      expect(entry!.authStatus).toBe('bearerToken');
    }

    // mcpServer/tool/call needs a thread; an ephemeral one needs no login and no model.
    const thread = await server.request<{ thread: { id: string } }>('thread/start', { ephemeral: true });
    for (const name of ['mcp-tunnel-demo', 'mcp-tunnel-env']) {
      const result = await server.request<{ content: unknown[]; isError?: boolean | null }>(
        'mcpServer/tool/call',
        { threadId: thread.thread.id, server: name, tool: 'echo', arguments: { text: `hello via ${name}` } },
        60_000,
      );
      expect(result.isError ?? false).toBe(false);
      expect(result.content).toEqual([{ type: 'text', text: `hello via ${name}` }]);
    }
    const sum = await server.request<{ content: Array<{ text?: string }> }>('mcpServer/tool/call', {
      threadId: thread.thread.id,
      server: 'mcp-tunnel-demo',
      tool: 'add',
      arguments: { a: 2, b: 40 },
    });
    expect(sum.content[0]?.text).toBe('42');
  }, 120_000);
});
