/**
 * What "Add to Codex" writes for one tunnel: the `[mcp_servers.NAME]` entry (structured, and as
 * the TOML text shown to the user before anything is written).
 *
 *   our front door (demo, self-hosted relay): url + the connector token, either inline as
 *     `http_headers = { Authorization = "Bearer …" }` (header mode: a local, revocable token)
 *     or as `bearer_token_env_var = "MCP_TUNNEL_TOKEN"` (env mode: Codex reads it from its env)
 *   an OpenAI tunnel: the hosted tunnel URL + `bearer_token_env_var = "OPENAI_API_KEY"`
 *
 * Timeouts are always explicit (Codex's defaults have changed between versions). `bearer_token`
 * is never written: Codex rejects it.
 */
import { assertServerName, CodexConfigError } from './codex-errors.js';
import { renderEntryTable } from './entry-toml.js';

export type CodexTunnelKind = 'demo' | 'relay' | 'openai';
export type CodexTokenMode = 'header' | 'env';

export interface CodexTunnelRef {
  kind: CodexTunnelKind;
  mcpUrl: string;
  /** Our front door's connector token (header mode writes it into the file). */
  connectorToken?: string;
}

export interface CodexEntryOptions {
  name: string;
  tokenMode: CodexTokenMode;
  /** Env mode: the variable Codex reads the token from (default MCP_TUNNEL_TOKEN, or OPENAI_API_KEY). */
  envVar?: string;
  startupTimeoutSec?: number;
  toolTimeoutSec?: number;
}

/** The HTTP entry we write; key order is the order in the file. (A type alias, so it is a CodexMcpEntry.) */
export type CodexHttpEntry = {
  url: string;
  bearer_token_env_var?: string;
  http_headers?: { Authorization: string };
  startup_timeout_sec: number;
  tool_timeout_sec: number;
};

export interface CodexEntryPlan {
  name: string;
  entry: CodexHttpEntry;
  /** The table as it will appear in config.toml (contains the token in header mode). */
  toml: string;
  /** The same text with the token masked: safe to print or log. */
  maskedToml: string;
  /** The env var Codex must see (env mode / OpenAI), with what to put in it. */
  envVar?: string;
  /** What the user should know before using it (restart Codex, export the variable). */
  notes: string[];
}

export const DEFAULT_STARTUP_TIMEOUT_SEC = 30;
export const DEFAULT_TOOL_TIMEOUT_SEC = 300;
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function codexEntryFor(tunnel: CodexTunnelRef, options: CodexEntryOptions): CodexEntryPlan {
  assertServerName(options.name);
  const url = checkedUrl(tunnel.mcpUrl);
  const startup = checkedSeconds('startup timeout', options.startupTimeoutSec ?? DEFAULT_STARTUP_TIMEOUT_SEC);
  const tool = checkedSeconds('tool timeout', options.toolTimeoutSec ?? DEFAULT_TOOL_TIMEOUT_SEC);
  const openai = tunnel.kind === 'openai';
  const useHeader = !openai && options.tokenMode === 'header';
  const notes: string[] = [];
  let entry: CodexHttpEntry;
  let envVar: string | undefined;
  if (useHeader) {
    if (!tunnel.connectorToken) {
      throw new CodexConfigError(
        'codex_invalid_entry',
        "Header mode needs the tunnel's connector token: pass it, or use --token-mode env.",
      );
    }
    entry = {
      url,
      http_headers: { Authorization: `Bearer ${tunnel.connectorToken}` },
      startup_timeout_sec: startup,
      tool_timeout_sec: tool,
    };
    notes.push(
      'The connector token is stored in config.toml (local and revocable: rotate it on the relay to revoke).',
    );
  } else {
    envVar = options.envVar ?? (openai ? 'OPENAI_API_KEY' : 'MCP_TUNNEL_TOKEN');
    if (!ENV_VAR.test(envVar)) {
      throw new CodexConfigError(
        'codex_invalid_entry',
        `'${envVar}' is not a valid environment variable name (letters, digits and '_', not starting with a digit).`,
      );
    }
    entry = { url, bearer_token_env_var: envVar, startup_timeout_sec: startup, tool_timeout_sec: tool };
    notes.push(
      openai
        ? `Codex sends $${envVar} (your OpenAI API key) as the bearer token: export it where Codex starts.`
        : `Export ${envVar} with the connector token where Codex starts (Codex sends it as the bearer token).`,
    );
  }
  notes.push('Restart Codex (or start a new session) to pick up the change.');
  const toml = renderEntryTable(options.name, entry);
  return {
    name: options.name,
    entry,
    toml,
    maskedToml: maskToken(toml, tunnel.connectorToken),
    ...(envVar ? { envVar } : {}),
    notes,
  };
}

/** Replaces every occurrence of the token with a short masked form (`mcpt_ct_…abcd`). */
export function maskToken(text: string, token: string | undefined): string {
  if (!token) return text;
  const masked =
    token.length > 12 ? `${token.slice(0, Math.min(8, token.length - 4))}…${token.slice(-4)}` : '…';
  return text.split(token).join(masked);
}

function checkedUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CodexConfigError('codex_invalid_entry', `'${raw}' is not a URL: give the tunnel's MCP URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CodexConfigError(
      'codex_invalid_entry',
      `The MCP URL must be http or https, not ${url.protocol}`,
    );
  }
  if (url.username || url.password) {
    throw new CodexConfigError('codex_invalid_entry', 'The MCP URL must not carry credentials.');
  }
  return raw;
}

function checkedSeconds(what: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new CodexConfigError('codex_invalid_entry', `The ${what} must be a positive number of seconds.`);
  }
  return value;
}
