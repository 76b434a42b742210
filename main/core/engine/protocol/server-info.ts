/**
 * The `X-Tunnel-MCP-Server-Info` header: a compact JSON v1 declaration of the tunnel's MCP
 * channels and their process affinity, e.g.
 * `{"version":1,"channels":[{"name":"main","proc_affinity":true}]}`.
 *
 * Rules: `proc_affinity: true` for stdio and in-memory channels; the key is omitted (never
 * `false`) for HTTP channels. 1..32 channels, names matching CHANNEL_NAME_PATTERN and unique,
 * at most 4096 UTF-8 bytes. Only names and affinity: never URLs, commands or secrets.
 */
import { CHANNEL_NAME_PATTERN } from './wire.js';

export const SERVER_INFO_HEADER = 'X-Tunnel-MCP-Server-Info';
export const SERVER_INFO_MAX_CHANNELS = 32;
export const SERVER_INFO_MAX_BYTES = 4096;

export interface ServerInfoChannel {
  name: string;
  procAffinity: boolean;
}

/** Thrown when the configured channels cannot be declared; the message names the fix. */
export class ServerInfoError extends Error {
  readonly code = 'invalid_server_info';
  constructor(message: string) {
    super(message);
    this.name = 'ServerInfoError';
  }
}

/** Build the header value; throws ServerInfoError when the channel list breaks a rule. */
export function buildServerInfo(channels: readonly ServerInfoChannel[]): string {
  if (channels.length === 0) {
    throw new ServerInfoError('no MCP channel is configured: add an mcp.server_urls or mcp.commands entry');
  }
  if (channels.length > SERVER_INFO_MAX_CHANNELS) {
    throw new ServerInfoError(
      `${channels.length} MCP channels are configured; at most ${SERVER_INFO_MAX_CHANNELS} are allowed: remove some`,
    );
  }
  const seen = new Set<string>();
  const entries: Array<{ name: string; proc_affinity?: true }> = [];
  for (const channel of channels) {
    if (!CHANNEL_NAME_PATTERN.test(channel.name)) {
      throw new ServerInfoError(
        `channel name ${JSON.stringify(channel.name.slice(0, 80))} is not canonical: use 1-64 lowercase letters, digits, "-" or "_"`,
      );
    }
    if (seen.has(channel.name)) {
      throw new ServerInfoError(
        `channel name "${channel.name}" is used twice: give each channel its own name`,
      );
    }
    seen.add(channel.name);
    entries.push(channel.procAffinity ? { name: channel.name, proc_affinity: true } : { name: channel.name });
  }
  const value = JSON.stringify({ version: 1, channels: entries });
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > SERVER_INFO_MAX_BYTES) {
    throw new ServerInfoError(
      `the channel declaration is ${bytes} bytes; at most ${SERVER_INFO_MAX_BYTES} are allowed: use fewer or shorter channel names`,
    );
  }
  return value;
}
