/**
 * "Add to Codex" for the admin UI: preview / add / remove / verify the `[mcp_servers.NAME]`
 * entry of a tunnel the manager runs, through main/core/integrations/codex. The preview shows the
 * entry with the connector token masked; the token itself is read from the manager and only
 * ever written into Codex's config.toml (header mode).
 */
import type { CodexEntryRequest, CodexPreview, CodexVerifyResult } from '../../../preload/contract/dto.js';
import {
  addToCodex,
  codexEntryFor,
  CodexConfigError,
  previewCodexEntry,
  removeFromCodex,
  suggestServerName,
  verifyCodexEntry,
  type CodexEntryOptions,
  type CodexTunnelRef,
} from '../integrations/codex/index.js';
import { ContractFailure } from './admin-service.js';
import type { TunnelManager } from './tunnel-manager.js';

export interface CodexAdminDeps {
  manager: TunnelManager;
  /** The daemon's environment (CODEX_HOME, HOME, PATH for `codex`). */
  env: NodeJS.ProcessEnv;
  /** The codex executable for Verify (default `codex` on PATH). */
  codexBin?: string;
}

export interface CodexAdmin {
  preview(params: Record<string, unknown>): Promise<CodexPreview>;
  add(params: Record<string, unknown>): Promise<{ configPath: string; changed: boolean }>;
  remove(params: Record<string, unknown>): Promise<{ removed: boolean }>;
  verify(params: Record<string, unknown>): Promise<CodexVerifyResult>;
}

/** The Codex server name the UI proposes for a tunnel. */
export function defaultCodexName(tunnelId: string): string {
  return suggestServerName(`mcp-tunnel-${tunnelId}`);
}

function bad(message: string): never {
  throw new ContractFailure({ code: 'bad_request', message });
}

function parseRequest(params: Record<string, unknown>): CodexEntryRequest {
  if (typeof params.tunnelId !== 'string' || !params.tunnelId) bad("'tunnelId' must be a non-empty string.");
  if (params.tokenMode !== 'header' && params.tokenMode !== 'env')
    bad("'tokenMode' must be 'header' or 'env'.");
  if (params.name !== undefined && typeof params.name !== 'string') bad("'name' must be a string.");
  return {
    tunnelId: params.tunnelId,
    tokenMode: params.tokenMode,
    ...(params.name ? { name: params.name } : {}),
  };
}

function nameParam(params: Record<string, unknown>): string {
  if (typeof params.name !== 'string' || !params.name) bad("'name' must be a non-empty string.");
  return params.name;
}

async function mapCodexErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof CodexConfigError)) throw err;
    const code =
      err.code === 'codex_invalid_name' || err.code === 'codex_invalid_entry'
        ? 'bad_request'
        : err.code === 'codex_config_locked'
          ? 'conflict'
          : 'unavailable';
    throw new ContractFailure({ code, message: err.message });
  }
}

export function createCodexAdmin(deps: CodexAdminDeps): CodexAdmin {
  const { manager, env } = deps;

  function plan(req: CodexEntryRequest): { tunnel: CodexTunnelRef; entryOptions: CodexEntryOptions } {
    const spec = manager.get(req.tunnelId).spec;
    if (!spec.mcpUrl)
      throw new ContractFailure({
        code: 'unavailable',
        message:
          spec.connection === 'openai'
            ? `Tunnel '${spec.id}' goes through OpenAI: add its hosted tunnel URL in Codex with \`mcp-tunnel codex add --kind openai --mcp-url URL\`.`
            : `Tunnel '${spec.id}' has no MCP URL here yet: start it first.`,
      });
    return {
      tunnel: {
        kind: spec.connection,
        mcpUrl: spec.mcpUrl,
        ...(spec.connectorToken ? { connectorToken: spec.connectorToken } : {}),
      },
      entryOptions: { name: req.name ?? defaultCodexName(spec.id), tokenMode: req.tokenMode },
    };
  }

  return {
    preview: (params) =>
      mapCodexErrors(async () => {
        const p = await previewCodexEntry({ env, ...plan(parseRequest(params)) });
        return {
          configPath: p.path,
          name: p.name,
          entryToml: p.maskedToml,
          notes: p.notes,
          replaces: p.replaces,
        };
      }),
    add: (params) =>
      mapCodexErrors(async () => {
        const { tunnel, entryOptions } = plan(parseRequest(params));
        const made = codexEntryFor(tunnel, entryOptions);
        const result = await addToCodex({ env, name: made.name, entry: made.entry });
        return { configPath: result.path, changed: result.changed };
      }),
    remove: (params) =>
      mapCodexErrors(async () => ({
        removed: (await removeFromCodex({ env, name: nameParam(params) })).removed,
      })),
    verify: (params) =>
      mapCodexErrors(async () => {
        const result = await verifyCodexEntry({
          env,
          name: nameParam(params),
          ...(deps.codexBin ? { codexBin: deps.codexBin } : {}),
        });
        return { ok: result.ok, code: result.code, message: result.message };
      }),
  };
}
