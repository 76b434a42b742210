/**
 * The environment a stdio MCP server gets, built deliberately (never the whole parent
 * environment): a default allow-list of inherited variables, optional extra inherited names,
 * then the explicitly configured `env` (values may be secrets: never logged).
 */
export const POSIX_INHERITED_ENV = [
  'HOME',
  'PATH',
  'USER',
  'LOGNAME',
  'SHELL',
  'TERM',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TMPDIR',
  'TZ',
] as const;

export const WINDOWS_INHERITED_ENV = [
  'APPDATA',
  'LOCALAPPDATA',
  'COMSPEC',
  'SYSTEMROOT',
  'SYSTEMDRIVE',
  'PATHEXT',
  'USERPROFILE',
  'PROGRAMDATA',
  'PROGRAMFILES',
  'TEMP',
  'TMP',
  'WINDIR',
] as const;

export interface ChildEnvOptions {
  /** Explicit variables for the server (win over inherited ones). */
  env?: Readonly<Record<string, string>>;
  /** Extra names to inherit from the parent environment, beyond the default allow-list. */
  inheritEnv?: readonly string[];
  /** The parent environment (default `process.env`). */
  parentEnv?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

export function buildChildEnv(options: ChildEnvOptions = {}): Record<string, string> {
  const platform = options.platform ?? process.platform;
  const parent = options.parentEnv ?? process.env;
  const names: string[] = [...POSIX_INHERITED_ENV];
  if (platform === 'win32') names.push(...WINDOWS_INHERITED_ENV);
  if (options.inheritEnv) names.push(...options.inheritEnv);
  const out: Record<string, string> = {};
  const lookup = platform === 'win32' ? caseInsensitiveLookup(parent) : (name: string) => parent[name];
  for (const name of names) {
    const value = lookup(name);
    // Shell functions exported by bash look like `() {…}`: never pass them on (Shellshock class).
    if (value !== undefined && !value.startsWith('()')) out[name] = value;
  }
  if (options.env) Object.assign(out, options.env);
  return out;
}

/** Windows environment names are case-insensitive (`Path` vs `PATH`). */
function caseInsensitiveLookup(env: NodeJS.ProcessEnv): (name: string) => string | undefined {
  const byUpper = new Map<string, string>();
  for (const [key, value] of Object.entries(env))
    if (value !== undefined) byUpper.set(key.toUpperCase(), value);
  return (name) => byUpper.get(name.toUpperCase());
}
