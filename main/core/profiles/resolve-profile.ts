/**
 * A profile (or none), the environment and command-line flags → the TunnelConfig the engine
 * runs, plus the settings around it. Precedence per field: flags > environment > profile >
 * defaults (ENGINE_DEFAULTS). Secret references are resolved here and nowhere earlier.
 *
 * Environment variables are the reference client's: CONTROL_PLANE_BASE_URL, _URL_PATH,
 * _TUNNEL_ID, _API_KEY (OPENAI_API_KEY is the last fallback, below the profile), _CLIENT_CERT,
 * _CLIENT_KEY, _MAX_INFLIGHT_REQUESTS, _POLL_TIMEOUT, MCP_COMMAND, MCP_SERVER_URL,
 * MCP_EXTRA_HEADERS, MCP_MAX_CONCURRENT_REQUESTS, MCP_CONNECTION_MAX_TTL, CA_BUNDLE,
 * HEALTH_LISTEN_ADDR, LOG_LEVEL, LOG_FORMAT. Proxies: a proxy written in the profile wins;
 * otherwise HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply.
 *
 * `connection: demo` profiles take their control plane from `options.demo` (the embedded relay
 * the runner started); without it tunnelId/apiKey/baseUrl are left empty for the runner to fill,
 * and no channel means "use the bundled demo server" (channels: []).
 */
import type { TunnelConfig } from '../engine/config.js';
import { ENGINE_DEFAULTS } from '../engine/config.js';
import { isLogLevel, type LogLevel } from '../observability/logger.js';
import { parseDuration } from '../runtime/duration.js';
import { isSecretRef } from './literal-secrets.js';
import type { SecretReader } from '../secrets/secret-ref.js';
import { ConfigError } from './env-config.js';
import { flagOverrides, type ProfileFlagValues } from './profile-flags.js';
import { inferConnection, TUNNEL_ID_PATTERN } from './profile-rules.js';
import type { ConnectionKind, ProfileFile } from './profile-types.js';
import { proxyForUrl } from './proxy-env.js';
import { resolveChannels } from './resolve-channels.js';
import { checkHttpUrl, settingName, ValueResolver } from './value-resolver.js';

export interface ResolvedProfile {
  name: string;
  file?: string;
  tunnel: TunnelConfig;
  health: { listenAddr?: string };
  log: { level?: LogLevel; format?: 'json' | 'text' };
  meta: { displayName?: string; connection: ConnectionKind; autostart: boolean };
}

export interface ResolveProfileOptions {
  /** A loaded profile (ProfileStore.load) or any `{ name, file?, data }`; absent: env and flags only. */
  profile?: { name: string; file?: string; data: ProfileFile };
  env: NodeJS.ProcessEnv;
  /** parseArgs values for PROFILE_FLAG_OPTIONS (extra keys are ignored). */
  flags?: ProfileFlagValues;
  keychain?: SecretReader;
  readText?: (path: string) => Promise<string>;
  /** The embedded relay's control plane, for `connection: demo`. */
  demo?: { baseUrl: string; tunnelId: string; apiKey: string };
  home?: string;
}

/** A value and where it came from (flag name, variable name or key path). */
export interface Picked {
  value: string;
  source: string;
}

export function pick(...layers: Array<[string | number | undefined, string]>): Picked | undefined {
  for (const [value, source] of layers) {
    if (value === undefined) continue;
    const text = String(value).trim();
    if (text !== '') return { value: text, source };
  }
  return undefined;
}

export async function resolveProfile(options: ResolveProfileOptions): Promise<ResolvedProfile> {
  const data: ProfileFile = options.profile?.data ?? {};
  const name = options.profile?.name ?? 'env';
  const file = options.profile?.file;
  const env = options.env;
  const flags = flagOverrides(options.flags);
  const resolver = new ValueResolver({
    env,
    file,
    ...(options.keychain ? { keychain: options.keychain } : {}),
    ...(options.readText ? { readText: options.readText } : {}),
    ...(options.home ? { home: options.home } : {}),
  });
  const at = (keyPath: string): string => settingName(keyPath, file);
  const envVar = (n: string): string | undefined => env[n];
  // Profile key paths are lowercase; variables are uppercase; flags start with --.
  const where = (p: Picked): string => (/^[a-z]/.test(p.source) ? at(p.source) : p.source);
  const cp = data.control_plane ?? {};

  const basePick = pick(
    [flags.baseUrl, '--control-plane.base-url'],
    [envVar('CONTROL_PLANE_BASE_URL'), 'CONTROL_PLANE_BASE_URL'],
    [cp.base_url, 'control_plane.base_url'],
  );
  const connection: ConnectionKind = data.mcp_tunnel?.connection ?? inferConnection(basePick?.value);
  let baseUrl = basePick
    ? checkHttpUrl(await resolver.value(basePick.value, where(basePick)), where(basePick))
    : undefined;
  const pathPick = pick(
    [flags.urlPath, '--control-plane.url-path'],
    [envVar('CONTROL_PLANE_URL_PATH'), 'CONTROL_PLANE_URL_PATH'],
    [cp.url_path, 'control_plane.url_path'],
  );
  const pathPrefix = pathPick ? await resolver.value(pathPick.value, where(pathPick)) : undefined;

  let tunnelId = '';
  let apiKey = '';
  if (connection === 'demo') {
    if (options.demo) ({ baseUrl, tunnelId, apiKey } = options.demo);
  } else {
    const idPick = pick(
      [flags.tunnelId, '--control-plane.tunnel-id'],
      [envVar('CONTROL_PLANE_TUNNEL_ID'), 'CONTROL_PLANE_TUNNEL_ID'],
      [cp.tunnel_id, 'control_plane.tunnel_id'],
    );
    if (!idPick) {
      throw new ConfigError(
        'tunnel_id_missing',
        `No tunnel id${file ? ` in ${file}` : ''}: set control_plane.tunnel_id, pass --control-plane.tunnel-id or export CONTROL_PLANE_TUNNEL_ID (copy it from the tunnel settings page).`,
      );
    }
    if (!TUNNEL_ID_PATTERN.test(idPick.value)) {
      throw new ConfigError(
        'tunnel_id_invalid',
        `${where(idPick)} is not a tunnel id: it must be tunnel_ followed by 32 lowercase letters or digits.`,
      );
    }
    tunnelId = idPick.value;
    apiKey = await resolveApiKey(flags.apiKeyRef, env, cp.api_key, resolver, at);
    if (connection === 'relay' && !baseUrl) {
      throw new ConfigError(
        'base_url_missing',
        `A relay profile needs the relay's URL: set control_plane.base_url${file ? ` in ${file}` : ''} or pass --control-plane.base-url https://relay.example.com.`,
      );
    }
  }

  const certPick = pick(
    [flags.clientCert, '--control-plane.client-cert'],
    [envVar('CONTROL_PLANE_CLIENT_CERT'), 'CONTROL_PLANE_CLIENT_CERT'],
    [cp.client_cert, 'control_plane.client_cert'],
  );
  const keyPick = pick(
    [flags.clientKey, '--control-plane.client-key'],
    [envVar('CONTROL_PLANE_CLIENT_KEY'), 'CONTROL_PLANE_CLIENT_KEY'],
    [cp.client_key, 'control_plane.client_key'],
  );
  if (Boolean(certPick) !== Boolean(keyPick)) {
    throw new ConfigError(
      'mtls_incomplete',
      'Set both the control-plane client certificate and key for mTLS, or neither.',
    );
  }
  const clientCertPem = certPick ? await resolver.material(certPick.value, where(certPick)) : undefined;
  const clientKeyPem = keyPick ? await resolver.material(keyPick.value, where(keyPick)) : undefined;
  const caPick = pick(
    [flags.caBundle, '--ca-bundle'],
    [envVar('CA_BUNDLE'), 'CA_BUNDLE'],
    [data.ca_bundle, 'ca_bundle'],
  );
  const caBundlePem = caPick ? await resolver.material(caPick.value, where(caPick)) : undefined;
  const proxySetting = pick([cp.http_proxy, 'control_plane.http_proxy'], [data.http_proxy, 'http_proxy']);
  const proxyUrl = proxySetting
    ? await resolver.value(proxySetting.value, where(proxySetting))
    : proxyForUrl(baseUrl || ENGINE_DEFAULTS.baseUrl, env);

  const channels = await resolveChannels({
    data,
    env,
    flags,
    resolver,
    file,
    connection,
    globalCa: caPick ? { pem: caBundlePem, fromProfile: caPick.source === 'ca_bundle' } : undefined,
  });
  const mcp = data.mcp ?? {};

  const tunnel: TunnelConfig = {
    name,
    controlPlane: {
      tunnelId,
      apiKey,
      ...(baseUrl ? { baseUrl } : {}),
      ...(pathPrefix ? { pathPrefix } : {}),
      ...(clientCertPem ? { clientCertPem } : {}),
      ...(clientKeyPem ? { clientKeyPem } : {}),
      ...(caBundlePem ? { caBundlePem } : {}),
      ...(proxyUrl ? { proxyUrl } : {}),
      maxInflight: positiveInt(
        pick(
          [flags.maxInflight, '--control-plane.max-inflight-requests'],
          [envVar('CONTROL_PLANE_MAX_INFLIGHT_REQUESTS'), 'CONTROL_PLANE_MAX_INFLIGHT_REQUESTS'],
          [cp.max_inflight_requests, 'control_plane.max_inflight_requests'],
        ),
        ENGINE_DEFAULTS.maxInflight,
        where,
      ),
      pollTimeoutMs: duration(
        pick(
          [flags.pollTimeout, '--control-plane.poll-timeout'],
          [envVar('CONTROL_PLANE_POLL_TIMEOUT'), 'CONTROL_PLANE_POLL_TIMEOUT'],
          [cp.poll_timeout, 'control_plane.poll_timeout'],
        ),
        ENGINE_DEFAULTS.pollTimeoutMs,
        where,
      ),
    },
    channels,
    maxConcurrent: positiveInt(
      pick(
        [flags.maxConcurrent, '--mcp.max-concurrent-requests'],
        [envVar('MCP_MAX_CONCURRENT_REQUESTS'), 'MCP_MAX_CONCURRENT_REQUESTS'],
        [mcp.max_concurrent_requests, 'mcp.max_concurrent_requests'],
      ),
      ENGINE_DEFAULTS.maxConcurrent,
      where,
    ),
    connectionMaxTtlMs: duration(
      pick(
        [flags.connectionMaxTtl, '--mcp.connection-max-ttl'],
        [envVar('MCP_CONNECTION_MAX_TTL'), 'MCP_CONNECTION_MAX_TTL'],
        [mcp.connection_max_ttl, 'mcp.connection_max_ttl'],
      ),
      ENGINE_DEFAULTS.connectionMaxTtlMs,
      where,
    ),
  };

  const listenPick = pick(
    [flags.healthListenAddr, '--health.listen-addr'],
    [envVar('HEALTH_LISTEN_ADDR'), 'HEALTH_LISTEN_ADDR'],
    [data.health?.listen_addr, 'health.listen_addr'],
  );
  const levelPick = pick(
    [flags.logLevel, '--log.level'],
    [envVar('LOG_LEVEL'), 'LOG_LEVEL'],
    [data.log?.level, 'log.level'],
  );
  const formatPick = pick(
    [flags.logFormat, '--log.format'],
    [envVar('LOG_FORMAT'), 'LOG_FORMAT'],
    [data.log?.format, 'log.format'],
  );
  const level = levelPick ? logLevel(levelPick, where) : undefined;
  const format = formatPick ? logFormat(formatPick, where) : undefined;
  const meta = data.mcp_tunnel ?? {};
  return {
    name,
    ...(file ? { file } : {}),
    tunnel,
    health: listenPick ? { listenAddr: await resolver.value(listenPick.value, where(listenPick)) } : {},
    log: { ...(level ? { level } : {}), ...(format ? { format } : {}) },
    meta: {
      ...(meta.display_name ? { displayName: meta.display_name } : {}),
      connection,
      autostart: meta.autostart ?? false,
    },
  };
}

async function resolveApiKey(
  flagRef: string | undefined,
  env: NodeJS.ProcessEnv,
  profileRef: string | undefined,
  resolver: ValueResolver,
  at: (keyPath: string) => string,
): Promise<string> {
  if (flagRef) {
    if (!isSecretRef(flagRef)) {
      throw new ConfigError(
        'api_key_literal',
        '--control-plane.api-key-ref takes a reference (env:NAME, file:/path or keychain:NAME), not the key itself: a key on the command line is visible to other users. Export it as CONTROL_PLANE_API_KEY instead.',
      );
    }
    return resolver.value(flagRef, '--control-plane.api-key-ref');
  }
  const fromEnv = env.CONTROL_PLANE_API_KEY?.trim();
  if (fromEnv) return fromEnv;
  if (profileRef) return resolver.value(profileRef, at('control_plane.api_key'));
  const fallback = env.OPENAI_API_KEY?.trim();
  if (fallback) return fallback;
  throw new ConfigError(
    'api_key_missing',
    'No API key: export CONTROL_PLANE_API_KEY (the tunnel runtime key, Tunnels Read + Use) or set control_plane.api_key to a reference such as env:CONTROL_PLANE_API_KEY.',
  );
}

function positiveInt(p: Picked | undefined, fallback: number, where: (p: Picked) => string): number {
  if (!p) return fallback;
  const n = Number(p.value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError('number_invalid', `${where(p)} must be a whole number ≥ 1.`);
  return n;
}

function duration(p: Picked | undefined, fallback: number, where: (p: Picked) => string): number {
  if (!p) return fallback;
  let ms: number;
  try {
    ms = parseDuration(p.value, where(p));
  } catch (err) {
    throw new ConfigError('duration_invalid', (err as Error).message);
  }
  if (ms <= 0) throw new ConfigError('duration_invalid', `${where(p)} must be longer than zero.`);
  return ms;
}

function logLevel(p: Picked, where: (p: Picked) => string): LogLevel {
  const v = p.value.toLowerCase() === 'warning' ? 'warn' : p.value.toLowerCase();
  if (!isLogLevel(v))
    throw new ConfigError('log_level_invalid', `${where(p)} must be debug, info, warn or error.`);
  return v;
}

function logFormat(p: Picked, where: (p: Picked) => string): 'json' | 'text' {
  const v = p.value.toLowerCase();
  if (v === 'json') return 'json';
  if (v === 'text' || v === 'struct-text') return 'text';
  throw new ConfigError('log_format_invalid', `${where(p)} must be json or text.`);
}
