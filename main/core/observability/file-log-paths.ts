/**
 * Where file logs live. Pure: environment, platform and home directory come in as arguments so
 * every platform is testable anywhere.
 *
 *   Linux    $XDG_STATE_HOME/mcp-tunnel/logs   (default ~/.local/state/mcp-tunnel/logs)
 *   macOS    ~/Library/Logs/mcp-tunnel
 *   Windows  %LOCALAPPDATA%\mcp-tunnel\logs    (default ~\AppData\Local\mcp-tunnel\logs)
 *   Override: $MCP_TUNNEL_LOG_DIR (a leading ~ is expanded).
 */
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

export const LOG_DIR_ENV = 'MCP_TUNNEL_LOG_DIR';
export const DEFAULT_LOG_FILE_NAME = 'mcp-tunnel.log';

export function defaultLogDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const p = platform === 'win32' ? win32 : posix;
  const override = env[LOG_DIR_ENV]?.trim();
  if (override) {
    if (override === '~') return home;
    if (override.startsWith('~/') || override.startsWith('~\\')) return p.join(home, override.slice(2));
    return override;
  }
  if (platform === 'win32') {
    const local = env['LOCALAPPDATA']?.trim();
    return p.join(local || p.join(home, 'AppData', 'Local'), 'mcp-tunnel', 'logs');
  }
  if (platform === 'darwin') return p.join(home, 'Library', 'Logs', 'mcp-tunnel');
  const xdg = env['XDG_STATE_HOME']?.trim();
  return p.join(xdg && p.isAbsolute(xdg) ? xdg : p.join(home, '.local', 'state'), 'mcp-tunnel', 'logs');
}
