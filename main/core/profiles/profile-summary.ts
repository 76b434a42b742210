/**
 * What `profiles list` and `profiles show` print (and the admin API can serve): profile
 * settings with defaults filled in, secret settings shown as the references written in the file.
 * Nothing here resolves a reference, so no secret value can appear; every string also passes
 * through redactText as a second line of defence.
 */
import { ENGINE_DEFAULTS } from '../engine/config.js';
import { redactText } from '../observability/redact.js';
import { connectionOf } from './profile-rules.js';
import type { LoadedProfile, ProfileListEntry } from './profile-store.js';
import type { ConnectionKind, ProfileFile } from './profile-types.js';

/** `profiles list --json` → `{ "profiles": ProfileListItem[] }`. */
export interface ProfileListItem {
  name: string;
  file: string;
  display_name: string | null;
  connection: ConnectionKind | null;
  tunnel_id: string | null;
  autostart: boolean;
  channels: Array<{ name: string; kind: 'stdio' | 'http' }>;
  /** Present when the file does not load; the profile cannot run until it is fixed. */
  error?: { code: string; message: string };
}

export interface ChannelView {
  name: string;
  kind: 'stdio' | 'http';
  command?: string;
  env?: Record<string, string>;
  cwd?: string;
  url?: string;
  extra_headers?: Record<string, string>;
  http_proxy?: string;
  ca_bundle?: string;
  client_cert?: string;
  client_key?: string;
}

/** `profiles show --json`: the profile's effective settings (defaults filled in), redacted. */
export interface ProfileView {
  name: string;
  file: string;
  display_name: string | null;
  connection: ConnectionKind;
  autostart: boolean;
  control_plane: {
    base_url: string | null;
    url_path: string | null;
    tunnel_id: string | null;
    /** The reference (env:/file:/keychain:) or null (then CONTROL_PLANE_API_KEY / OPENAI_API_KEY). */
    api_key: string | null;
    client_cert: string | null;
    client_key: string | null;
    http_proxy: string | null;
    max_inflight_requests: number;
    poll_timeout: string;
  };
  channels: ChannelView[];
  mcp: {
    max_concurrent_requests: number;
    connection_max_ttl: string;
    extra_headers: Record<string, string>;
    http_proxy: string | null;
    client_cert: string | null;
    client_key: string | null;
  };
  ca_bundle: string | null;
  http_proxy: string | null;
  health: { listen_addr: string | null };
  log: { level: string; format: string };
  /** Reference-client keys present in the file but not used here. */
  ignored_keys: string[];
  /** Environment variables set now that override this profile when it runs (names only). */
  environment_overrides: string[];
}

export const OVERRIDING_ENV = [
  'CONTROL_PLANE_BASE_URL',
  'CONTROL_PLANE_URL_PATH',
  'CONTROL_PLANE_TUNNEL_ID',
  'CONTROL_PLANE_API_KEY',
  'CONTROL_PLANE_CLIENT_CERT',
  'CONTROL_PLANE_CLIENT_KEY',
  'CONTROL_PLANE_MAX_INFLIGHT_REQUESTS',
  'CONTROL_PLANE_POLL_TIMEOUT',
  'MCP_COMMAND',
  'MCP_SERVER_URL',
  'MCP_EXTRA_HEADERS',
  'MCP_MAX_CONCURRENT_REQUESTS',
  'MCP_CONNECTION_MAX_TTL',
  'CA_BUNDLE',
  'HEALTH_LISTEN_ADDR',
  'LOG_LEVEL',
  'LOG_FORMAT',
] as const;

const r = (value: string | undefined): string | null => (value === undefined ? null : redactText(value));
const rMap = (map: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, redactText(v)]));

export function channelsOf(data: ProfileFile): Array<{ name: string; kind: 'stdio' | 'http' }> {
  return [
    ...(data.mcp?.commands ?? []).map((c) => ({ name: c.channel ?? 'main', kind: 'stdio' as const })),
    ...(data.mcp?.server_urls ?? []).map((s) => ({ name: s.channel ?? 'main', kind: 'http' as const })),
  ];
}

export function listItem(entry: ProfileListEntry): ProfileListItem {
  const data = entry.profile?.data;
  if (!data) {
    return {
      name: entry.name,
      file: entry.file,
      display_name: null,
      connection: null,
      tunnel_id: null,
      autostart: false,
      channels: [],
      error: {
        code: entry.error?.code ?? 'profile_unreadable',
        message: redactText(entry.error?.message ?? 'The profile does not load.'),
      },
    };
  }
  return {
    name: entry.name,
    file: entry.file,
    display_name: r(data.mcp_tunnel?.display_name),
    connection: connectionOf(data),
    tunnel_id: r(data.control_plane?.tunnel_id),
    autostart: data.mcp_tunnel?.autostart ?? false,
    channels: channelsOf(data),
  };
}

export function profileView(profile: LoadedProfile, env: NodeJS.ProcessEnv): ProfileView {
  const data = profile.data;
  const cp = data.control_plane ?? {};
  const mcp = data.mcp ?? {};
  const connection = connectionOf(data);
  const defaultBase =
    connection === 'openai'
      ? cp.client_cert
        ? ENGINE_DEFAULTS.mtlsBaseUrl
        : ENGINE_DEFAULTS.baseUrl
      : undefined;
  const channels: ChannelView[] = [
    ...(mcp.commands ?? []).map((c): ChannelView => ({
      name: c.channel ?? 'main',
      kind: 'stdio',
      command: redactText(c.command),
      ...(c.env ? { env: rMap(c.env) } : {}),
      ...(c.cwd ? { cwd: c.cwd } : {}),
    })),
    ...(mcp.server_urls ?? []).map((s): ChannelView => {
      const proxy = s.http_proxy ?? s.proxy_url;
      return {
        name: s.channel ?? 'main',
        kind: 'http',
        url: redactText(s.url),
        ...(s.extra_headers ? { extra_headers: rMap(s.extra_headers) } : {}),
        ...(proxy ? { http_proxy: redactText(proxy) } : {}),
        ...(s.ca_bundle ? { ca_bundle: s.ca_bundle } : {}),
        ...(s.client_cert ? { client_cert: s.client_cert } : {}),
        ...(s.client_key ? { client_key: s.client_key } : {}),
      };
    }),
  ];
  return {
    name: profile.name,
    file: profile.file,
    display_name: r(data.mcp_tunnel?.display_name),
    connection,
    autostart: data.mcp_tunnel?.autostart ?? false,
    control_plane: {
      base_url: r(cp.base_url ?? defaultBase),
      url_path: r(cp.url_path),
      tunnel_id: r(cp.tunnel_id),
      api_key: r(cp.api_key),
      client_cert: r(cp.client_cert),
      client_key: r(cp.client_key),
      http_proxy: r(cp.http_proxy),
      max_inflight_requests: cp.max_inflight_requests ?? ENGINE_DEFAULTS.maxInflight,
      poll_timeout: cp.poll_timeout ?? `${ENGINE_DEFAULTS.pollTimeoutMs / 1000}s`,
    },
    channels,
    mcp: {
      max_concurrent_requests: mcp.max_concurrent_requests ?? ENGINE_DEFAULTS.maxConcurrent,
      connection_max_ttl: mcp.connection_max_ttl ?? `${ENGINE_DEFAULTS.connectionMaxTtlMs / 60_000}m`,
      extra_headers: rMap(mcp.extra_headers),
      http_proxy: r(mcp.http_proxy),
      client_cert: r(mcp.client_cert),
      client_key: r(mcp.client_key),
    },
    ca_bundle: r(data.ca_bundle),
    http_proxy: r(data.http_proxy),
    health: { listen_addr: r(data.health?.listen_addr) },
    log: { level: data.log?.level ?? 'info', format: data.log?.format ?? 'text' },
    ignored_keys: profile.ignored.map((k) => k.path),
    environment_overrides: OVERRIDING_ENV.filter((name) => Boolean(env[name]?.trim())),
  };
}
