/**
 * `npm start`'s decision (scripts/start.mjs): launch the tray app in Electron when it can start,
 * otherwise say why in one line and run the headless daemon with the demo. Pure functions; the
 * script does the spawning.
 *   before:  no Electron binary (it downloads lazily at first launch) → fallback
 *            Linux without DISPLAY / WAYLAND_DISPLAY → fallback
 *            MCP_TUNNEL_HEADLESS=1 → fallback
 *   after:   Electron exited before printing its ready line (and not because we stopped it)
 *            → fallback with its last stderr line; otherwise pass its exit code on
 */
import { join } from 'node:path';

export type LaunchPlan = { kind: 'electron'; binary: string } | { kind: 'fallback'; reason: string };
export type AfterExit = { kind: 'exit'; code: number } | { kind: 'fallback'; reason: string };

export interface LaunchInput {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The resolved Electron executable, or undefined when none is installed. */
  binary: string | undefined;
}

export const INSTALL_ELECTRON_HINT =
  "Electron's binary is not installed (it is downloaded at first launch; with internet access run `npx install-electron`)";

export function decideLaunch(input: LaunchInput): LaunchPlan {
  if (input.env.MCP_TUNNEL_HEADLESS === '1')
    return { kind: 'fallback', reason: 'MCP_TUNNEL_HEADLESS=1 is set' };
  if (!input.binary) return { kind: 'fallback', reason: INSTALL_ELECTRON_HINT };
  if (input.platform === 'linux' && !input.env.DISPLAY && !input.env.WAYLAND_DISPLAY)
    return { kind: 'fallback', reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  return { kind: 'electron', binary: input.binary };
}

export interface ExitInput {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Electron printed the shell's ready line. */
  started: boolean;
  /** We asked it to stop (Ctrl-C). */
  stopping: boolean;
  stderr: string;
  /** Set when spawning failed (ENOENT, EACCES). */
  spawnError?: string;
}

export function decideAfterExit(input: ExitInput): AfterExit {
  if (input.spawnError)
    return { kind: 'fallback', reason: `Electron could not be started (${input.spawnError})` };
  if (input.started || input.stopping) return { kind: 'exit', code: input.code ?? (input.signal ? 130 : 0) };
  const last =
    input.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? '';
  const how = input.signal ? `was killed by ${input.signal}` : `exited with code ${input.code ?? 'unknown'}`;
  return {
    kind: 'fallback',
    reason: `Electron ${how} before starting${last ? `: ${last.slice(0, 200)}` : ''}`,
  };
}

/**
 * Where the Electron executable is, without triggering electron's lazy download:
 * MCP_TUNNEL_ELECTRON (an explicit path), else ELECTRON_OVERRIDE_DIST_PATH, else
 * node_modules/electron/dist/<path.txt>. `exists` is injected (fs.existsSync).
 */
export function electronBinary(
  env: NodeJS.ProcessEnv,
  electronPackageDir: string,
  pathTxt: string | undefined,
  exists: (path: string) => boolean,
): string | undefined {
  const explicit = env.MCP_TUNNEL_ELECTRON?.trim();
  if (explicit) return exists(explicit) ? explicit : undefined;
  const name = pathTxt?.trim();
  const override = env.ELECTRON_OVERRIDE_DIST_PATH?.trim();
  const candidate = override
    ? join(override, name || 'electron')
    : name
      ? join(electronPackageDir, 'dist', name)
      : undefined;
  return candidate && exists(candidate) ? candidate : undefined;
}
