/**
 * Where profiles live and what they may be called. Pure functions: platform, environment and
 * home directory come in as arguments so every platform is testable anywhere.
 *
 *   Linux    $XDG_CONFIG_HOME/mcp-tunnel/profiles   (default ~/.config/mcp-tunnel/profiles)
 *   macOS    ~/Library/Application Support/mcp-tunnel/profiles
 *   Windows  %APPDATA%\mcp-tunnel\profiles           (default ~\AppData\Roaming\…)
 *   Override: --profile-dir DIR, else $MCP_TUNNEL_PROFILE_DIR (a leading ~ is expanded).
 */
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import { ProfileError } from './profile-errors.js';

export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const PROFILE_DIR_ENV = 'MCP_TUNNEL_PROFILE_DIR';

export interface PlatformContext {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

function pathsFor(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

/** The platform's default profile directory (no overrides). */
export function defaultProfileDir(ctx: PlatformContext = {}): string {
  const platform = ctx.platform ?? process.platform;
  const env = ctx.env ?? process.env;
  const home = ctx.home ?? homedir();
  const p = pathsFor(platform);
  if (platform === 'win32') {
    return p.join(env['APPDATA'] || p.join(home, 'AppData', 'Roaming'), 'mcp-tunnel', 'profiles');
  }
  if (platform === 'darwin') return p.join(home, 'Library', 'Application Support', 'mcp-tunnel', 'profiles');
  const xdg = env['XDG_CONFIG_HOME']?.trim();
  return p.join(xdg && p.isAbsolute(xdg) ? xdg : p.join(home, '.config'), 'mcp-tunnel', 'profiles');
}

/** `--profile-dir` beats $MCP_TUNNEL_PROFILE_DIR beats the platform default. */
export function resolveProfileDir(flagDir: string | undefined, ctx: PlatformContext = {}): string {
  const env = ctx.env ?? process.env;
  const chosen = flagDir?.trim() || env[PROFILE_DIR_ENV]?.trim();
  if (!chosen) return defaultProfileDir(ctx);
  return expandHome(chosen, ctx);
}

export function expandHome(path: string, ctx: PlatformContext = {}): string {
  const home = ctx.home ?? homedir();
  const p = pathsFor(ctx.platform ?? process.platform);
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return p.join(home, path.slice(2));
  return path;
}

export function isValidProfileName(name: string): boolean {
  return PROFILE_NAME_PATTERN.test(name);
}

export function checkProfileName(name: string): string {
  if (!isValidProfileName(name)) {
    throw new ProfileError(
      'profile_name_invalid',
      `'${name.slice(0, 80)}' is not a profile name: start with a letter or digit, then up to 63 letters, digits, '.', '_' or '-'.`,
    );
  }
  return name;
}

/**
 * True when `--profile X` means a file rather than a stored name: it contains a path separator
 * or ends in .yaml/.yml.
 */
export function looksLikeProfilePath(value: string): boolean {
  return /[/\\]/.test(value) || /\.ya?ml$/i.test(value);
}

/** A path as shown to users: the home directory abbreviated to ~. */
export function displayPath(path: string, home: string = homedir()): string {
  if (home && (path === home || path.startsWith(home + '/') || path.startsWith(home + '\\'))) {
    return '~' + path.slice(home.length);
  }
  return path;
}
