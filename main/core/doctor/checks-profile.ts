/**
 * The configuration half of the doctor: load the profile (or take the environment), resolve it
 * with the usual precedence (flags > environment > profile > defaults), and report the
 * `profile` check: the file loads and validates; ignored reference-client keys → warn with the
 * list. A broken secret fails `secrets` (checks-secrets.ts), not `profile`: the file is fine.
 */
import type { ResolvedProfile } from '../profiles/resolve-profile.js';
import { pick, resolveProfile } from '../profiles/resolve-profile.js';
import { ConfigError, environmentConfiguresTunnel } from '../profiles/env-config.js';
import { flagOverrides, type ProfileFlagValues } from '../profiles/profile-flags.js';
import { displayPath, resolveProfileDir } from '../profiles/profile-paths.js';
import { ProfileStore } from '../profiles/profile-store.js';
import type { IgnoredKey, ProfileFile } from '../profiles/profile-types.js';
import { SecretError, type SecretReader } from '../secrets/secret-ref.js';
import { check, CHECK_IDS, displayUrl, type DoctorCheck } from './doctor-check.js';

export interface ProfileInput {
  /** A stored profile name or a path to a YAML file. */
  profileName?: string;
  /** A profile already loaded by the caller (wins over profileName). */
  profile?: { name: string; file?: string; data: ProfileFile; ignored?: IgnoredKey[] };
  store?: ProfileStore;
  profileDir?: string;
  env: NodeJS.ProcessEnv;
  flags?: ProfileFlagValues;
  home?: string;
}

export interface LoadedInput {
  name: string;
  file?: string;
  data: ProfileFile;
  ignored: IgnoredKey[];
  fromEnvironment: boolean;
}

export type LoadOutcome = { ok: true; loaded: LoadedInput } | { ok: false; name: string; check: DoctorCheck };

export async function loadProfileInput(input: ProfileInput): Promise<LoadOutcome> {
  if (input.profile) {
    const p = input.profile;
    return {
      ok: true,
      loaded: {
        name: p.name,
        ...(p.file ? { file: p.file } : {}),
        data: p.data,
        ignored: p.ignored ?? [],
        fromEnvironment: false,
      },
    };
  }
  if (input.profileName) {
    const store =
      input.store ?? new ProfileStore({ dir: resolveProfileDir(input.profileDir, { env: input.env }) });
    try {
      const p = await store.load(input.profileName);
      return {
        ok: true,
        loaded: { name: p.name, file: p.file, data: p.data, ignored: p.ignored, fromEnvironment: false },
      };
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return {
        ok: false,
        name: input.profileName,
        check: check(CHECK_IDS.profile, 'fail', `Profile '${input.profileName}' could not be loaded.`, {
          why: err.message,
          evidence: `error code: ${err.code}`,
          nextStep: loadNextStep(err.code),
        }),
      };
    }
  }
  if (!environmentConfiguresTunnel(input.env) && !flagOverrides(input.flags).tunnelId) {
    return {
      ok: false,
      name: 'env',
      check: check(
        CHECK_IDS.profile,
        'fail',
        'Nothing to check: no profile given and no tunnel configured.',
        {
          why: 'Without --profile the doctor checks the tunnel the environment configures (the reference client variables), and CONTROL_PLANE_TUNNEL_ID is not set.',
          nextStep:
            'Pass --profile NAME (see `mcp-tunnel profiles list`) or a profile path, or export CONTROL_PLANE_TUNNEL_ID, CONTROL_PLANE_API_KEY and MCP_COMMAND / MCP_SERVER_URL.',
        },
      ),
    };
  }
  return { ok: true, loaded: { name: 'env', data: {}, ignored: [], fromEnvironment: true } };
}

function loadNextStep(code: string): string {
  switch (code) {
    case 'profile_not_found':
      return 'Run `mcp-tunnel profiles list` to see the stored profiles (or pass --profile-dir), or `mcp-tunnel init` to create one.';
    case 'profile_unreadable':
      return 'Make the file readable by this user (profiles are mode 0600, owned by you).';
    case 'profile_literal_secret':
      return 'Replace the literal secret with a reference (env:NAME, file:/path or keychain:NAME), as the message says.';
    default:
      return 'Fix the file as the message says (`mcp-tunnel profiles edit NAME`), then run the doctor again.';
  }
}

export interface ResolveInput {
  loaded: LoadedInput;
  env: NodeJS.ProcessEnv;
  flags?: ProfileFlagValues;
  keychain?: SecretReader;
  readText?: (path: string) => Promise<string>;
  demo?: { baseUrl: string; tunnelId: string; apiKey: string };
  home?: string;
}

export type ResolveOutcome =
  { ok: true; resolved: ResolvedProfile } | { ok: false; secret: boolean; error: ConfigError | SecretError };

export async function resolveLoaded(input: ResolveInput): Promise<ResolveOutcome> {
  const { loaded } = input;
  try {
    const resolved = await resolveProfile({
      ...(loaded.fromEnvironment
        ? {}
        : {
            profile: { name: loaded.name, ...(loaded.file ? { file: loaded.file } : {}), data: loaded.data },
          }),
      env: input.env,
      ...(input.flags ? { flags: input.flags } : {}),
      ...(input.keychain ? { keychain: input.keychain } : {}),
      ...(input.readText ? { readText: input.readText } : {}),
      ...(input.demo ? { demo: input.demo } : {}),
      ...(input.home ? { home: input.home } : {}),
    });
    return { ok: true, resolved };
  } catch (err) {
    if (err instanceof SecretError) return { ok: false, secret: true, error: err };
    if (err instanceof ConfigError)
      return { ok: false, secret: err.code === 'profile_secret_unresolved', error: err };
    throw err;
  }
}

/** The `profile` check once loading worked. */
export function profileCheck(
  loaded: LoadedInput,
  outcome: ResolveOutcome,
  env: NodeJS.ProcessEnv,
  flags: ProfileFlagValues | undefined,
  home?: string,
): DoctorCheck {
  const origin = loaded.fromEnvironment
    ? 'the environment (no profile)'
    : `profile '${loaded.name}'${loaded.file ? ` (${displayPath(loaded.file, home)})` : ''}`;
  const evidence: string[] = [];
  if (loaded.file) evidence.push(`file: ${displayPath(loaded.file, home)}`);
  evidence.push('precedence: flags > environment > profile > defaults');
  evidence.push(...settingSources(loaded, env, flags));
  if (!outcome.ok && !outcome.secret) {
    return check(CHECK_IDS.profile, 'fail', `The configuration from ${origin} is not valid.`, {
      why: outcome.error.message,
      evidence: [...evidence, `error code: ${outcome.error.code}`],
      nextStep: loaded.fromEnvironment
        ? 'Fix the variable or flag the message names, then run the doctor again.'
        : `Fix the setting the message names (\`mcp-tunnel profiles edit ${loaded.name}\`, or the variable / flag that overrides it).`,
    });
  }
  if (outcome.ok) {
    const r = outcome.resolved;
    evidence.push(`connection: ${r.meta.connection}`);
    for (const c of r.tunnel.channels)
      evidence.push(
        `channel ${c.name}: ${c.kind === 'stdio' ? 'stdio command' : `HTTP ${displayUrl(c.url)}`}`,
      );
  }
  const loadedText = outcome.ok ? 'loads and validates' : 'loads; its secret references are checked next';
  if (loaded.ignored.length > 0) {
    return check(
      CHECK_IDS.profile,
      'warn',
      `The configuration from ${origin} ${loadedText}; ${loaded.ignored.length} reference-client key(s) are ignored.`,
      {
        why: 'These keys are valid for the reference tunnel-client but have no effect in mcp-tunnel: a setting you rely on may not apply.',
        evidence: [...evidence, ...loaded.ignored.map((k) => `ignored: ${k.path} (${k.reason})`)],
        nextStep:
          'Nothing is required; remove the ignored keys to silence this warning, or check that you do not depend on them.',
      },
    );
  }
  return check(CHECK_IDS.profile, 'pass', `The configuration from ${origin} ${loadedText}.`, { evidence });
}

/** Where the main settings come from after precedence (names only, never values of secrets). */
function settingSources(
  loaded: LoadedInput,
  env: NodeJS.ProcessEnv,
  flags: ProfileFlagValues | undefined,
): string[] {
  const f = flagOverrides(flags);
  const cp = loaded.data.control_plane ?? {};
  const from = (...layers: Array<[string | undefined, string]>): string =>
    pick(...layers)?.source ?? 'default';
  const apiKey = f.apiKeyRef
    ? '--control-plane.api-key-ref'
    : env.CONTROL_PLANE_API_KEY?.trim()
      ? 'CONTROL_PLANE_API_KEY'
      : cp.api_key
        ? 'control_plane.api_key'
        : env.OPENAI_API_KEY?.trim()
          ? 'OPENAI_API_KEY'
          : 'not set';
  return [
    `tunnel id from: ${from([f.tunnelId, '--control-plane.tunnel-id'], [env.CONTROL_PLANE_TUNNEL_ID, 'CONTROL_PLANE_TUNNEL_ID'], [cp.tunnel_id, 'control_plane.tunnel_id'])}`,
    `API key from: ${apiKey}`,
    `base URL from: ${from([f.baseUrl, '--control-plane.base-url'], [env.CONTROL_PLANE_BASE_URL, 'CONTROL_PLANE_BASE_URL'], [cp.base_url, 'control_plane.base_url'])}`,
  ];
}
