import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codexCommand } from '../../../main/cli/commands/codex.js';
import { ensureCodexCli } from '../../support/codex-cli.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const TOKEN = 'mcpt_ct_CANARYcanaryCANARYcanary9876';
const MCP_URL = 'http://127.0.0.1:43555/v1/mcp/tunnel_ahmq60c9t729lotf4sdap5mo8cootozl';

let dir: string;
let home: string;
let infoFile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'codex-cli-'));
  home = join(dir, 'codex');
  infoFile = join(dir, 'info.json');
  await writeFile(
    infoFile,
    JSON.stringify({ admin_url: 'x', tunnel_id: 't', mcp_url: MCP_URL, connector_token: TOKEN }),
  );
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await codexCommand(args, { stdout, stderr, env: { CODEX_HOME: home, ...env } });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const config = async (): Promise<string> => readFile(join(home, 'config.toml'), 'utf8');
const servers = async (): Promise<Record<string, Record<string, unknown>>> =>
  parse(await config()).mcp_servers as Record<string, Record<string, unknown>>;

describe('mcp-tunnel codex', () => {
  it('add --info-file in header mode writes the token to the file but never prints it', async () => {
    const r = await run(['add', '--info-file', infoFile, '--token-mode', 'header']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Added 'mcp-tunnel-demo' to ${join(home, 'config.toml')}`);
    expect(r.stdout).toContain('Bearer mcpt_ct_…9876');
    expect(r.stdout).toMatch(/Restart Codex/);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect((await servers())['mcp-tunnel-demo']).toEqual({
      url: MCP_URL,
      http_headers: { Authorization: `Bearer ${TOKEN}` },
      startup_timeout_sec: 30,
      tool_timeout_sec: 300,
    });
    const again = await run(['add', '--info-file', infoFile, '--token-mode', 'header', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ name: 'mcp-tunnel-demo', changed: false });
    expect(again.stdout).not.toContain(TOKEN);
  });

  it('add --mcp-url --connector-token-env in env mode writes bearer_token_env_var and says what to export', async () => {
    const r = await run(
      [
        'add',
        '--mcp-url',
        MCP_URL,
        '--connector-token-env',
        'MY_TOKEN',
        '--name',
        'team',
        '--env-var',
        'TEAM_TOKEN',
        '--tool-timeout-sec',
        '120',
      ],
      { MY_TOKEN: TOKEN },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('export TEAM_TOKEN=<connector token>');
    expect(r.stdout).not.toContain(TOKEN);
    expect((await servers()).team).toEqual({
      url: MCP_URL,
      bearer_token_env_var: 'TEAM_TOKEN',
      startup_timeout_sec: 30,
      tool_timeout_sec: 120,
    });
    expect(await config()).not.toContain(TOKEN);
  });

  it('add --kind openai uses OPENAI_API_KEY, as in the article', async () => {
    const hosted = 'https://tunnel.api.openai.com/v1/mcp/tunnel_0123456789abcdef';
    const r = await run(['add', '--kind', 'openai', '--mcp-url', hosted, '--name', 'internal-jira']);
    expect(r.code, r.stderr).toBe(0);
    expect((await servers())['internal-jira']).toMatchObject({
      url: hosted,
      bearer_token_env_var: 'OPENAI_API_KEY',
    });
  });

  it('preview writes nothing; it masks the token unless --show-token', async () => {
    const masked = await run(['preview', '--info-file', infoFile, '--token-mode', 'header']);
    expect(masked.code).toBe(0);
    expect(masked.stdout).toContain('[mcp_servers.mcp-tunnel-demo]');
    expect(masked.stdout).not.toContain(TOKEN);
    const shown = await run([
      'preview',
      '--info-file',
      infoFile,
      '--token-mode',
      'header',
      '--show-token',
      '--json',
    ]);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      replaces: false,
      toml: expect.stringContaining(`Bearer ${TOKEN}`),
    });
    await expect(readdir(home)).rejects.toThrow();
  });

  it('remove removes the named entry and keeps the rest of the file', async () => {
    await run(['add', '--info-file', infoFile]);
    const user = '# mine\nmodel = "o3"\n';
    await writeFile(join(home, 'config.toml'), user + '\n' + (await config()));
    const r = await run(['remove', '--name', 'mcp-tunnel-demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Removed 'mcp-tunnel-demo'");
    expect(await config()).toBe(user);
    const again = await run(['remove', '--name', 'mcp-tunnel-demo', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ removed: false });
  });

  it('refuses an unparsable config with exit 1 and leaves it untouched', async () => {
    await run(['add', '--info-file', infoFile]);
    await writeFile(join(home, 'config.toml'), '[broken\n');
    const r = await run(['add', '--info-file', infoFile, '--name', 'other']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not valid TOML at line 1/);
    expect(await config()).toBe('[broken\n');
  });

  it.each([
    [['add', '--bogus']],
    [[]],
    [['frobnicate']],
    [['add', '--info-file', 'x', '--mcp-url', MCP_URL]],
    [['add']],
    [['add', '--mcp-url', MCP_URL, '--token-mode', 'both']],
    [['add', '--mcp-url', MCP_URL, '--kind', 'cloud']],
    [['add', '--mcp-url', MCP_URL, '--show-token']],
    [['add', '--mcp-url', MCP_URL, '--name', 'has space']],
    [['add', '--mcp-url', MCP_URL, '--connector-token-env', 'UNSET_VAR']],
    [['add', '--mcp-url', MCP_URL, '--tool-timeout-sec', 'soon']],
    [['add', '--kind', 'openai', '--mcp-url', MCP_URL, '--token-mode', 'header']],
    [['remove']],
    [['verify', 'extra']],
  ])('exits 2 on bad usage: %j', async (args) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mcp-tunnel codex: /);
  });

  it('verify explains how to install Codex when it is missing (exit 1)', async () => {
    const r = await run(['verify', '--name', 'x', '--codex-bin', join(dir, 'nope')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Codex CLI not found: install it with `npm i -g @openai\/codex`/);
  });

  it('verify with the real Codex CLI confirms an added entry (exit 0) and reports a missing one (exit 1)', async () => {
    const codex = await ensureCodexCli();
    const env = { PATH: process.env.PATH, HOME: dir };
    await run(['add', '--info-file', infoFile, '--token-mode', 'header'], env);
    const ok = await run(['verify', '--name', 'mcp-tunnel-demo', '--codex-bin', codex, '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      details: { codex: { transport: { url: MCP_URL } } },
    });
    expect(ok.stdout).not.toContain(TOKEN);
    const missing = await run(['verify', '--name', 'absent', '--codex-bin', codex], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Codex does not list 'absent'/);
  }, 600_000);
});
