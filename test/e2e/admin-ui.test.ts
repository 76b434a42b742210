/**
 * The admin UI end to end, in real Chromium (Debian's `chromium`, driven by playwright-core),
 * against a real `mcp-tunnel run --demo` whose admin listener serves a fresh Vite build of
 * renderer/. Covers: signed-in overview with the demo tunnel ready, a real MCP SDK client's
 * tools/call in Requests, the runtime log level changing what the tail shows, the support
 * bundle download (checked with `tar -tzf`), the on/off switch, an axe-core check on every page
 * (no serious or critical violations, light and dark), and no CSP violations. The New tunnel
 * wizard saves and starts a second demo-connection profile (its file lands in the profile dir and
 * a real MCP client calls `echo` through it), and Integrations writes the demo tunnel's entry into
 * a temporary CODEX_HOME. Screenshots of every page go to test-results/screenshots/
 * (assets/screenshots/ with UPDATE_SCREENSHOTS=1).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../main/cli/commands/run.js';
import type * as DemoEntry from '../../main/core/demo/demo-entry.js';
import { commandLineForDisplay } from '../../main/core/engine/channels/stdio/argv.js';
import { codexEntryFor } from '../../main/core/integrations/codex/index.js';
import { startCli, waitForJsonFile, type CliChild } from '../support/cli-process.js';

const execFileP = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Screenshots go to test-results/ (git-ignored) so a test run never dirties the tree;
// UPDATE_SCREENSHOTS=1 refreshes the ones the README shows, in assets/screenshots/.
const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(ROOT, 'assets', 'screenshots')
    : join(ROOT, 'test-results', 'screenshots');
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
const WAIT = { timeout: 15_000 };

let dir: string;
let cli: CliChild | undefined;
let context: BrowserContext | undefined;
let page: Page;
let info: RunInfo;
let traffic: { stop: () => Promise<void> } | undefined;
const cspViolations: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the admin UI is tested in a real browser. Install it with \`apt-get install chromium\` (or run .ci/run).`,
    );
  }
  dir = await mkdtemp(join(tmpdir(), 'admin-ui-e2e-'));
  const uiDir = join(dir, 'ui');
  // Build the UI under test fresh, so a stale dist/renderer can never pass for it.
  await execFileP(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--outDir',
      uiDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT },
  );
  const infoFile = join(dir, 'info.json');
  await mkdir(join(dir, 'codex'));
  cli = startCli(['run', '--demo', '--info-file', infoFile], {
    MCP_TUNNEL_UI_DIR: uiDir,
    MCP_TUNNEL_PROFILE_DIR: join(dir, 'profiles'),
    MCP_TUNNEL_LOG_DIR: join(dir, 'logs'),
    CODEX_HOME: join(dir, 'codex'),
  });
  info = await waitForJsonFile<RunInfo>(infoFile, cli);
  await mkdir(SHOTS, { recursive: true });
  context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 860 },
    colorScheme: 'light',
    acceptDownloads: true,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(msg.text());
  });
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

afterAll(async () => {
  await traffic?.stop();
  await context?.close().catch(() => undefined);
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGINT');
    const exited = await Promise.race([cli.exited, new Promise((r) => setTimeout(() => r('timeout'), 8000))]);
    if (exited === 'timeout') {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** axe-core in the page; CDP evaluation is not subject to the page's CSP (addScriptTag would be). */
async function axeViolations(): Promise<
  Array<{ id: string; impact: string; help: string; nodes: string[] }>
> {
  const loaded = await page.evaluate('typeof window.axe');
  if (loaded !== 'object') await page.evaluate(`${await readFile(AXE, 'utf8')}\n;void 0`);
  const run = `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })))`;
  const all = await page.evaluate<Array<{ id: string; impact: string; help: string; nodes: string[] }>>(run);
  return all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function checkPage(name: string): Promise<void> {
  await page.waitForTimeout(300); // let transitions settle before the screenshot
  expect(await axeViolations(), `axe on ${name}`).toEqual([]);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function goTo(label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: label }).click();
  await page.getByRole('heading', { level: 1, name: label }).waitFor(WAIT);
}

async function connectClient(
  name: string,
  target: { url: string; token: string } = { url: info.mcp_url!, token: info.connector_token! },
): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(target.url), {
      requestInit: { headers: { Authorization: `Bearer ${target.token}` } },
    }),
  );
  return client;
}

/** The demo MCP server's command line as the built daemon runs it (dist/, no tsx). */
async function demoServerCommand(): Promise<string> {
  const entry = join(ROOT, 'dist/main/core/demo/demo-entry.js');
  const mod = (await import(pathToFileURL(entry).href)) as typeof DemoEntry;
  return commandLineForDisplay(mod.demoServerArgv());
}

interface TunnelRow {
  id: string;
  state: { kind: string };
  mcpUrl?: string;
}

/**
 * A steady trickle of tool calls from a real MCP client for the rest of the run, so Requests and
 * the Metrics charts show live traffic (and what happens to it when the tunnel is switched off).
 */
function startTraffic(): { stop: () => Promise<void> } {
  const controller = new AbortController();
  const loop = (async () => {
    let client: Client | undefined;
    for (let i = 0; !controller.signal.aborted; i++) {
      try {
        client ??= await connectClient('admin-ui-e2e-traffic');
        const options = { signal: controller.signal, timeout: 4000 };
        if (i % 7 === 6)
          await client.callTool(
            { name: 'slow_count', arguments: { steps: 2, delayMs: 40 } },
            undefined,
            options,
          );
        else if (i % 2) await client.callTool({ name: 'add', arguments: { a: i, b: 1 } }, undefined, options);
        else await client.callTool({ name: 'echo', arguments: { text: `tick ${i}` } }, undefined, options);
      } catch {
        await client?.close().catch(() => undefined);
        client = undefined; // the tunnel was off or restarted: start a new session
      }
      await new Promise((r) => setTimeout(r, 120));
    }
    await client?.close().catch(() => undefined);
  })();
  return {
    stop: async () => {
      controller.abort();
      await loop;
    },
  };
}

async function api<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
  const base = new URL(info.admin_url).origin;
  const res = await fetch(`${base}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${info.admin_token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await res.json()) as { ok: boolean; result: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.result;
}

async function waitForState(kind: string, id = 'demo'): Promise<TunnelRow> {
  const until = Date.now() + 15_000;
  for (;;) {
    const snap = await api<{ tunnels: TunnelRow[] }>('status.get');
    const tunnel = snap.tunnels.find((t) => t.id === id);
    if (tunnel?.state.kind === kind) return tunnel;
    if (Date.now() > until)
      throw new Error(`tunnel ${id} never became ${kind} (${JSON.stringify(tunnel?.state)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function logRowCount(): Promise<number> {
  return page.getByTestId('log-list').locator('.log').count();
}

/** Filters the tail and waits until every shown row matches, so counts are taken after React settles. */
async function filterLogsTo(text: string): Promise<number> {
  await page.getByRole('searchbox', { name: 'Filter' }).fill(text);
  const rows = page.getByTestId('log-list').locator('.log');
  await expect
    .poll(async () => {
      const texts = await rows.allTextContents();
      return texts.length > 0 && texts.every((t) => t.includes(text));
    }, WAIT)
    .toBe(true);
  return rows.count();
}

describe('admin UI in Chromium against mcp-tunnel run --demo', () => {
  it('opens signed in from the printed link, drops the token from the address bar and shows the demo tunnel ready', async () => {
    const res = await page.goto(info.admin_url);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    const card = page.getByTestId('tunnel-demo');
    await card.getByTestId('tunnel-state').getByText('Ready', { exact: true }).waitFor(WAIT);
    expect(page.url()).not.toContain(info.admin_token);
    expect(await page.getByTestId('mcp-url').textContent()).toBe(info.mcp_url);
    expect(await page.getByRole('switch', { name: /Tunnel .* on/ }).getAttribute('aria-checked')).toBe(
      'true',
    );

    await page.getByRole('button', { name: 'Reveal connector token' }).click();
    expect(await page.getByTestId('connector-token').textContent()).toBe(info.connector_token);
    await page.getByRole('button', { name: 'Hide' }).click();
    expect(await page.locator('body').textContent()).not.toContain(info.connector_token);
    await checkPage('overview');
  });

  it('shows tools/call requests made by a real MCP SDK client, live, with a detail view', async () => {
    await goTo('Requests');
    const client = await connectClient('admin-ui-e2e');
    try {
      await client.listTools();
      for (let i = 0; i < 12; i++) {
        await client.callTool({ name: 'echo', arguments: { text: `hello ${i}` } });
        await client.callTool({ name: 'add', arguments: { a: i, b: 2 } });
      }
      await client.callTool({ name: 'slow_count', arguments: { steps: 3, delayMs: 30 } });
      await client.callTool({ name: 'no_such_tool', arguments: {} }).catch(() => undefined);
    } finally {
      await client.close();
    }
    const table = page.getByTestId('requests-table');
    const echo = table.getByRole('button', { name: /tools\/call\s*echo/ }).first();
    await echo.waitFor(WAIT);
    await table
      .getByRole('button', { name: /tools\/call\s*add/ })
      .first()
      .waitFor(WAIT);
    await table
      .getByRole('button', { name: /tools\/call\s*slow_count/ })
      .first()
      .click();
    await page.getByRole('heading', { name: /tools\/call\s*slow_count/ }).waitFor(WAIT);
    await page.getByText('Headers (redacted)').waitFor(WAIT);
    expect(await page.locator('body').textContent()).not.toContain(info.connector_token);
    traffic = startTraffic();
    await checkPage('requests');
  });

  it('switching the runtime log level changes what the tail shows', async () => {
    await goTo('Logs');
    const level = page.getByRole('combobox', { name: 'Daemon log level' });
    const before = await filterLogsTo('tunnel ready');

    // At warn, the tunnel's info-level state lines are not recorded at all.
    await level.selectOption('warn');
    await expect.poll(() => api<{ level: string }>('logs.getLevel').then((r) => r.level)).toBe('warn');
    await api('tunnels.stop', { id: 'demo' });
    await waitForState('stopped');
    await api('tunnels.start', { id: 'demo' });
    await waitForState('ready');
    await level.selectOption('info');
    await filterLogsTo('log level changed');
    await page.getByTestId('log-list').getByText('level=info').waitFor(WAIT);
    expect(await filterLogsTo('tunnel ready')).toBe(before);

    // Back at info, the same actions show up in the tail.
    await api('tunnels.stop', { id: 'demo' });
    await waitForState('stopped');
    await api('tunnels.start', { id: 'demo' });
    await waitForState('ready');
    await expect.poll(logRowCount, { timeout: 10_000 }).toBeGreaterThan(before);

    await page.getByRole('searchbox', { name: 'Filter' }).fill('');
    await checkPage('logs');
  });

  it('exports a support bundle as a browser download containing the expected files', async () => {
    await goTo('Support bundle');
    await page.getByRole('radio', { name: 'Last 24 hours' }).check();
    const [download] = await Promise.all([
      page.waitForEvent('download', WAIT),
      page.getByRole('button', { name: 'Create and download' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^mcp-tunnel-support-\d{8}T\d{6}Z\.tar\.gz$/);
    const saved = join(dir, download.suggestedFilename());
    await download.saveAs(saved);
    const { stdout } = await execFileP('tar', ['-tzf', saved]);
    const names = stdout
      .split('\n')
      .filter(Boolean)
      .map((n) => n.replace(/^[^/]+\//, ''));
    for (const expected of [
      'manifest.json',
      'README.txt',
      'config.redacted.json',
      'logs.ndjson',
      'metrics.prom',
      'status.json',
    ])
      expect(names).toContain(expected);
    await page
      .getByRole('status')
      .getByText(/Saved mcp-tunnel-support-/)
      .waitFor(WAIT);
    expect(await page.getByTestId('bundle-files').textContent()).toContain('logs.ndjson');
    await checkPage('bundle');
  });

  it('turns the tunnel off and on from the overview switch', async () => {
    await goTo('Overview');
    const state = page.getByTestId('tunnel-demo').getByTestId('tunnel-state');
    await page.getByRole('switch', { name: /Tunnel .* on/ }).click();
    await state.getByText('Stopped', { exact: true }).waitFor(WAIT);
    const off = page.getByRole('switch', { name: /Tunnel .* off/ });
    expect(await off.getAttribute('aria-checked')).toBe('false');
    await checkPage('overview-stopped');
    await off.click();
    await state.getByText('Ready', { exact: true }).waitFor(WAIT);
    expect(await page.getByRole('switch', { name: /Tunnel .* on/ }).getAttribute('aria-checked')).toBe(
      'true',
    );
  });

  it('charts the metrics with uPlot', async () => {
    await goTo('Metrics');
    await expect.poll(() => page.locator('.chart__plot canvas').count(), { timeout: 10_000 }).toBe(4);
    await page.getByText('Requests / s').waitFor(WAIT);
    await checkPage('metrics');
  });

  it('runs the doctor, or says plainly that this daemon has none', async () => {
    await goTo('Doctor');
    await page.getByRole('button', { name: 'Run checks' }).click();
    await page
      .getByRole('heading', { name: /Doctor is not available|All checks passed|Some checks need attention/ })
      .waitFor(WAIT);
    await checkPage('doctor');
  });

  it('creates, saves and starts a second demo-connection tunnel with the New tunnel wizard', async () => {
    await goTo('New tunnel');
    await page.getByRole('radio', { name: /Local demo/ }).check();
    await page.getByLabel('Profile name').fill('second');
    await page.getByLabel('Display name (optional)').fill('Second demo');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText(/needs no key/).waitFor(WAIT);
    await page.getByRole('button', { name: 'Next' }).click();
    const command = await demoServerCommand();
    await page.getByLabel('Command', { exact: true }).fill(command);
    await page.getByRole('status', { name: 'Executable check' }).getByText(/^ok/).waitFor(WAIT);
    await page.getByRole('button', { name: /Review/ }).click();
    await page.getByText(/Everything checks out/).waitFor(WAIT);
    await page.getByRole('button', { name: 'Save and start' }).click();
    await page.getByText(/Saved profile\s*second\s*and started its tunnel/).waitFor(WAIT);
    await page.getByRole('heading', { name: /^Doctor · / }).waitFor(WAIT);
    await checkPage('wizard');

    const yaml = await readFile(join(dir, 'profiles', 'second.yaml'), 'utf8');
    expect(yaml).toContain('connection: demo');
    expect(yaml).toContain('demo-mcp-server.js');

    await goTo('Overview');
    await page
      .getByTestId('tunnel-second')
      .getByTestId('tunnel-state')
      .getByText('Ready', { exact: true })
      .waitFor(WAIT);
    await page
      .getByTestId('tunnel-demo')
      .getByTestId('tunnel-state')
      .getByText('Ready', { exact: true })
      .waitFor(WAIT);
    const second = await waitForState('ready', 'second');
    expect(second.mcpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(second.mcpUrl).not.toBe(info.mcp_url);
    const { connectorToken } = await api<{ connectorToken: string }>('tunnels.revealToken', { id: 'second' });
    expect(connectorToken).not.toBe(info.connector_token);
    const client = await connectClient('admin-ui-e2e-second', { url: second.mcpUrl!, token: connectorToken });
    try {
      const result = await client.callTool({
        name: 'echo',
        arguments: { text: 'through the second tunnel' },
      });
      expect(JSON.stringify(result.content)).toContain('through the second tunnel');
    } finally {
      await client.close();
    }
    // The first tunnel's token does not open the second one.
    await expect(
      connectClient('admin-ui-e2e-wrong-token', { url: second.mcpUrl!, token: info.connector_token! }),
    ).rejects.toThrow();
  });

  it('previews the Codex entry with the token masked and adds it to CODEX_HOME/config.toml', async () => {
    await goTo('Integrations');
    const card = page.getByRole('region', { name: /Add to Codex · Demo\b/ });
    await card.getByRole('radio', { name: /Authorization header/ }).check();
    await card.getByRole('button', { name: 'Show entry' }).click();
    const entry = card.getByLabel('Codex entry');
    const tunnel = { kind: 'demo' as const, mcpUrl: info.mcp_url!, connectorToken: info.connector_token! };
    const header = codexEntryFor(tunnel, { name: 'mcp-tunnel-demo', tokenMode: 'header' });
    await expect.poll(() => entry.textContent(), WAIT).toBe(header.maskedToml);
    expect(header.maskedToml).not.toContain(info.connector_token);
    expect(header.maskedToml).toContain(`Bearer ${info.connector_token!.slice(0, 8)}…`);

    await card.getByRole('radio', { name: /environment variable/ }).check();
    await card.getByRole('button', { name: 'Show entry' }).click();
    const env = codexEntryFor(tunnel, { name: 'mcp-tunnel-demo', tokenMode: 'env' });
    await expect.poll(() => entry.textContent(), WAIT).toBe(env.maskedToml);
    const configPath = join(dir, 'codex', 'config.toml');
    await card.getByText(configPath, { exact: true }).waitFor(WAIT);
    await card.getByRole('button', { name: 'Add to Codex' }).click();
    await card.getByText(`Added to ${configPath}. Restart Codex to load it.`).waitFor(WAIT);

    const written = await readFile(configPath, 'utf8');
    expect(written).toContain('[mcp_servers.mcp-tunnel-demo]');
    expect(written).toContain(`url = "${info.mcp_url}"`);
    expect(written).toContain('bearer_token_env_var = "MCP_TUNNEL_TOKEN"');
    expect(written).not.toContain(info.connector_token);
    expect(await page.locator('body').textContent()).not.toContain(info.connector_token);
    await checkPage('integrations');
  });

  it('reads well in the dark theme too, with no CSP violations or page errors along the way', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await goTo('Overview');
    await checkPage('overview-dark');
    await goTo('Metrics');
    await expect.poll(() => page.locator('.chart__plot canvas').count(), { timeout: 10_000 }).toBe(4);
    await checkPage('metrics-dark');
    await goTo('Requests');
    await checkPage('requests-dark');
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
