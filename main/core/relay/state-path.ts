/** Default location of the standalone relay's state file. */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `<platform config dir>/mcp-tunnel` (XDG on Linux, Application Support on macOS, %APPDATA% on Windows). */
export function platformConfigDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'win32') return join(env['APPDATA'] || join(home, 'AppData', 'Roaming'), 'mcp-tunnel');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'mcp-tunnel');
  return join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'mcp-tunnel');
}

/** `$MCP_TUNNEL_RELAY_STATE`, else `<config dir>/mcp-tunnel/relay-state.json`. */
export function defaultRelayStatePath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  return env['MCP_TUNNEL_RELAY_STATE'] || join(platformConfigDir(env, platform, home), 'relay-state.json');
}
