/**
 * The wizard's live checks: `probe.command` finds a command line's executable the way the stdio
 * channel will (same allow-listed PATH, never run), and `probe.url` makes one real MCP
 * `initialize` against a Streamable HTTP server through the engine's own channel, ends the
 * session with DELETE and stops the channel, all under a timeout.
 */
import type { CommandProbeResult, UrlProbeResult } from '../../../preload/contract/dto.js';
import { buildChannel } from '../engine/build-tunnel.js';
import { argvFromCommandLine } from '../engine/channels/stdio/argv.js';
import { buildChildEnv } from '../engine/channels/stdio/child-env.js';
import { resolveCommand } from '../engine/channels/stdio/resolve-command.js';
import { StdioChannelError } from '../engine/channels/stdio/stdio-errors.js';
import type { JsonObject } from '../engine/protocol/wire.js';
import type { Logger } from '../observability/logger.js';
import { ContractFailure } from './admin-service.js';
import { stringMap } from './draft-params.js';

export interface ProbeAdminDeps {
  /** The daemon's environment: the server inherits its allow-listed part (PATH, HOME, …). */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Bound on the whole URL probe (default 8000 ms). */
  timeoutMs?: number;
}

export interface ProbeAdmin {
  command(params: Record<string, unknown>): Promise<CommandProbeResult>;
  url(params: Record<string, unknown>): Promise<UrlProbeResult>;
}

const PROBE_CLIENT = { name: 'mcp-tunnel-wizard', version: '1' };
const PROTOCOL_VERSION = '2025-06-18';

function requiredString(params: Record<string, unknown>, key: string): string {
  const v = params[key];
  if (typeof v !== 'string')
    throw new ContractFailure({ code: 'bad_request', message: `'${key}' must be a string.` });
  return v;
}

export function createProbeAdmin(deps: ProbeAdminDeps): ProbeAdmin {
  const timeoutMs = deps.timeoutMs ?? 8000;
  return {
    async command(params) {
      const command = requiredString(params, 'command');
      const cwd = typeof params.cwd === 'string' && params.cwd ? params.cwd : undefined;
      let argv: string[];
      try {
        argv = argvFromCommandLine(command);
      } catch (err) {
        return { ok: false, message: `${(err as Error).message}` };
      }
      const executable = argv[0];
      if (!executable)
        return {
          ok: false,
          message: 'Enter the command that starts the MCP server, e.g. npx -y my-mcp-server.',
        };
      try {
        const resolvedPath = resolveCommand(executable, {
          env: buildChildEnv({ parentEnv: deps.env }),
          ...(cwd ? { cwd } : {}),
        });
        return { ok: true, message: `Found ${resolvedPath}.`, resolvedPath };
      } catch (err) {
        if (!(err instanceof StdioChannelError)) throw err;
        return {
          ok: false,
          message:
            err.code === 'stdio_command_not_found'
              ? `'${executable}' is not on the server's PATH: install it, or enter its absolute path.`
              : `'${executable}' is not executable: make it executable (chmod +x) or run it through its interpreter (e.g. node server.js).`,
        };
      }
    },

    async url(params) {
      const url = requiredString(params, 'url').trim();
      const headers = stringMap(params.headers, 'headers');
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return {
          ok: false,
          message: 'Enter the full URL of the MCP endpoint, e.g. http://127.0.0.1:3000/mcp.',
        };
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
        return { ok: false, message: 'The URL must start with http:// or https://.' };
      const channel = buildChannel(
        { name: 'probe', kind: 'http', url, ...(headers ? { extraHeaders: headers } : {}) },
        deps.logger,
      );
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await channel.start();
        const outcome = await channel.send({
          requestId: 'wizard-probe',
          headers: {},
          signal,
          notify: () => undefined,
          message: {
            jsonrpc: '2.0',
            id: 'mcp-tunnel-wizard',
            method: 'initialize',
            params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: PROBE_CLIENT },
          },
        });
        const session = outcome.kind === 'jsonrpc' ? outcome.headers['Mcp-Session-Id']?.[0] : undefined;
        if (session)
          await channel
            .terminateSession({
              requestId: 'wizard-probe-end',
              headers: { 'Mcp-Session-Id': [session] },
              signal,
            })
            .catch(() => undefined);
        if (outcome.kind === 'failure') {
          const f = outcome.failure;
          if (signal.aborted)
            return {
              ok: false,
              message: `No answer within ${timeoutMs / 1000} s: check that the server runs and the URL is right.`,
            };
          if (f.upstream_status === 401 || f.upstream_status === 403)
            return {
              ok: false,
              message: `The server refused the request (HTTP ${f.upstream_status}): add the header it needs (e.g. Authorization) under Advanced.`,
            };
          const detail = f.upstream_status
            ? `HTTP ${f.upstream_status}`
            : (f.transport_error_kind ?? f.source);
          return {
            ok: false,
            message: `Could not reach an MCP server at this URL (${detail}): check the address and that the server runs.`,
          };
        }
        if (outcome.kind !== 'jsonrpc')
          return {
            ok: false,
            message: `The URL answered, but not as an MCP server (HTTP ${outcome.status}): use its MCP endpoint (often /mcp).`,
          };
        const error = outcome.message.error as { code?: number; message?: string } | undefined;
        if (error || outcome.status >= 400)
          return {
            ok: false,
            message: `The server refused initialize (${error ? `${error.code ?? '?'}: ${String(error.message ?? '').slice(0, 120)}` : `HTTP ${outcome.status}`}).`,
          };
        const result = (outcome.message.result ?? {}) as JsonObject;
        const info = (result.serverInfo ?? {}) as { name?: unknown };
        const serverName = typeof info.name === 'string' ? info.name : undefined;
        const protocolVersion =
          typeof result.protocolVersion === 'string' ? result.protocolVersion : undefined;
        return {
          ok: true,
          message: `${serverName ?? 'The server'} answered initialize${protocolVersion ? ` (protocol ${protocolVersion})` : ''}.`,
          ...(serverName ? { serverName } : {}),
          ...(protocolVersion ? { protocolVersion } : {}),
        };
      } catch (err) {
        return {
          ok: false,
          message: signal.aborted
            ? `No answer within ${timeoutMs / 1000} s: check that the server runs and the URL is right.`
            : `The probe failed (${(err as Error).name}): check the URL.`,
        };
      } finally {
        await channel.stop().catch(() => undefined);
      }
    },
  };
}
