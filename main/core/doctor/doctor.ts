/**
 * `runDoctor`: every check between "I have a profile" and "callers reach my MCP server", in
 * order, each with id, status, summary, why, evidence and next step:
 *
 *   profile → secrets → keychain → control_plane_metadata → control_plane_poll
 *   → channel:<name>:preflight → channel:<name>:initialize (per channel) → admin_listener
 *
 * A check that needs an earlier one which failed is reported as `skip` with the reason; nothing
 * throws for a bad configuration (a profile that does not load is a failing `profile` check).
 * `ok` is true when no check failed (warnings and skips are fine).
 *
 * Callers: the CLI (`mcp-tunnel doctor`) and the admin service (`doctor.run` with a profile
 * name; see createDoctorRunner). Every check passes through the scrubber before it is returned:
 * no resolved secret value (API key, header values, referenced secrets) can appear in a report.
 */
import type { DoctorReport } from '../../../preload/contract/dto.js';
import { demoServerArgv } from '../demo/demo-entry.js';
import type { ChannelConfig } from '../engine/config.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { pick } from '../profiles/resolve-profile.js';
import { flagOverrides, type ProfileFlagValues } from '../profiles/profile-flags.js';
import type { ProfileStore } from '../profiles/profile-store.js';
import type { IgnoredKey, ProfileFile } from '../profiles/profile-types.js';
import { isSecretName } from '../profiles/literal-secrets.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { adminListenerCheck } from './check-admin-listener.js';
import { channelChecks } from './checks-channels.js';
import { controlPlaneChecks } from './checks-control-plane.js';
import { loadProfileInput, profileCheck, resolveLoaded } from './checks-profile.js';
import { keychainCheck, secretsCheck } from './checks-secrets.js';
import { CHECK_IDS, Scrubber, skipped, type DoctorCheck } from './doctor-check.js';
import { collectSecretRefs, memoizedReader, resolveSecretRefs } from './secret-refs.js';

export interface DoctorOptions {
  /** A stored profile name or a path to a profile file. Absent (and no `profile`): the environment. */
  profileName?: string;
  /** A profile the caller already loaded (ProfileStore.load result fits). Wins over profileName. */
  profile?: { name: string; file?: string; data: ProfileFile; ignored?: IgnoredKey[] };
  /** Where profileName is looked up (the admin service passes its own). */
  store?: ProfileStore;
  /** Used to build a store when `store` is absent (--profile-dir; default per platform). */
  profileDir?: string;
  /** parseArgs values of PROFILE_FLAG_OPTIONS: the same overrides as `run`. */
  flags?: ProfileFlagValues;
  env: NodeJS.ProcessEnv;
  /** For keychain: references, and probed by the keychain check. */
  keychain?: SecretStore;
  /** The embedded relay for `connection: demo` profiles, when one is running. */
  demo?: { baseUrl: string; tunnelId: string; apiKey: string };
  logger?: Logger;
  /** Bound on each network step and each MCP initialize (default 10 s). */
  timeoutMs?: number;
  /** timeout_ms of the control-plane poll (default 1000). */
  pollTimeoutMs?: number;
  /** Make the control-plane poll (default true); see checks-control-plane.ts. */
  poll?: boolean;
  /** Remote admin access is explicitly allowed (no warning for a non-loopback listener). */
  allowRemoteAdmin?: boolean;
  signal?: AbortSignal;
  readText?: (path: string) => Promise<string>;
  home?: string;
}

export const DEFAULT_DOCTOR_TIMEOUT_MS = 10_000;

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const logger = (options.logger ?? silentLogger).child('doctor');
  const timeoutMs = options.timeoutMs ?? DEFAULT_DOCTOR_TIMEOUT_MS;
  const scrub = new Scrubber();
  for (const name of ['CONTROL_PLANE_API_KEY', 'OPENAI_API_KEY']) scrub.add(options.env[name]);
  const checks: DoctorCheck[] = [];
  const listenSetting = listenAddress(options, undefined);

  const load = await loadProfileInput(options);
  if (!load.ok) {
    checks.push(load.check);
    const reason = 'Skipped: the profile did not load (see profile).';
    for (const id of [CHECK_IDS.secrets, CHECK_IDS.keychain, CHECK_IDS.metadata, CHECK_IDS.poll])
      checks.push(skipped(id, reason));
    checks.push(
      await adminListenerCheck({ ...listenSetting, allowRemote: options.allowRemoteAdmin ?? false }),
    );
    return report(load.name, checks, scrub);
  }
  const { loaded } = load;
  const keychain = options.keychain ? memoizedReader(options.keychain) : undefined;
  const refs = await resolveSecretRefs(collectSecretRefs(loaded.data, options.env, options.flags), {
    env: options.env,
    ...(keychain ? { keychain } : {}),
    ...(options.readText ? { readText: options.readText } : {}),
    onValue: (value) => scrub.add(value),
  });
  const outcome = await resolveLoaded({
    loaded,
    env: options.env,
    ...(options.flags ? { flags: options.flags } : {}),
    ...(keychain ? { keychain } : {}),
    ...(options.readText ? { readText: options.readText } : {}),
    ...(options.demo ? { demo: options.demo } : {}),
    ...(options.home ? { home: options.home } : {}),
  });
  checks.push(profileCheck(loaded, outcome, options.env, options.flags, options.home));
  checks.push(secretsCheck(refs, outcome));
  checks.push(await keychainCheck(refs, options.keychain));

  if (!outcome.ok) {
    const reason = outcome.secret
      ? 'Skipped: a secret reference does not resolve (see secrets).'
      : 'Skipped: the configuration is not valid (see profile).';
    checks.push(skipped(CHECK_IDS.metadata, reason), skipped(CHECK_IDS.poll, reason));
    const channels = loaded.data.mcp;
    const names = new Set(
      [...(channels?.commands ?? []), ...(channels?.server_urls ?? [])].map((c) => c.channel ?? 'main'),
    );
    for (const name of names) {
      checks.push(
        skipped(`channel:${name}:preflight`, reason),
        skipped(`channel:${name}:initialize`, reason),
      );
    }
  } else {
    const resolved = outcome.resolved;
    const tunnel = resolved.tunnel;
    scrub.add(tunnel.controlPlane.apiKey);
    for (const channel of tunnel.channels) {
      if (channel.kind === 'http') {
        for (const [name, value] of Object.entries(channel.extraHeaders ?? {}))
          if (isSecretName(name) || /^(x-)?api/i.test(name)) scrub.add(value);
      } else {
        for (const [name, value] of Object.entries(channel.env ?? {}))
          if (isSecretName(name)) scrub.add(value);
      }
    }
    // A demo profile without channels runs the bundled demo server: check that one.
    const channels: ChannelConfig[] =
      tunnel.channels.length === 0 && resolved.meta.connection === 'demo'
        ? [{ name: 'main', kind: 'stdio', argv: demoServerArgv() }]
        : tunnel.channels;
    const [cpChecks, perChannel] = await Promise.all([
      controlPlaneChecks({
        // The client declares the channels that will really run (the demo server included).
        config: { ...tunnel, channels },
        timeoutMs,
        ...(options.pollTimeoutMs !== undefined ? { pollTimeoutMs: options.pollTimeoutMs } : {}),
        ...(options.poll !== undefined ? { poll: options.poll } : {}),
        logger,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
      Promise.all(
        channels.map((channel) =>
          channelChecks(channel, {
            parentEnv: options.env,
            timeoutMs,
            logger,
            ...(options.signal ? { signal: options.signal } : {}),
          }),
        ),
      ),
    ]);
    checks.push(...cpChecks, ...perChannel.flat());
  }
  const listen = listenAddress(
    options,
    outcome.ok ? outcome.resolved.health.listenAddr : undefined,
    loaded.data,
  );
  checks.push(await adminListenerCheck({ ...listen, allowRemote: options.allowRemoteAdmin ?? false }));
  return report(loaded.name, checks, scrub);
}

function report(profile: string, checks: DoctorCheck[], scrub: Scrubber): DoctorReport {
  const clean = checks.map((c) => scrub.check(c));
  return { profile, ok: clean.every((c) => c.status !== 'fail'), checks: clean };
}

/** The admin address and where it came from (flags > environment > profile > default). */
function listenAddress(
  options: DoctorOptions,
  resolved: string | undefined,
  data?: ProfileFile,
): { listen?: string; source: string } {
  const p = pick(
    [flagOverrides(options.flags).healthListenAddr, '--health.listen-addr'],
    [options.env.HEALTH_LISTEN_ADDR, 'HEALTH_LISTEN_ADDR'],
    [data?.health?.listen_addr, 'health.listen_addr'],
  );
  if (!p) return { source: 'default' };
  return { listen: resolved ?? p.value, source: p.source };
}

/** What the admin service's `doctor.run` calls: a profile name, or none for the environment. */
export function createDoctorRunner(
  deps: Omit<DoctorOptions, 'profileName' | 'profile'>,
): (profile?: string) => Promise<DoctorReport> {
  return (profile) => runDoctor({ ...deps, ...(profile ? { profileName: profile } : {}) });
}
