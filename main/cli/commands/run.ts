/**
 * `mcp-tunnel run`: run tunnels in the foreground until Ctrl-C.
 *
 *   run --demo                 embedded relay + demo MCP server + tunnel (offline, no account);
 *                              the default when nothing is configured
 *   run --profile NAME ...     the named profiles (repeatable; a path to a .yaml works too)
 *   run [reference flags]      one tunnel from the reference client's environment variables
 *                              and flags (--control-plane.tunnel-id, --mcp.command, ...)
 *   run                        with nothing configured: profiles marked autostart, else the demo
 *
 *   --info-file PATH           once every tunnel is ready, write admin_url, admin_token,
 *                              tunnel_id (and for our own front door mcp_url, connector_token)
 *   --health.listen-addr A     admin listener (healthz, readyz, metrics, api, ui); default
 *                              HEALTH_LISTEN_ADDR, the profile's, or 127.0.0.1 on a free port
 *   --log.level L, --log.format text|json
 *   --profile-dir DIR          where profiles live (default MCP_TUNNEL_PROFILE_DIR or the
 *                              platform config directory)
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { TunnelSummary } from '../../../preload/contract/dto.js';
import { AdminListenError } from '../../core/admin/admin-http-server.js';
import type { DoctorReport } from '../../../preload/contract/dto.js';
import { createDoctorRunner, runDoctor, type DoctorOptions } from '../../core/doctor/doctor.js';
import type { TunnelManager } from '../../core/admin/tunnel-manager.js';
import { createFileLogSink } from '../../core/observability/file-log.js';
import { defaultLogDir } from '../../core/observability/file-log-paths.js';
import { isLogLevel, LogHub } from '../../core/observability/logger.js';
import { ConfigError } from '../../core/profiles/env-config.js';
import { PROFILE_FLAG_OPTIONS } from '../../core/profiles/profile-flags.js';
import { resolveProfileDir } from '../../core/profiles/profile-paths.js';
import { ProfileStore } from '../../core/profiles/profile-store.js';
import { createKeychainStore } from '../../core/secrets/keychain-store.js';
import { SecretError } from '../../core/secrets/secret-ref.js';
import { EXIT, type CliIo } from '../cli-io.js';
import { startDaemon } from '../daemon.js';
import { streamSink } from '../log-output.js';
import { tunnelSources, type TunnelSources } from '../tunnel-sources.js';

const USAGE = `Usage: mcp-tunnel run [--demo | --profile NAME ...] [--info-file PATH]
                      [--health.listen-addr HOST:PORT] [--log.level LEVEL] [--log.format text|json]
                      [reference flags: --control-plane.tunnel-id ID --mcp.command CMD ...]

Without --demo or --profile, the tunnel comes from CONTROL_PLANE_TUNNEL_ID, CONTROL_PLANE_API_KEY
and MCP_COMMAND or MCP_SERVER_URL (see the README); with nothing configured, profiles marked
autostart run, else the local demo.
`;

export interface RunInfo {
  /** The admin UI, already signed in (`…/ui/#token=…`). */
  admin_url: string;
  /** Bearer token for the admin API (`/api/*`). */
  admin_token: string;
  /** The first tunnel's id. */
  tunnel_id: string;
  /** Set when the front door is ours (the demo). */
  mcp_url?: string;
  connector_token?: string;
  control_plane_url?: string;
  tunnels: Array<{ id: string; tunnel_id: string; mcp_url?: string }>;
}

const OPTIONS = {
  ...PROFILE_FLAG_OPTIONS,
  demo: { type: 'boolean' },
  profile: { type: 'string', multiple: true },
  'profile-dir': { type: 'string' },
  'info-file': { type: 'string' },
  'admin.allow-remote': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

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
  if (values.demo && values.profile?.length) {
    io.stderr.write('mcp-tunnel run: use either --demo or --profile, not both.\n');
    return EXIT.usage;
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
  const fileLog = createFileLogSink({ dir: defaultLogDir(io.env) });
  hub.addSink(fileLog.sink);
  const log = hub.logger('run');
  const signal = io.signal ?? new AbortController().signal;
  const cleanups: Array<() => Promise<void>> = [];

  try {
    const keychain = createKeychainStore({ logger: hub.logger('keychain') });
    const store = new ProfileStore({
      dir: resolveProfileDir(values['profile-dir'], { env: io.env }),
      logger: hub.logger('profiles'),
    });
    const sources = await tunnelSources({
      demo: values.demo === true,
      profiles: values.profile ?? [],
      flags: values,
      env: io.env,
      store,
      keychain,
      logger: hub.logger(),
    });
    const demoCp = sources.demo
      ? {
          baseUrl: sources.demo.relay.controlPlaneUrl,
          tunnelId: sources.demo.relay.tunnelId,
          apiKey: sources.demo.relay.runtimeKey,
        }
      : undefined;
    cleanups.push(() => sources.close());
    const daemon = await startDaemon({
      hub,
      specs: sources.specs,
      listen:
        values['health.listen-addr'] ??
        values['health-listen-addr'] ??
        io.env.HEALTH_LISTEN_ADDR ??
        sources.first?.health.listenAddr ??
        '127.0.0.1:0',
      allowRemote: values['admin.allow-remote'] === true,
      doctor: daemonDoctor(sources, {
        store,
        env: io.env,
        keychain,
        logger: hub.logger('doctor'),
        ...(demoCp ? { demo: demoCp } : {}),
      }),
      profiles: { store, secrets: keychain, env: io.env, profileSpec: (name) => sources.profileSpec(name) },
      ...uiDirOption(io.env),
    });
    cleanups.unshift(() => daemon.close());

    await daemon.manager.startEnabled();
    await Promise.all(daemon.manager.ids().map((id) => whenReady(daemon.manager, id, signal)));
    const summaries = daemon.manager.summaries();
    const info: RunInfo = {
      admin_url: daemon.admin.uiUrl,
      admin_token: daemon.admin.token,
      tunnel_id: summaries[0]?.tunnelId ?? '',
      ...(sources.mode === 'demo' && sources.demo
        ? {
            mcp_url: sources.demo.relay.mcpUrl,
            connector_token: sources.demo.relay.connectorToken,
            control_plane_url: sources.demo.relay.controlPlaneUrl,
          }
        : {}),
      tunnels: summaries.map((s) => ({
        id: s.id,
        tunnel_id: s.tunnelId,
        ...(s.mcpUrl ? { mcp_url: s.mcpUrl } : {}),
      })),
    };
    announce(io, info, summaries);
    if (values['info-file'])
      await writeFile(values['info-file'], `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    await waitForAbort(signal);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof SecretError || err instanceof AdminListenError) {
      io.stderr.write(`mcp-tunnel run: ${err.message}\n`);
      return EXIT.usage;
    }
    if (signal.aborted) return EXIT.ok;
    log.error('could not start', { error: err as Error });
    return EXIT.failure;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    log.info('stopped');
    await fileLog.close();
  }
}

/**
 * Doctor as the running daemon offers it: it never polls (that would take commands from the
 * live tunnel), and with no profile named it checks what this daemon runs: the demo, the
 * environment, or the first profile.
 */
function daemonDoctor(
  sources: TunnelSources,
  deps: Omit<DoctorOptions, 'profileName' | 'profile' | 'poll'>,
): (profile?: string) => Promise<DoctorReport> {
  const run = createDoctorRunner({ ...deps, poll: false });
  return (profile) => {
    if (sources.mode === 'demo' && (profile === undefined || profile === 'demo')) {
      return runDoctor({
        ...deps,
        poll: false,
        profile: { name: 'demo', data: { config_version: 1, mcp_tunnel: { connection: 'demo' } } },
      });
    }
    if (profile === undefined && sources.mode !== 'environment') return run(sources.specs[0]?.id);
    return run(profile);
  };
}

/** The built admin UI: MCP_TUNNEL_UI_DIR, else dist/renderer next to this build when present. */
function uiDirOption(env: NodeJS.ProcessEnv): { uiDir?: string } {
  const uiDir = env.MCP_TUNNEL_UI_DIR ?? fileURLToPath(new URL('../../../renderer/', import.meta.url));
  return existsSync(join(uiDir, 'index.html')) ? { uiDir } : {};
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, strict: true, allowPositionals: false, options: OPTIONS });
}

async function whenReady(manager: TunnelManager, id: string, signal: AbortSignal): Promise<void> {
  const tunnel = manager.get(id).tunnel;
  if (!tunnel)
    throw new ConfigError(
      'tunnel_not_started',
      `tunnel ${id} did not start: ${manager.get(id).summary().state.reason}`,
    );
  await tunnel.whenReady(signal);
}

function announce(io: CliIo, info: RunInfo, summaries: TunnelSummary[]): void {
  const lines = [`\nMCP Tunnel is ready.`, `  Admin UI:         ${info.admin_url}`];
  for (const s of summaries)
    lines.push(`  Tunnel ${s.id}: ${s.tunnelId}${s.mcpUrl ? `  →  ${s.mcpUrl}` : ''}`);
  if (info.mcp_url && info.connector_token) {
    lines.push(
      `  MCP URL:          ${info.mcp_url}`,
      `  Connector token:  ${info.connector_token}`,
      '',
      'Add it to Codex:',
      `  export MCP_TUNNEL_TOKEN=${info.connector_token}`,
      `  codex mcp add mcp-tunnel-demo --url ${info.mcp_url} --bearer-token-env-var MCP_TUNNEL_TOKEN`,
    );
  }
  lines.push('', 'Press Ctrl-C to stop.\n');
  io.stdout.write(`${lines.join('\n')}\n`);
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
