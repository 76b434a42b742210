/**
 * How to hand a resolved command to `child_process.spawn` without a shell. On Windows, `.cmd`
 * and `.bat` files (npx, npm shims) cannot be spawned directly (EINVAL since Node 20.12.2), so
 * they run as `cmd.exe /d /s /c "<quoted command line>"` with every argument quoted for the C
 * runtime and cmd metacharacters caret-escaped (the cross-spawn recipe).
 */
export interface SpawnPlan {
  file: string;
  args: string[];
  windowsVerbatimArguments: boolean;
}

const CMD_META = /([()\][%!^"`<>&|;, *?])/g;
const CMD_SHIM = /node_modules[\\/]\.bin[\\/][^\\/]+\.cmd$/i;

export function planSpawn(
  resolved: string,
  args: readonly string[],
  platform: NodeJS.Platform = process.platform,
  comspec = 'cmd.exe',
): SpawnPlan {
  if (platform !== 'win32' || !/\.(cmd|bat)$/i.test(resolved)) {
    return { file: resolved, args: [...args], windowsVerbatimArguments: false };
  }
  const doubleEscape = CMD_SHIM.test(resolved);
  const line = [escapeCmdCommand(resolved), ...args.map((a) => escapeCmdArgument(a, doubleEscape))].join(' ');
  return { file: comspec, args: ['/d', '/s', '/c', `"${line}"`], windowsVerbatimArguments: true };
}

/** The program path inside a cmd.exe command line: caret-escape metacharacters. */
export function escapeCmdCommand(command: string): string {
  return command.replace(CMD_META, '^$1');
}

/**
 * One argument inside a cmd.exe command line: first quote it for the MSVC runtime (backslashes
 * before a quote or the end doubled, quotes escaped), then caret-escape cmd metacharacters
 * (twice for node_modules/.bin shims, which re-parse their arguments once more).
 */
export function escapeCmdArgument(arg: string, doubleEscape = false): string {
  let quoted = arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\*)$/, '$1$1');
  quoted = `"${quoted}"`.replace(CMD_META, '^$1');
  return doubleEscape ? quoted.replace(CMD_META, '^$1') : quoted;
}
