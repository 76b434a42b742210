/**
 * Builds a TunnelConfig from the reference client's environment variables, so its users can
 * run `mcp-tunnel run` with the environment they already have:
 *
 *   CONTROL_PLANE_BASE_URL, CONTROL_PLANE_URL_PATH, CONTROL_PLANE_TUNNEL_ID,
 *   CONTROL_PLANE_API_KEY (fallback OPENAI_API_KEY), CONTROL_PLANE_CLIENT_CERT / _KEY (paths),
 *   CONTROL_PLANE_MAX_INFLIGHT_REQUESTS, CONTROL_PLANE_POLL_TIMEOUT, MCP_SERVER_URL, MCP_COMMAND,
 *   MCP_EXTRA_HEADERS, MCP_CONNECTION_MAX_TTL, MCP_MAX_CONCURRENT_REQUESTS, CA_BUNDLE,
 *   HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
 */
import { readFile } from 'node:fs/promises';
import type { ChannelConfig, TunnelConfig } from '../engine/config.js';
import { ENGINE_DEFAULTS } from '../engine/config.js';
import { argvFromCommandLine } from '../engine/channels/stdio/argv.js';
import { parseDuration } from '../runtime/duration.js';
import { parseSecretRef, resolveSecretRef, type SecretReader } from '../secrets/secret-ref.js';
import { proxyForUrl } from './proxy-env.js';

export class ConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface EnvConfigOptions {
  env: NodeJS.ProcessEnv;
  keychain?: SecretReader;
  readText?: (path: string) => Promise<string>;
}

/** True when the environment configures a tunnel (CONTROL_PLANE_TUNNEL_ID is set). */
export function environmentConfiguresTunnel(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CONTROL_PLANE_TUNNEL_ID?.trim());
}

export async function tunnelConfigFromEnv(options: EnvConfigOptions): Promise<TunnelConfig> {
  const { env } = options;
  const readText = options.readText ?? ((p: string) => readFile(p, 'utf8'));
  const tunnelId = env.CONTROL_PLANE_TUNNEL_ID?.trim();
  if (!tunnelId) {
    throw new ConfigError(
      'tunnel_id_missing',
      'CONTROL_PLANE_TUNNEL_ID is not set. Copy the tunnel id (tunnel_…) from your platform tunnel settings, or run `mcp-tunnel run --demo` to try the local demo.',
    );
  }
  const apiKey = (env.CONTROL_PLANE_API_KEY ?? env.OPENAI_API_KEY ?? '').trim();
  if (!apiKey) {
    throw new ConfigError(
      'api_key_missing',
      'CONTROL_PLANE_API_KEY is not set (OPENAI_API_KEY is the fallback). Export the tunnel runtime API key (Tunnels Read + Use).',
    );
  }

  const channels: ChannelConfig[] = [];
  const extraHeaders = await parseExtraHeaders(env.MCP_EXTRA_HEADERS, options);
  if (env.MCP_COMMAND?.trim()) {
    channels.push({ name: 'main', kind: 'stdio', argv: splitCommand(env.MCP_COMMAND) });
  }
  const caBundlePem = env.CA_BUNDLE ? await readPem(env.CA_BUNDLE, 'CA_BUNDLE', readText) : undefined;
  if (env.MCP_SERVER_URL?.trim()) {
    if (channels.length > 0) {
      throw new ConfigError(
        'mcp_target_conflict',
        'Both MCP_COMMAND and MCP_SERVER_URL are set. Set only one for the main channel (use a profile for several channels).',
      );
    }
    const url = checkUrl(env.MCP_SERVER_URL.trim(), 'MCP_SERVER_URL');
    const proxyUrl = proxyForUrl(url, env);
    channels.push({
      name: 'main',
      kind: 'http',
      url,
      ...(extraHeaders ? { extraHeaders } : {}),
      ...(proxyUrl ? { proxyUrl } : {}),
      ...(caBundlePem ? { caBundlePem } : {}),
    });
  } else if (extraHeaders) {
    throw new ConfigError(
      'extra_headers_without_url',
      'MCP_EXTRA_HEADERS applies only to MCP_SERVER_URL; unset it or set MCP_SERVER_URL.',
    );
  }
  if (channels.length === 0) {
    throw new ConfigError(
      'mcp_target_missing',
      'Neither MCP_COMMAND nor MCP_SERVER_URL is set. Set MCP_COMMAND="node server.js" for a stdio server or MCP_SERVER_URL=http://… for an HTTP one.',
    );
  }

  const baseUrl = env.CONTROL_PLANE_BASE_URL?.trim()
    ? checkUrl(env.CONTROL_PLANE_BASE_URL.trim(), 'CONTROL_PLANE_BASE_URL')
    : undefined;
  const clientCertPem = env.CONTROL_PLANE_CLIENT_CERT
    ? await readPem(env.CONTROL_PLANE_CLIENT_CERT, 'CONTROL_PLANE_CLIENT_CERT', readText)
    : undefined;
  const clientKeyPem = env.CONTROL_PLANE_CLIENT_KEY
    ? await readPem(env.CONTROL_PLANE_CLIENT_KEY, 'CONTROL_PLANE_CLIENT_KEY', readText)
    : undefined;
  if (Boolean(clientCertPem) !== Boolean(clientKeyPem)) {
    throw new ConfigError(
      'mtls_incomplete',
      'Set both CONTROL_PLANE_CLIENT_CERT and CONTROL_PLANE_CLIENT_KEY for mTLS, or neither.',
    );
  }
  const controlPlaneProxy = proxyForUrl(baseUrl ?? ENGINE_DEFAULTS.baseUrl, env);

  return {
    name: 'env',
    controlPlane: {
      tunnelId,
      apiKey,
      ...(baseUrl ? { baseUrl } : {}),
      ...(env.CONTROL_PLANE_URL_PATH?.trim() ? { pathPrefix: env.CONTROL_PLANE_URL_PATH.trim() } : {}),
      ...(clientCertPem ? { clientCertPem } : {}),
      ...(clientKeyPem ? { clientKeyPem } : {}),
      ...(caBundlePem ? { caBundlePem } : {}),
      ...(controlPlaneProxy ? { proxyUrl: controlPlaneProxy } : {}),
      maxInflight: positiveInt(
        env.CONTROL_PLANE_MAX_INFLIGHT_REQUESTS,
        'CONTROL_PLANE_MAX_INFLIGHT_REQUESTS',
        ENGINE_DEFAULTS.maxInflight,
      ),
      pollTimeoutMs: duration(
        env.CONTROL_PLANE_POLL_TIMEOUT,
        'CONTROL_PLANE_POLL_TIMEOUT',
        ENGINE_DEFAULTS.pollTimeoutMs,
      ),
    },
    channels,
    maxConcurrent: positiveInt(
      env.MCP_MAX_CONCURRENT_REQUESTS,
      'MCP_MAX_CONCURRENT_REQUESTS',
      ENGINE_DEFAULTS.maxConcurrent,
    ),
    connectionMaxTtlMs: duration(
      env.MCP_CONNECTION_MAX_TTL,
      'MCP_CONNECTION_MAX_TTL',
      ENGINE_DEFAULTS.connectionMaxTtlMs,
    ),
  };
}

function splitCommand(command: string): string[] {
  try {
    const argv = argvFromCommandLine(command);
    if (argv.length === 0) throw new Error('empty');
    return argv;
  } catch (err) {
    throw new ConfigError(
      'mcp_command_invalid',
      `MCP_COMMAND cannot be split into arguments: ${(err as Error).message}`,
    );
  }
}

/**
 * MCP_EXTRA_HEADERS: `Name: value` entries separated by newlines (or a JSON object). A value may
 * be a secret reference (`env:NAME`, `file:/path`, `keychain:NAME`).
 */
export async function parseExtraHeaders(
  raw: string | undefined,
  options: Pick<EnvConfigOptions, 'env' | 'keychain' | 'readText'>,
): Promise<Record<string, string> | undefined> {
  if (!raw?.trim()) return undefined;
  let pairs: Array<[string, string]>;
  const text = raw.trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConfigError(
        'extra_headers_invalid',
        'MCP_EXTRA_HEADERS starts with { but is not valid JSON. Use {"Name":"value"} or Name: value lines.',
      );
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(
        'extra_headers_invalid',
        'MCP_EXTRA_HEADERS JSON must be an object of header names to values.',
      );
    }
    pairs = Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
  } else {
    pairs = text
      .split(/\r?\n|\\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const i = line.indexOf(':');
        if (i <= 0) {
          throw new ConfigError(
            'extra_headers_invalid',
            `MCP_EXTRA_HEADERS entry '${line.slice(0, 40)}' has no 'Name: value' form.`,
          );
        }
        return [line.slice(0, i).trim(), line.slice(i + 1).trim()];
      });
  }
  const out: Record<string, string> = {};
  for (const [name, value] of pairs) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new ConfigError(
        'extra_headers_invalid',
        `MCP_EXTRA_HEADERS: '${name}' is not a valid header name.`,
      );
    }
    const ref = parseSecretRef(value);
    out[name] = ref
      ? await resolveSecretRef(ref, {
          env: options.env,
          ...(options.keychain ? { keychain: options.keychain } : {}),
          ...(options.readText ? { readText: options.readText } : {}),
        })
      : value;
  }
  return out;
}

function checkUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('url_invalid', `${name} is not a URL: use http://host:port/path or https://….`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('url_invalid', `${name} must be an http:// or https:// URL.`);
  }
  return value;
}

async function readPem(
  path: string,
  name: string,
  readText: (p: string) => Promise<string>,
): Promise<string> {
  try {
    return await readText(path);
  } catch (err) {
    throw new ConfigError(
      'file_unreadable',
      `${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}). Check the path and permissions.`,
    );
  }
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError('number_invalid', `${name} must be a whole number ≥ 1 (got '${value}').`);
  return n;
}

function duration(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  try {
    return parseDuration(value, name);
  } catch (err) {
    throw new ConfigError('duration_invalid', (err as Error).message);
  }
}
