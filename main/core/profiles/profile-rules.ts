/**
 * Value rules of a profile, applied after the structural check (profile-schema.ts): versions,
 * tunnel id format, URLs, durations, numbers, channels (names `^[a-z0-9_-]{1,64}$`, unique,
 * `main` required) and secrets (references only; literal secrets refused without echoing them).
 */
import { argvFromCommandLine } from '../engine/channels/stdio/argv.js';
import { parseDuration } from '../runtime/duration.js';
import { parseSecretRef } from '../secrets/secret-ref.js';
import {
  isSecretName,
  isSecretRef,
  literalSecretError,
  looksLikeSecretValue,
  type SecretAction,
} from './literal-secrets.js';
import { formatKeyPath, ProfileError, type ProfileErrorCode } from './profile-errors.js';
import { locate, type StructureContext } from './profile-schema.js';
import { CONNECTION_KINDS, type ConnectionKind, type ProfileFile } from './profile-types.js';

export const TUNNEL_ID_PATTERN = /^tunnel_[a-z0-9]{32}$/;
export const CHANNEL_NAME_PATTERN = /^[a-z0-9_-]{1,64}$/;
export const MAX_CHANNELS = 32;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const LISTEN_ADDR = /^(\[[^\]\s]+\]|[^:\s[\]]*):\d{1,5}$/;
export const LOG_LEVEL_NAMES = ['debug', 'info', 'warn', 'warning', 'error'];
export const LOG_FORMAT_NAMES = ['json', 'text', 'struct-text'];

export interface RulesContext extends StructureContext {
  profileName: string;
  action: SecretAction;
}

type Path = Array<string | number>;

/** `connection` as written, else inferred: no base_url or an openai.com host → openai, else relay. */
export function connectionOf(data: ProfileFile): ConnectionKind {
  const explicit = data.mcp_tunnel?.connection;
  if (explicit && (CONNECTION_KINDS as readonly string[]).includes(explicit)) return explicit;
  return inferConnection(data.control_plane?.base_url);
}

export function inferConnection(baseUrl: string | undefined): ConnectionKind {
  if (!baseUrl || parseSecretRef(baseUrl)) return 'openai';
  try {
    const host = new URL(baseUrl).hostname;
    return host === 'openai.com' || host.endsWith('.openai.com') ? 'openai' : 'relay';
  } catch {
    return 'openai';
  }
}

/** Throws the first rule a profile breaks. `raw` is the parsed YAML (scanned for secret shapes). */
export function checkProfileRules(data: ProfileFile, raw: unknown, ctx: RulesContext): void {
  scanForSecretShapes(raw, [], ctx);
  const fail = (code: ProfileErrorCode, path: Path, what: string): never => {
    const keyPath = formatKeyPath(path);
    throw new ProfileError(code, `${keyPath} in ${locate(path, ctx)} ${what}`, { file: ctx.file, keyPath });
  };

  if (data.config_version !== undefined && data.config_version !== 1) {
    fail('profile_version_unsupported', ['config_version'], 'must be 1 (the only version there is).');
  }
  const meta = data.mcp_tunnel;
  if (meta?.connection !== undefined && !(CONNECTION_KINDS as readonly string[]).includes(meta.connection)) {
    fail(
      'profile_value_invalid',
      ['mcp_tunnel', 'connection'],
      `must be one of ${CONNECTION_KINDS.join(', ')}.`,
    );
  }
  if (
    meta?.display_name !== undefined &&
    (meta.display_name.length > 200 || /[\r\n]/.test(meta.display_name))
  ) {
    fail(
      'profile_value_invalid',
      ['mcp_tunnel', 'display_name'],
      'must be one line of at most 200 characters.',
    );
  }
  const connection = connectionOf(data);
  const cp = data.control_plane ?? {};
  if (cp.tunnel_id !== undefined && connection !== 'demo' && !TUNNEL_ID_PATTERN.test(cp.tunnel_id)) {
    fail(
      'profile_tunnel_id_invalid',
      ['control_plane', 'tunnel_id'],
      'is not a tunnel id: it must be tunnel_ followed by 32 lowercase letters or digits (copy it from the tunnel settings page).',
    );
  }
  if (cp.api_key !== undefined) checkSecretRefOnly(cp.api_key, ['control_plane', 'api_key'], ctx, fail);
  checkUrl(cp.base_url, ['control_plane', 'base_url'], fail);
  if (cp.url_path !== undefined && /[\s?#]/.test(cp.url_path)) {
    fail(
      'profile_value_invalid',
      ['control_plane', 'url_path'],
      'must be a URL path such as /tunnel (no spaces, ? or #).',
    );
  }
  checkPair(cp.client_cert, cp.client_key, ['control_plane'], fail);
  checkRange(cp.max_inflight_requests, 1, 10_000, ['control_plane', 'max_inflight_requests'], fail);
  checkDuration(cp.poll_timeout, ['control_plane', 'poll_timeout'], fail);
  for (const [value, path] of [
    [data.http_proxy, ['http_proxy']],
    [cp.http_proxy, ['control_plane', 'http_proxy']],
    [data.mcp?.http_proxy, ['mcp', 'http_proxy']],
  ] as Array<[string | undefined, Path]>) {
    checkUrl(value, path, fail);
  }

  const mcp = data.mcp ?? {};
  checkRange(mcp.max_concurrent_requests, 1, 1000, ['mcp', 'max_concurrent_requests'], fail);
  checkDuration(mcp.connection_max_ttl, ['mcp', 'connection_max_ttl'], fail);
  checkPair(mcp.client_cert, mcp.client_key, ['mcp'], fail);
  checkHeaders(mcp.extra_headers, ['mcp', 'extra_headers'], ctx, fail);
  checkChannels(data, ctx, fail);

  const listen = data.health?.listen_addr;
  if (listen !== undefined && !parseSecretRef(listen) && !LISTEN_ADDR.test(listen)) {
    fail(
      'profile_value_invalid',
      ['health', 'listen_addr'],
      'must be HOST:PORT, e.g. 127.0.0.1:8080 (port 0 picks a free port).',
    );
  }
  const level = data.log?.level;
  if (level !== undefined && !LOG_LEVEL_NAMES.includes(level.toLowerCase())) {
    fail('profile_value_invalid', ['log', 'level'], 'must be one of debug, info, warn, error.');
  }
  const format = data.log?.format;
  if (format !== undefined && !LOG_FORMAT_NAMES.includes(format.toLowerCase())) {
    fail('profile_value_invalid', ['log', 'format'], 'must be json or text.');
  }
}

type Fail = (code: ProfileErrorCode, path: Path, what: string) => never;

function checkChannels(data: ProfileFile, ctx: RulesContext, fail: Fail): void {
  const seen = new Map<string, string>();
  const note = (name: string | undefined, path: Path): void => {
    const channel = name ?? 'main';
    if (!CHANNEL_NAME_PATTERN.test(channel)) {
      fail(
        'profile_channel_invalid',
        [...path, 'channel'],
        `'${channel.slice(0, 80)}' is not a channel name: use 1-64 lowercase letters, digits, _ or -.`,
      );
    }
    const first = seen.get(channel);
    if (first)
      fail(
        'profile_channel_duplicate',
        [...path, 'channel'],
        `repeats channel '${channel}' (already used by ${first}); channel names must be unique.`,
      );
    seen.set(channel, formatKeyPath(path));
  };
  (data.mcp?.commands ?? []).forEach((entry, i) => {
    const path: Path = ['mcp', 'commands', i];
    note(entry.channel, path);
    if (entry.command === undefined || entry.command.trim() === '')
      fail(
        'profile_value_invalid',
        [...path, 'command'],
        'is required: the command line that starts the MCP server.',
      );
    if (!parseSecretRef(entry.command)) {
      let argv: string[] = [];
      try {
        argv = argvFromCommandLine(entry.command);
      } catch (err) {
        fail(
          'profile_value_invalid',
          [...path, 'command'],
          `cannot be split into arguments: ${(err as Error).message}`,
        );
      }
      if (argv.length === 0) fail('profile_value_invalid', [...path, 'command'], 'is empty.');
    }
    for (const [name, value] of Object.entries(entry.env ?? {})) {
      if (!ENV_NAME.test(name))
        fail('profile_value_invalid', [...path, 'env', name], 'is not a valid environment variable name.');
      if (isSecretName(name) && !isSecretRef(value))
        throw literalSecretError(formatKeyPath([...path, 'env', name]), ctx);
    }
    if (entry.cwd !== undefined && entry.cwd.trim() === '')
      fail('profile_value_invalid', [...path, 'cwd'], 'must not be empty.');
  });
  (data.mcp?.server_urls ?? []).forEach((entry, i) => {
    const path: Path = ['mcp', 'server_urls', i];
    note(entry.channel, path);
    if (entry.url === undefined)
      fail('profile_url_invalid', [...path, 'url'], 'is required: the http(s) URL of the MCP server.');
    checkUrl(entry.url, [...path, 'url'], fail);
    if (entry.http_proxy !== undefined && entry.proxy_url !== undefined) {
      fail(
        'profile_value_invalid',
        [...path, 'proxy_url'],
        'and http_proxy are the same setting: keep only one.',
      );
    }
    checkUrl(entry.http_proxy, [...path, 'http_proxy'], fail);
    checkUrl(entry.proxy_url, [...path, 'proxy_url'], fail);
    checkPair(entry.client_cert, entry.client_key, path, fail);
    checkHeaders(entry.extra_headers, [...path, 'extra_headers'], ctx, fail);
  });
  if (seen.size > MAX_CHANNELS)
    fail(
      'profile_channel_invalid',
      ['mcp'],
      `defines ${seen.size} channels; at most ${MAX_CHANNELS} are allowed.`,
    );
  if (seen.size > 0 && !seen.has('main')) {
    fail(
      'profile_channel_main_missing',
      ['mcp'],
      "has no 'main' channel: name one entry `channel: main` (an entry without channel is main).",
    );
  }
}

function checkSecretRefOnly(value: string, path: Path, ctx: RulesContext, fail: Fail): void {
  if (isSecretRef(value)) return;
  if (parseSecretRef(value))
    fail(
      'profile_value_invalid',
      path,
      'is not a valid reference: use env:NAME, file:/path or keychain:NAME.',
    );
  throw literalSecretError(formatKeyPath(path), ctx);
}

function checkHeaders(
  headers: Record<string, string> | undefined,
  path: Path,
  ctx: RulesContext,
  fail: Fail,
): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!HEADER_NAME.test(name))
      fail('profile_value_invalid', [...path, name], 'is not a valid HTTP header name.');
    if (/[\r\n]/.test(value))
      fail('profile_value_invalid', [...path, name], 'must not contain a line break.');
    if (isSecretName(name) && !isSecretRef(value))
      throw literalSecretError(formatKeyPath([...path, name]), ctx);
  }
}

function checkUrl(value: string | undefined, path: Path, fail: Fail): void {
  if (value === undefined || parseSecretRef(value)) return;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    fail('profile_url_invalid', path, 'must be an http:// or https:// URL.');
  }
}

function checkDuration(value: string | undefined, path: Path, fail: Fail): void {
  if (value === undefined) return;
  let ms = 0;
  try {
    ms = parseDuration(value, formatKeyPath(path));
  } catch {
    fail(
      'profile_duration_invalid',
      path,
      `is not a duration: use a number with a unit, e.g. 30s, 10m or 1m30s.`,
    );
  }
  if (ms <= 0) fail('profile_duration_invalid', path, 'must be longer than zero.');
}

function checkRange(value: number | undefined, min: number, max: number, path: Path, fail: Fail): void {
  if (value !== undefined && (value < min || value > max))
    fail('profile_value_invalid', path, `must be between ${min} and ${max}.`);
}

function checkPair(cert: string | undefined, key: string | undefined, path: Path, fail: Fail): void {
  if ((cert === undefined) !== (key === undefined)) {
    fail(
      'profile_value_invalid',
      [...path, cert === undefined ? 'client_cert' : 'client_key'],
      'is missing: set client_cert and client_key together (mTLS), or neither.',
    );
  }
}

/** Any string anywhere (ignored sections included) with the shape of a secret is refused. */
function scanForSecretShapes(value: unknown, path: Path, ctx: RulesContext): void {
  if (typeof value === 'string') {
    if (looksLikeSecretValue(value)) throw literalSecretError(formatKeyPath(path) || '(document)', ctx);
  } else if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => scanForSecretShapes(item, [...path, i], ctx));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      scanForSecretShapes(v, [...path, k], ctx);
  }
}
