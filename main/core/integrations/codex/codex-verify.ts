/**
 * Verify: ask the installed Codex CLI what it sees (`codex mcp get NAME --json`, no shell, with
 * a timeout) and compare it with the entry we wrote (url, bearer_token_env_var, http_headers,
 * timeouts). Header values are never put in the result, only whether they match.
 */
import { execFile } from 'node:child_process';
import { codexConfigPath, readCodexConfig, type CodexLocation } from './codex-config-file.js';
import type { CodexMcpEntry } from './entry-toml.js';
import { parseConfig } from './mcp-servers-editor.js';

export type VerifyCode =
  | 'ok'
  | 'codex_not_installed'
  | 'codex_failed'
  | 'codex_entry_missing'
  | 'codex_entry_mismatch'
  | 'codex_output_unreadable';

export interface VerifyResult {
  ok: boolean;
  code: VerifyCode;
  message: string;
  details: {
    name: string;
    /** What Codex reported for this server (header values replaced by "<set>"). */
    codex?: Record<string, unknown>;
    mismatches?: string[];
    /** Env mode: whether the variable is set in the environment given to Verify. */
    envVarSet?: boolean;
  };
}

export interface VerifyOptions extends CodexLocation {
  name: string;
  /** The codex executable (default `codex` on PATH). */
  codexBin?: string;
  /** What we wrote; default: the entry currently in config.toml. */
  expected?: CodexMcpEntry;
  timeoutMs?: number;
}

export const INSTALL_HINT =
  'Codex CLI not found: install it with `npm i -g @openai/codex`, then run Verify again.';

interface CodexGetJson {
  transport?: { type?: string; url?: string; bearer_token_env_var?: string | null; http_headers?: unknown };
  startup_timeout_sec?: number | null;
  tool_timeout_sec?: number | null;
  enabled?: boolean;
}

export async function verifyCodexEntry(options: VerifyOptions): Promise<VerifyResult> {
  const { name } = options;
  const env = { ...options.env, ...(options.codexHome ? { CODEX_HOME: options.codexHome } : {}) };
  const run = await runCodex(
    options.codexBin ?? 'codex',
    ['mcp', 'get', name, '--json'],
    env,
    options.timeoutMs,
  );
  if (run.kind === 'missing')
    return { ok: false, code: 'codex_not_installed', message: INSTALL_HINT, details: { name } };
  if (run.kind === 'failed') {
    const notFound = /No MCP server named/i.test(run.stderr);
    return {
      ok: false,
      code: notFound ? 'codex_entry_missing' : 'codex_failed',
      message: notFound
        ? `Codex does not list '${name}': run Add to Codex again (and check CODEX_HOME).`
        : `\`codex mcp get ${name}\` failed: ${lastLine(run.stderr) || run.reason}`,
      details: { name },
    };
  }
  let got: CodexGetJson;
  try {
    got = JSON.parse(run.stdout) as CodexGetJson;
  } catch {
    return {
      ok: false,
      code: 'codex_output_unreadable',
      message: `\`codex mcp get ${name} --json\` printed something that is not JSON; is this an old Codex version?`,
      details: { name },
    };
  }
  const expected = options.expected ?? (await entryInFile(options));
  const mismatches = expected ? compare(got, expected) : ['the entry is not in config.toml'];
  const envVar = got.transport?.bearer_token_env_var ?? undefined;
  const details: VerifyResult['details'] = {
    name,
    codex: redacted(got),
    ...(envVar ? { envVarSet: Boolean(options.env[envVar]) } : {}),
  };
  if (mismatches.length > 0) {
    return {
      ok: false,
      code: 'codex_entry_mismatch',
      message: `Codex sees '${name}' differently from what MCP Tunnel wrote: ${mismatches.join('; ')}.`,
      details: { ...details, mismatches },
    };
  }
  const envNote =
    envVar && !options.env[envVar] ? ` Note: ${envVar} is not set here; Codex needs it where it starts.` : '';
  return {
    ok: true,
    code: 'ok',
    message: `Codex sees '${name}' at ${got.transport?.url ?? '?'} as written.${envNote}`,
    details,
  };
}

function compare(got: CodexGetJson, expected: CodexMcpEntry): string[] {
  const out: string[] = [];
  const t = got.transport ?? {};
  if (t.type !== 'streamable_http') out.push(`transport is ${t.type ?? 'missing'}, not streamable_http`);
  if (t.url !== expected.url)
    out.push(`url is ${t.url ?? 'missing'}, expected ${JSON.stringify(expected.url)}`);
  if ((t.bearer_token_env_var ?? undefined) !== expected.bearer_token_env_var) {
    out.push(
      `bearer_token_env_var is ${t.bearer_token_env_var ?? 'unset'}, expected ${JSON.stringify(expected.bearer_token_env_var ?? 'unset')}`,
    );
  }
  if (JSON.stringify(t.http_headers ?? null) !== JSON.stringify(expected.http_headers ?? null)) {
    out.push('http_headers differ');
  }
  if ((got.startup_timeout_sec ?? undefined) !== expected.startup_timeout_sec)
    out.push('startup_timeout_sec differs');
  if ((got.tool_timeout_sec ?? undefined) !== expected.tool_timeout_sec) out.push('tool_timeout_sec differs');
  if (got.enabled === false) out.push('the server is disabled in Codex');
  return out;
}

async function entryInFile(location: CodexLocation & { name: string }): Promise<CodexMcpEntry | undefined> {
  const doc = parseConfig(await readCodexConfig(codexConfigPath(location)));
  const servers = doc.mcp_servers as Record<string, CodexMcpEntry> | undefined;
  return servers?.[location.name];
}

function redacted(got: CodexGetJson): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(got)) as CodexGetJson & Record<string, unknown>;
  const headers = copy.transport?.http_headers;
  if (headers && typeof headers === 'object') {
    for (const key of Object.keys(headers)) (headers as Record<string, string>)[key] = '<set>';
  }
  return copy;
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('WARNING:') && !/^\d+:/.test(l) && l !== 'Stack backtrace:');
  return lines.find((l) => l.startsWith('Error:')) ?? lines[lines.length - 1] ?? '';
}

type CodexRun =
  { kind: 'ok'; stdout: string } | { kind: 'missing' } | { kind: 'failed'; stderr: string; reason: string };

function runCodex(
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 15_000,
): Promise<CodexRun> {
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) return resolve({ kind: 'ok', stdout });
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES') return resolve({ kind: 'missing' });
        const reason = err.killed
          ? `timed out after ${timeoutMs} ms`
          : `exit code ${String(code ?? err.signal)}`;
        resolve({ kind: 'failed', stderr, reason });
      },
    );
  });
}
