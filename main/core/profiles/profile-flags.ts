/**
 * The reference client's configuration flags, as a node:util parseArgs option spec that `run`,
 * `doctor` and the profile commands share, so its documented command lines work unchanged:
 *
 *   --control-plane.base-url URL        --control-plane.url-path PATH
 *   --control-plane.tunnel-id ID        --control-plane.api-key-ref REF (alias --control-plane.api-key, refs only)
 *   --control-plane.client-cert PATH    --control-plane.client-key PATH
 *   --control-plane.max-inflight-requests N   --control-plane.poll-timeout DURATION
 *   --mcp.command CMD (repeatable; `channel=NAME,command=CMD` for other channels)
 *   --mcp.server-url URL (repeatable; `channel=NAME,url=URL`)
 *   --mcp.extra-headers "Name: value" (repeatable; values may be references)
 *   --mcp.max-concurrent-requests N     --mcp.connection-max-ttl DURATION
 *   --health.listen-addr HOST:PORT      --log.level LEVEL   --log.format json|text   --ca-bundle PATH
 *
 * The reference client's dash aliases (--control-plane-tunnel-id, --mcp-command,
 * --health-listen-addr, …) are accepted too.
 *
 * Usage: parseArgs({ options: { ...PROFILE_FLAG_OPTIONS, ...yours } }) and pass `values` to
 * resolveProfile({ flags: values }).
 */
import type { ParseArgsConfig } from 'node:util';
import { ConfigError } from './env-config.js';

export const PROFILE_FLAG_OPTIONS = {
  'control-plane.base-url': { type: 'string' },
  'control-plane.url-path': { type: 'string' },
  'control-plane.tunnel-id': { type: 'string' },
  'control-plane.api-key-ref': { type: 'string' },
  'control-plane.api-key': { type: 'string' },
  'control-plane.client-cert': { type: 'string' },
  'control-plane.client-key': { type: 'string' },
  'control-plane.max-inflight-requests': { type: 'string' },
  'control-plane.poll-timeout': { type: 'string' },
  'mcp.command': { type: 'string', multiple: true },
  'mcp.server-url': { type: 'string', multiple: true },
  'mcp.extra-headers': { type: 'string', multiple: true },
  'mcp.max-concurrent-requests': { type: 'string' },
  'mcp.connection-max-ttl': { type: 'string' },
  'health.listen-addr': { type: 'string' },
  'log.level': { type: 'string' },
  'log.format': { type: 'string' },
  'ca-bundle': { type: 'string' },
  // The reference client's dash aliases.
  'control-plane-base-url': { type: 'string' },
  'control-plane-url-path': { type: 'string' },
  'control-plane-tunnel-id': { type: 'string' },
  'control-plane-api-key': { type: 'string' },
  'control-plane-api-key-ref': { type: 'string' },
  'control-plane-client-cert': { type: 'string' },
  'control-plane-client-key': { type: 'string' },
  'mcp-command': { type: 'string', multiple: true },
  'mcp-server-url': { type: 'string', multiple: true },
  'mcp-extra-headers': { type: 'string', multiple: true },
  'health-listen-addr': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export type ProfileFlagName = keyof typeof PROFILE_FLAG_OPTIONS;
/** What parseArgs returns for these options (extra keys of the caller's own options are fine). */
export type ProfileFlagValues = { [K in ProfileFlagName]?: string | string[] | boolean | undefined } & Record<
  string,
  unknown
>;

/** Flag values normalized: aliases merged, repeatable flags as arrays. */
export interface FlagOverrides {
  baseUrl?: string;
  urlPath?: string;
  tunnelId?: string;
  apiKeyRef?: string;
  clientCert?: string;
  clientKey?: string;
  maxInflight?: string;
  pollTimeout?: string;
  commands: ChannelTarget[];
  serverUrls: ChannelTarget[];
  extraHeaders: string[];
  maxConcurrent?: string;
  connectionMaxTtl?: string;
  healthListenAddr?: string;
  logLevel?: string;
  logFormat?: string;
  caBundle?: string;
}

export interface ChannelTarget {
  channel: string;
  value: string;
}

export function flagOverrides(values: ProfileFlagValues | undefined): FlagOverrides {
  const v = values ?? {};
  const one = (...names: ProfileFlagName[]): string | undefined => {
    for (const name of names) {
      const value = v[name];
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
    }
    return undefined;
  };
  const many = (...names: ProfileFlagName[]): string[] =>
    names.flatMap((name) => {
      const value = v[name];
      return Array.isArray(value)
        ? value.filter((s): s is string => typeof s === 'string')
        : typeof value === 'string'
          ? [value]
          : [];
    });
  const out: FlagOverrides = {
    commands: many('mcp.command', 'mcp-command').map((s) => channelTarget(s, 'command', '--mcp.command')),
    serverUrls: many('mcp.server-url', 'mcp-server-url').map((s) =>
      channelTarget(s, 'url', '--mcp.server-url'),
    ),
    extraHeaders: many('mcp.extra-headers', 'mcp-extra-headers'),
  };
  const set = <K extends keyof FlagOverrides>(key: K, value: FlagOverrides[K] | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  set('baseUrl', one('control-plane.base-url', 'control-plane-base-url'));
  set('urlPath', one('control-plane.url-path', 'control-plane-url-path'));
  set('tunnelId', one('control-plane.tunnel-id', 'control-plane-tunnel-id'));
  set(
    'apiKeyRef',
    one(
      'control-plane.api-key-ref',
      'control-plane.api-key',
      'control-plane-api-key-ref',
      'control-plane-api-key',
    ),
  );
  set('clientCert', one('control-plane.client-cert', 'control-plane-client-cert'));
  set('clientKey', one('control-plane.client-key', 'control-plane-client-key'));
  set('maxInflight', one('control-plane.max-inflight-requests'));
  set('pollTimeout', one('control-plane.poll-timeout'));
  set('maxConcurrent', one('mcp.max-concurrent-requests'));
  set('connectionMaxTtl', one('mcp.connection-max-ttl'));
  set('healthListenAddr', one('health.listen-addr', 'health-listen-addr'));
  set('logLevel', one('log.level'));
  set('logFormat', one('log.format'));
  set('caBundle', one('ca-bundle'));
  return out;
}

/**
 * `CMD` (channel main) or `channel=NAME,command=CMD` / `channel=NAME,url=URL`, the reference
 * client's entry syntax (also used by multi-line MCP_COMMAND / MCP_SERVER_URL).
 */
export function channelTarget(text: string, field: 'command' | 'url', what: string): ChannelTarget {
  const trimmed = text.trim();
  const m = /^channel=([^,]*),(command|url)=([\s\S]*)$/.exec(trimmed);
  if (!m) {
    if (trimmed === '') throw new ConfigError('flag_invalid', `${what} is empty.`);
    return { channel: 'main', value: trimmed };
  }
  if (m[2] !== field) throw new ConfigError('flag_invalid', `${what}: expected channel=NAME,${field}=…`);
  return { channel: (m[1] ?? '').trim() || 'main', value: (m[3] ?? '').trim() };
}
