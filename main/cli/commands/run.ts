/**
 * `mcp-tunnel run`: run a tunnel in the foreground until Ctrl-C.
 *
 *   run --demo                 embedded relay + demo MCP server + tunnel (offline, no account);
 *                              the default when nothing is configured
 *   run                        one tunnel from the reference client's environment variables
 *   --info-file PATH           once ready, write {mcp_url, connector_token, tunnel_id, ...} as JSON
 *   --log.level L              debug | info | warn | error (default LOG_LEVEL or info)
 *   --log.format F             text | json (default text)
 *   --health.listen-addr A     admin listener (healthz, readyz, metrics, api, ui); default
 *                              HEALTH_LISTEN_ADDR or 127.0.0.1 on a free port
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { TunnelSummary } from '../../../preload/contract/dto.js';
import { AdminListenError, startAdminHttpServer } from '../../core/admin/admin-http-server.js';
import { AdminService } from '../../core/admin/admin-service.js';
import { RequestLog } from '../../core/admin/request-log.js';
import { TunnelManager } from '../../core/admin/tunnel-manager.js';
import { PRODUCT_VERSION } from '../../core/runtime/product.js';
import { isLogLevel, LogHub, type Logger } from '../../core/observability/logger.js';
import {
  ConfigError,
  environmentConfiguresTunnel,
  tunnelConfigFromEnv,
} from '../../core/profiles/env-config.js';
import { startDemoRelay } from '../../core/demo/demo-tunnel.js';
import { EXIT, type CliIo } from '../cli-io.js';
import { streamSink } from '../log-output.js';

const USAGE = `Usage: mcp-tunnel run [--demo] [--info-file PATH] [--log.level LEVEL] [--log.format text|json]

Without --demo, the tunnel is configured by CONTROL_PLANE_TUNNEL_ID, CONTROL_PLANE_API_KEY and
MCP_COMMAND or MCP_SERVER_URL (see the README). With nothing configured, --demo is assumed.
`;

export interface RunInfo {
  tunnel_id: string;
  /** The admin UI, already signed in (`…/ui/#token=…`). */
  admin_url: string;
  /** Bearer token for the admin API (`/api/*`). */
  admin_token: string;
  mcp_url?: string;
  connector_token?: string;
  control_plane_url?: string;
}

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (err) {
    io.stderr.write(`mcp-tunnel run: ${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const level = values['log.level'] ?? io.env.LOG_LEVEL ?? 'info';
  if (!isLogLevel(level)) {
    io.stderr.write(`mcp-tunnel run: log level '${level}' is not one of debug, info, warn, error.\n`);
    return EXIT.usage;
  }
  const format = values['log.format'] ?? 'text';
  if (format !== 'text' && format !== 'json') {
    io.stderr.write(`mcp-tunnel run: --log.format must be text or json.\n`);
    return EXIT.usage;
  }
  const hub = new LogHub({ level });
  hub.addSink(streamSink(io.stderr, format));
  const log = hub.logger('run');

  const demo = values.demo === true || !environmentConfiguresTunnel(io.env);
  const signal = io.signal ?? new AbortController().signal;
  const cleanups: Array<() => Promise<void>> = [];
  const manager = new TunnelManager({ logger: hub.logger() });
  let info: Omit<RunInfo, 'admin_url' | 'admin_token'>;
  try {
    if (demo) {
      if (values.demo !== true)
        log.info('nothing is configured: starting the local demo (use --demo to say so explicitly)');
      const setup = await startDemoRelay(hub.logger());
      cleanups.push(() => setup.relay.close());
      manager.add({
        id: 'demo',
        displayName: 'Demo',
        connection: 'demo',
        enabled: true,
        load: async () => setup.config,
        mcpUrl: setup.relay.mcpUrl,
        connectorToken: setup.relay.connectorToken,
      });
      info = {
        tunnel_id: setup.relay.tunnelId,
        mcp_url: setup.relay.mcpUrl,
        connector_token: setup.relay.connectorToken,
        control_plane_url: setup.relay.controlPlaneUrl,
      };
    } else {
      // Validate once up front so a bad environment is a usage error, not a tunnel in `error`.
      const config = await tunnelConfigFromEnv({ env: io.env });
      manager.add({
        id: 'env',
        displayName: 'Environment',
        connection: 'openai',
        enabled: true,
        load: () => tunnelConfigFromEnv({ env: io.env }),
      });
      info = { tunnel_id: config.controlPlane.tunnelId };
    }
    const requests = new RequestLog();
    const service = new AdminService({ manager, logs: hub, requests, version: PRODUCT_VERSION });
    const admin = await startAdminHttpServer({
      service,
      readiness: () => manager.readiness(),
      logger: hub.logger(),
      listen: values['health.listen-addr'] ?? io.env.HEALTH_LISTEN_ADDR ?? '127.0.0.1:0',
    });
    cleanups.unshift(() => admin.close());
    const stopWatching = watchStates(manager, log);
    cleanups.unshift(async () => stopWatching());
    cleanups.unshift(() => manager.stopAll());

    await manager.startEnabled();
    await Promise.all(manager.ids().map((id) => whenReady(manager, id, signal)));
    const full: RunInfo = { ...info, admin_url: admin.uiUrl, admin_token: admin.token };
    announce(io, full, demo);
    if (values['info-file'])
      await writeFile(values['info-file'], `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
    await waitForAbort(signal);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof AdminListenError) {
      io.stderr.write(`mcp-tunnel run: ${err.message}\n`);
      return EXIT.usage;
    }
    if (signal.aborted) return EXIT.ok;
    log.error('the tunnel could not start', { error: err as Error });
    return EXIT.failure;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    log.info('stopped');
  }
}

async function whenReady(manager: TunnelManager, id: string, signal: AbortSignal): Promise<void> {
  const tunnel = manager.get(id).tunnel;
  if (!tunnel) {
    const s = manager.get(id).summary().state;
    throw new Error(`tunnel ${id} did not start: ${s.reason}`);
  }
  await tunnel.whenReady(signal);
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      demo: { type: 'boolean' },
      'info-file': { type: 'string' },
      'log.level': { type: 'string' },
      'log.format': { type: 'string' },
      'health.listen-addr': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function watchStates(manager: TunnelManager, log: Logger): () => void {
  const last = new Map<string, string>();
  return manager.onChange((summary: TunnelSummary) => {
    const s = summary.state;
    const key = `${s.kind}:${s.reason}`;
    if (last.get(summary.id) === key) return;
    last.set(summary.id, key);
    const line = `tunnel ${summary.id} is ${s.kind}: ${s.reason}`;
    if (s.kind === 'auth_failed' || s.kind === 'error') log.error(line, { next_step: s.nextStep });
    else if (s.kind === 'degraded') log.warn(line, { next_step: s.nextStep });
    else log.info(line);
  });
}

function announce(io: CliIo, info: RunInfo, demo: boolean): void {
  const lines = [
    `\nMCP Tunnel is ready (tunnel ${info.tunnel_id}).`,
    `  Admin UI:         ${info.admin_url}`,
  ];
  if (info.mcp_url && info.connector_token) {
    lines.push(
      `  MCP URL:          ${info.mcp_url}`,
      `  Connector token:  ${info.connector_token}`,
      '',
      'Add it to Codex:',
      `  export MCP_TUNNEL_TOKEN=${info.connector_token}`,
      `  codex mcp add ${demo ? 'mcp-tunnel-demo' : 'mcp-tunnel'} --url ${info.mcp_url} --bearer-token-env-var MCP_TUNNEL_TOKEN`,
    );
  }
  lines.push('', 'Press Ctrl-C to stop.\n');
  io.stdout.write(`${lines.join('\n')}\n`);
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
