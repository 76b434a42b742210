/**
 * `mcp-tunnel run`: run a tunnel in the foreground until Ctrl-C.
 *
 *   run --demo                 embedded relay + demo MCP server + tunnel (offline, no account);
 *                              the default when nothing is configured
 *   run                        one tunnel from the reference client's environment variables
 *   --info-file PATH           once ready, write {mcp_url, connector_token, tunnel_id, ...} as JSON
 *   --log.level L              debug | info | warn | error (default LOG_LEVEL or info)
 *   --log.format F             text | json (default text)
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { buildTunnel } from '../../core/engine/build-tunnel.js';
import type { TunnelConfig } from '../../core/engine/config.js';
import type { Tunnel, TunnelStatus } from '../../core/engine/tunnel.js';
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
  mcp_url?: string;
  connector_token?: string;
  control_plane_url?: string;
  instance_id: string;
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
  let cleanup: () => Promise<void> = async () => undefined;
  let config: TunnelConfig;
  let info: Omit<RunInfo, 'instance_id'>;
  try {
    if (demo) {
      if (values.demo !== true)
        log.info('nothing is configured: starting the local demo (use --demo to say so explicitly)');
      const setup = await startDemoRelay(hub.logger());
      cleanup = () => setup.relay.close();
      config = setup.config;
      info = {
        tunnel_id: setup.relay.tunnelId,
        mcp_url: setup.relay.mcpUrl,
        connector_token: setup.relay.connectorToken,
        control_plane_url: setup.relay.controlPlaneUrl,
      };
    } else {
      config = await tunnelConfigFromEnv({ env: io.env });
      info = { tunnel_id: config.controlPlane.tunnelId };
    }
  } catch (err) {
    await cleanup();
    if (err instanceof ConfigError) {
      io.stderr.write(`mcp-tunnel run: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }

  let built: ReturnType<typeof buildTunnel>;
  try {
    built = buildTunnel({ config, logger: hub.logger() });
  } catch (err) {
    await cleanup();
    io.stderr.write(`mcp-tunnel run: ${(err as Error).message}\n`);
    return EXIT.usage;
  }
  const { tunnel } = built;
  const stopWatching = watchState(tunnel, log);
  const signal = io.signal ?? new AbortController().signal;
  try {
    await tunnel.start();
    await tunnel.whenReady(signal);
    const full: RunInfo = { ...info, instance_id: built.instanceId };
    announce(io, full, demo);
    if (values['info-file'])
      await writeFile(values['info-file'], `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
    await waitForAbort(signal);
    return EXIT.ok;
  } catch (err) {
    if (signal.aborted) return EXIT.ok;
    log.error('the tunnel could not start', { error: err as Error, state: tunnel.status().state });
    return EXIT.failure;
  } finally {
    stopWatching();
    await tunnel.stop();
    await cleanup();
    log.info('stopped');
  }
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
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function watchState(tunnel: Tunnel, log: Logger): () => void {
  let last = '';
  return tunnel.onStatus((status: TunnelStatus) => {
    const s = status.state;
    const key = `${s.kind}:${s.reason}`;
    if (key === last) return;
    last = key;
    const line = `tunnel ${status.id} is ${s.kind}: ${s.reason}`;
    if (s.kind === 'auth_failed' || s.kind === 'error') log.error(line, { next_step: s.nextStep });
    else if (s.kind === 'degraded') log.warn(line, { next_step: s.nextStep });
    else log.info(line);
  });
}

function announce(io: CliIo, info: RunInfo, demo: boolean): void {
  const lines = [`\nMCP Tunnel is ready (tunnel ${info.tunnel_id}).`];
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
