/**
 * Renders one `[mcp_servers.NAME]` entry as TOML text, either as a table (what we append) or as
 * an inline table (when the user's file already keeps that entry inline). Scalar values go
 * through smol-toml's `stringify`, so escaping is TOML's, not ours.
 */
import { stringify } from 'smol-toml';
import { CodexConfigError } from './codex-errors.js';

export type CodexEntryValue =
  string | number | boolean | readonly string[] | Readonly<Record<string, string>>;

/** One MCP server entry as Codex reads it (`RawMcpServerConfig`): key → value, in write order. */
export type CodexMcpEntry = Readonly<Record<string, CodexEntryValue>>;

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

export function tomlKey(key: string): string {
  return BARE_KEY.test(key) ? key : tomlScalar(key);
}

function tomlScalar(value: string | number | boolean): string {
  const line = stringify({ v: value });
  return line.slice(line.indexOf('=') + 1).trim();
}

function tomlValue(value: CodexEntryValue): string {
  if (typeof value !== 'object') return tomlScalar(value);
  if (Array.isArray(value)) return `[${(value as readonly string[]).map(tomlScalar).join(', ')}]`;
  const pairs = Object.entries(value as Readonly<Record<string, string>>).map(
    ([k, v]) => `${tomlKey(k)} = ${tomlScalar(v)}`,
  );
  return pairs.length === 0 ? '{}' : `{ ${pairs.join(', ')} }`;
}

export function assertEntry(entry: CodexMcpEntry): void {
  if ('bearer_token' in entry) {
    throw new CodexConfigError(
      'codex_invalid_entry',
      'Codex rejects `bearer_token` in config.toml: use `bearer_token_env_var` or `http_headers` instead.',
    );
  }
  if (typeof entry.url !== 'string' && typeof entry.command !== 'string') {
    throw new CodexConfigError(
      'codex_invalid_entry',
      'A Codex MCP server entry needs `url` (streamable HTTP) or `command` (stdio).',
    );
  }
}

/** `[mcp_servers.NAME]` and one `key = value` line per key, each line ending with `eol`. */
export function renderEntryTable(name: string, entry: CodexMcpEntry, eol = '\n'): string {
  const lines = [`[mcp_servers.${tomlKey(name)}]`];
  for (const [key, value] of Object.entries(entry)) lines.push(`${tomlKey(key)} = ${tomlValue(value)}`);
  return lines.map((l) => `${l}${eol}`).join('');
}

/** `{ url = "…", … }` on one line (TOML inline tables cannot span lines). */
export function renderEntryInline(entry: CodexMcpEntry): string {
  const pairs = Object.entries(entry).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`);
  return `{ ${pairs.join(', ')} }`;
}

/** The entry as smol-toml would parse it back (for comparing with what a file holds). */
export function entryAsParsed(entry: CodexMcpEntry): Record<string, unknown> {
  return JSON.parse(JSON.stringify(entry)) as Record<string, unknown>;
}
