/**
 * The tray's one-click "Add to Codex" for a running tunnel, straight on the core integration:
 * writes `[mcp_servers.mcp-tunnel-<id>]` into $CODEX_HOME/config.toml. Our own front door (demo,
 * self-hosted relay) gets the connector token as an Authorization header, so it works with no
 * environment setup (the token is local and revocable); an OpenAI tunnel gets the hosted URL with
 * `bearer_token_env_var = "OPENAI_API_KEY"`. The token never appears in the returned text.
 */
import type { TunnelSummary } from '../../preload/contract/dto.js';
import { addToCodex, codexEntryFor, suggestServerName } from '../core/integrations/codex/index.js';

export interface CodexActionDeps {
  env: NodeJS.ProcessEnv;
  codexHome?: string;
  /** The tunnel's connector token, when the front door is ours. */
  connectorToken: (id: string) => string | undefined;
}

export interface CodexActionResult {
  name: string;
  path: string;
  changed: boolean;
  /** What to tell the user (restart Codex, export a variable). */
  notes: string[];
}

export function codexServerName(tunnelId: string): string {
  return suggestServerName(tunnelId.startsWith('mcp-tunnel') ? tunnelId : `mcp-tunnel-${tunnelId}`);
}

export async function addTunnelToCodex(
  tunnel: TunnelSummary,
  deps: CodexActionDeps,
): Promise<CodexActionResult> {
  if (!tunnel.mcpUrl) throw new Error(`${tunnel.displayName} has no MCP URL yet: start it first.`);
  const token = tunnel.connection === 'openai' ? undefined : deps.connectorToken(tunnel.id);
  const plan = codexEntryFor(
    { kind: tunnel.connection, mcpUrl: tunnel.mcpUrl, ...(token ? { connectorToken: token } : {}) },
    { name: codexServerName(tunnel.id), tokenMode: token ? 'header' : 'env' },
  );
  const written = await addToCodex({
    name: plan.name,
    entry: plan.entry,
    env: deps.env,
    ...(deps.codexHome ? { codexHome: deps.codexHome } : {}),
  });
  return { name: plan.name, path: written.path, changed: written.changed, notes: plan.notes };
}
