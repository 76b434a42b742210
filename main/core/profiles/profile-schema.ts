/**
 * The key tree of a profile and the structural check: every key must be known (ours or the
 * reference client's), every value of the right shape. Unknown keys are errors naming the key
 * path and the file; reference keys without meaning for us yet are accepted, recorded as
 * ignored (callers log them at debug level) and left out of the typed view.
 *
 * Reference-client keys (openai/tunnel-client pkg/config, config_version 1) accepted and ignored:
 *   control_plane.poll_deadline_guardrail, control_plane.extra_headers,
 *   control_plane.organization_id, log.file, log.http_raw_unsafe, health.unix_socket,
 *   health.url_file, admin_ui.*, process.*, harpoon.*, proxy.*, mcp.discovery_extra_headers,
 *   mcp.server_urls[].unix_socket.
 *
 * Our keys: the top-level `mcp_tunnel:` section (display_name, connection, autostart); per
 * stdio channel `env` and `cwd`; per HTTP channel `extra_headers`, `ca_bundle`, `proxy_url`.
 * Value rules (URLs, durations, channels, secrets) live in profile-rules.ts.
 */
import { formatKeyPath, ProfileError } from './profile-errors.js';
import type { IgnoredKey, ProfileFile } from './profile-types.js';

type Spec =
  | { kind: 'string' }
  | { kind: 'int' }
  | { kind: 'bool' }
  | { kind: 'string-map' }
  | { kind: 'object'; keys: Record<string, Spec> }
  | { kind: 'list'; item: Spec }
  | { kind: 'ignored'; reason: string };

const str: Spec = { kind: 'string' };
const int: Spec = { kind: 'int' };
const bool: Spec = { kind: 'bool' };
const map: Spec = { kind: 'string-map' };
const ignored = (reason: string): Spec => ({ kind: 'ignored', reason });
const NOT_YET = 'reference-client setting without an equivalent here yet';

export const PROFILE_SCHEMA: Spec = {
  kind: 'object',
  keys: {
    config_version: int,
    ca_bundle: str,
    http_proxy: str,
    control_plane: {
      kind: 'object',
      keys: {
        base_url: str,
        url_path: str,
        tunnel_id: str,
        api_key: str,
        client_cert: str,
        client_key: str,
        http_proxy: str,
        max_inflight_requests: int,
        poll_timeout: str,
        poll_deadline_guardrail: ignored('the engine derives its poll deadline from poll_timeout'),
        extra_headers: ignored('control-plane extra headers are not supported yet'),
        organization_id: ignored('the runtime key already names the organization'),
      },
    },
    log: {
      kind: 'object',
      keys: {
        level: str,
        format: str,
        file: ignored('file logs are configured by the daemon, not per profile'),
        http_raw_unsafe: ignored('raw HTTP bodies are never logged'),
      },
    },
    health: {
      kind: 'object',
      keys: {
        listen_addr: str,
        unix_socket: ignored(NOT_YET),
        url_file: ignored('use `mcp-tunnel run --info-file PATH`'),
      },
    },
    admin_ui: ignored('the admin UI is configured by the app'),
    process: ignored(NOT_YET),
    harpoon: ignored('Harpoon callouts are not implemented'),
    proxy: ignored(NOT_YET),
    mcp: {
      kind: 'object',
      keys: {
        server_urls: {
          kind: 'list',
          item: {
            kind: 'object',
            keys: {
              channel: str,
              url: str,
              unix_socket: ignored(NOT_YET),
              http_proxy: str,
              proxy_url: str,
              client_cert: str,
              client_key: str,
              ca_bundle: str,
              extra_headers: map,
            },
          },
        },
        commands: {
          kind: 'list',
          item: { kind: 'object', keys: { channel: str, command: str, env: map, cwd: str } },
        },
        http_proxy: str,
        client_cert: str,
        client_key: str,
        extra_headers: map,
        discovery_extra_headers: ignored('OAuth discovery requests are made by the MCP client'),
        connection_max_ttl: str,
        max_concurrent_requests: int,
      },
    },
    mcp_tunnel: {
      kind: 'object',
      keys: { display_name: str, connection: str, autostart: bool },
    },
  },
};

export interface StructureContext {
  file: string;
  /** 1-based line of the node at a key path, when known. */
  lineOf?: (path: ReadonlyArray<string | number>) => number | undefined;
}

export interface StructureResult {
  data: ProfileFile;
  ignored: IgnoredKey[];
}

/** Checks keys and shapes of a parsed YAML value; returns the typed view. */
export function checkProfileStructure(value: unknown, context: StructureContext): StructureResult {
  const ignoredKeys: IgnoredKey[] = [];
  if (value === null || value === undefined) return { data: {}, ignored: ignoredKeys };
  const data = walk(value, PROFILE_SCHEMA, [], context, ignoredKeys) as ProfileFile;
  return { data, ignored: ignoredKeys };
}

function walk(
  value: unknown,
  spec: Spec,
  path: Array<string | number>,
  ctx: StructureContext,
  ignoredKeys: IgnoredKey[],
): unknown {
  switch (spec.kind) {
    case 'ignored':
      ignoredKeys.push({ path: formatKeyPath(path), reason: spec.reason });
      return undefined;
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      throw typeError(path, ctx, 'a string', value);
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw typeError(path, ctx, 'a whole number', value);
    case 'bool':
      if (typeof value === 'boolean') return value;
      throw typeError(path, ctx, 'true or false', value);
    case 'string-map': {
      if (!isPlainObject(value)) throw typeError(path, ctx, 'a map of names to values', value);
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) {
        if (v === null || v === undefined) continue;
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
          throw typeError([...path, k], ctx, 'a string', v);
        }
        out[k] = String(v);
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) throw typeError(path, ctx, 'a list', value);
      return value.map((item: unknown, i) => walk(item, spec.item, [...path, i], ctx, ignoredKeys));
    }
    case 'object': {
      if (!isPlainObject(value)) throw typeError(path, ctx, 'a map of keys', value);
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value)) {
        const childSpec = spec.keys[key];
        const childPath = [...path, key];
        if (!childSpec) throw unknownKey(childPath, Object.keys(spec.keys), ctx);
        if (child === null || child === undefined) continue;
        const typed = walk(child, childSpec, childPath, ctx, ignoredKeys);
        if (typed !== undefined) out[key] = typed;
      }
      return out;
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function locate(path: ReadonlyArray<string | number>, ctx: StructureContext): string {
  const line = ctx.lineOf?.(path);
  return line ? `${ctx.file} (line ${line})` : ctx.file;
}

function unknownKey(path: Array<string | number>, known: string[], ctx: StructureContext): ProfileError {
  const keyPath = formatKeyPath(path);
  const parent = formatKeyPath(path.slice(0, -1));
  return new ProfileError(
    'profile_unknown_key',
    `Unknown key '${keyPath}' in ${locate(path, ctx)}. Known keys ${parent ? `under ${parent}` : 'at the top level'}: ${known.join(', ')}. Fix or remove it.`,
    { file: ctx.file, keyPath },
  );
}

function typeError(
  path: Array<string | number>,
  ctx: StructureContext,
  expected: string,
  got: unknown,
): ProfileError {
  const keyPath = formatKeyPath(path) || '(document)';
  const kind = Array.isArray(got)
    ? 'a list'
    : got === null
      ? 'null'
      : typeof got === 'object'
        ? 'a map'
        : `a ${typeof got}`;
  return new ProfileError(
    'profile_type_invalid',
    `'${keyPath}' in ${locate(path, ctx)} must be ${expected} (found ${kind}).`,
    { file: ctx.file, keyPath },
  );
}
