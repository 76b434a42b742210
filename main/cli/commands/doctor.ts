/**
 * `mcp-tunnel doctor`: checks a tunnel configuration end to end without running the tunnel
 * (see main/core/doctor/doctor.ts for the checks).
 *
 *   mcp-tunnel doctor [--profile NAME|PATH] [--profile-dir DIR] [run's profile flags…]
 *                     [--json] [--explain] [--no-poll] [--timeout DURATION] [--admin.allow-remote]
 *
 * Without --profile the environment is checked (the reference client's variables) when it
 * configures a tunnel (CONTROL_PLANE_TUNNEL_ID or --control-plane.tunnel-id); otherwise exit 2.
 *
 * Output: one line per check with a marker (✓ pass, ! warn, ✗ fail, - skip) and its summary;
 * --explain adds why, evidence and next step. --json prints the DoctorReport instead, a stable
 * shape (preload/contract/dto.ts):
 *   { "profile": string, "ok": boolean,
 *     "checks": [ { "id": string, "status": "pass"|"warn"|"fail"|"skip", "summary": string,
 *                   "why"?: string, "evidence"?: string, "nextStep"?: string } ] }
 * Check ids: profile, secrets, keychain, control_plane_metadata, control_plane_poll,
 * channel:<name>:preflight, channel:<name>:initialize, admin_listener.
 *
 * Exit codes: 0 every check passed, warned or was skipped; 1 a check failed; 2 bad command line
 * or nothing to check; 130 interrupted.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runDoctor } from '../../core/doctor/doctor.js';
import { formatDoctorReport } from '../../core/doctor/format-report.js';
import { isLogLevel, LogHub } from '../../core/observability/logger.js';
import { environmentConfiguresTunnel } from '../../core/profiles/env-config.js';
import { flagOverrides, PROFILE_FLAG_OPTIONS } from '../../core/profiles/profile-flags.js';
import { parseDuration } from '../../core/runtime/duration.js';
import { createKeychainStore } from '../../core/secrets/keychain-store.js';
import type { SecretStore } from '../../core/secrets/secret-store.js';
import { EXIT, type CliIo } from '../cli-io.js';
import { streamSink } from '../log-output.js';

const DOCTOR_OPTIONS = {
  ...PROFILE_FLAG_OPTIONS,
  profile: { type: 'string' },
  'profile-dir': { type: 'string' },
  json: { type: 'boolean' },
  explain: { type: 'boolean' },
  'no-poll': { type: 'boolean' },
  timeout: { type: 'string' },
  'admin.allow-remote': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const USAGE = `Usage: mcp-tunnel doctor [--profile NAME|PATH] [--profile-dir DIR] [--json] [--explain]
                         [--no-poll] [--timeout DURATION] [--admin.allow-remote] [run's flags…]

Checks a tunnel without running it: the profile, every secret reference, the keychain, the
control plane (tunnel metadata and one short poll with the real key), each MCP server
(preflight and a real initialize) and the admin listener.

  --profile NAME|PATH   a stored profile or a YAML file; without it, the environment
                        (CONTROL_PLANE_TUNNEL_ID, CONTROL_PLANE_API_KEY, MCP_COMMAND, …)
  --explain             add why, evidence and the next step to every check
  --json                print the report as JSON (stable shape, see the README)
  --no-poll             skip the control-plane poll (a poll may take a pending command,
                        which the doctor answers with a retryable 503)
  --timeout DURATION    bound on each network step and MCP initialize (default 10s)

Exit codes: 0 no check failed, 1 a check failed, 2 bad command line or nothing to check.
`;

export interface DoctorCommandDeps {
  /** Default: the OS keychain (keytar), loaded only when a keychain: reference is used. */
  keychain?: SecretStore;
}

export async function doctorCommand(
  argv: string[],
  io: CliIo,
  deps: DoctorCommandDeps = {},
): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (err) {
    io.stderr.write(`mcp-tunnel doctor: ${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const usage = (message: string): number => {
    io.stderr.write(`mcp-tunnel doctor: ${message}\n`);
    return EXIT.usage;
  };
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    try {
      timeoutMs = parseDuration(values.timeout, '--timeout');
    } catch (err) {
      return usage((err as Error).message);
    }
    if (timeoutMs <= 0) return usage('--timeout must be longer than zero (e.g. 30s).');
  }
  const level = values['log.level'] ?? 'error';
  if (!isLogLevel(level)) return usage(`--log.level '${level}' is not one of debug, info, warn, error.`);
  let flagsValid: boolean;
  try {
    flagsValid = Boolean(flagOverrides(values).tunnelId);
  } catch (err) {
    return usage((err as Error).message);
  }
  const profileName = values.profile?.trim();
  if (!profileName && !environmentConfiguresTunnel(io.env) && !flagsValid) {
    return usage(
      'nothing to check: pass --profile NAME (see `mcp-tunnel profiles list`) or a profile path, or set CONTROL_PLANE_TUNNEL_ID (with CONTROL_PLANE_API_KEY and MCP_COMMAND or MCP_SERVER_URL).',
    );
  }
  const hub = new LogHub({ level });
  hub.addSink(streamSink(io.stderr, values['log.format'] === 'json' ? 'json' : 'text'));
  const report = await runDoctor({
    ...(profileName ? { profileName } : {}),
    ...(values['profile-dir'] ? { profileDir: values['profile-dir'] } : {}),
    flags: values,
    env: io.env,
    keychain: deps.keychain ?? createKeychainStore({ logger: hub.logger() }),
    logger: hub.logger(),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    poll: values['no-poll'] !== true,
    allowRemoteAdmin: values['admin.allow-remote'] === true,
    ...(io.signal ? { signal: io.signal } : {}),
  }).catch((err: unknown) => {
    if (io.signal?.aborted) return undefined;
    throw err;
  });
  if (!report) {
    io.stderr.write('mcp-tunnel doctor: interrupted.\n');
    return EXIT.interrupted;
  }
  io.stdout.write(
    values.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : formatDoctorReport(report, { explain: values.explain === true }),
  );
  return report.ok ? EXIT.ok : EXIT.failure;
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: DOCTOR_OPTIONS, allowPositionals: false, strict: true });
}
