/**
 * Preflight of a stdio MCP server, without running it: the working directory exists, the
 * executable resolves on the PATH the server will get (the same allow-listed environment the
 * channel builds), and when the executable is a script, its `#!` interpreter resolves too
 * (`#!/usr/bin/env python3` → python3 on that PATH). For well-known interpreters (node,
 * python, …) the script argument must exist. Only paths are reported, never the arguments
 * (they may carry a token).
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { StdioChannelConfig } from '../engine/config.js';
import { buildChildEnv } from '../engine/channels/stdio/child-env.js';
import { resolveCommand, splitPath } from '../engine/channels/stdio/resolve-command.js';
import { StdioChannelError } from '../engine/channels/stdio/stdio-errors.js';
import { check, channelCheckId, type DoctorCheck } from './doctor-check.js';

export interface StdioPreflightOptions {
  /** The environment the doctor runs in (the server inherits only its allow-listed part). */
  parentEnv: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

const INTERPRETERS = new Set([
  'node',
  'nodejs',
  'bun',
  'deno',
  'tsx',
  'python',
  'python3',
  'python2',
  'ruby',
  'perl',
  'bash',
  'sh',
  'zsh',
  'php',
]);
const SCRIPT_EXT = /\.(m?js|cjs|m?ts|py|rb|pl|sh|php)$/i;

export async function stdioPreflight(
  channel: StdioChannelConfig,
  options: StdioPreflightOptions,
): Promise<DoctorCheck> {
  const id = channelCheckId(channel.name, 'preflight');
  const platform = options.platform ?? process.platform;
  const env = buildChildEnv({
    ...(channel.env ? { env: channel.env } : {}),
    parentEnv: options.parentEnv,
    platform,
  });
  const command = channel.argv[0] ?? '';
  const evidence: string[] = [];
  if (channel.cwd) {
    const isDir = await stat(channel.cwd).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) {
      return check(id, 'fail', `The working directory of channel '${channel.name}' does not exist.`, {
        evidence: `cwd: ${channel.cwd}`,
        nextStep: `Create ${channel.cwd} or fix mcp.commands[].cwd for channel '${channel.name}'.`,
      });
    }
    evidence.push(`cwd: ${channel.cwd}`);
  }
  const searched = `PATH searched: ${splitPath(env.PATH ?? env.Path, platform).join(path.delimiter) || '(empty)'}`;
  let resolved: string;
  try {
    resolved = resolveCommand(command, { env, ...(channel.cwd ? { cwd: channel.cwd } : {}), platform });
  } catch (err) {
    if (!(err instanceof StdioChannelError)) throw err;
    const notFound = err.code === 'stdio_command_not_found';
    return check(
      id,
      'fail',
      notFound
        ? `The MCP server command '${command}' of channel '${channel.name}' is not found.`
        : `The MCP server command '${command}' of channel '${channel.name}' is not executable.`,
      {
        why: err.message,
        evidence: [...evidence, searched],
        nextStep: notFound
          ? `Install '${command}', or write its absolute path in the command (desktop apps and services often get a shorter PATH than your shell; \`command -v ${command}\` in your shell shows the path).`
          : `Run \`chmod +x\` on it, or start it through its interpreter (e.g. \`node server.js\`, \`python3 server.py\`).`,
      },
    );
  }
  evidence.push(`executable: ${resolved}`);
  if (platform !== 'win32') {
    const shebang = await readShebang(resolved);
    if (shebang) {
      const interp = resolveInterpreter(shebang, env, platform);
      if (!interp.ok) {
        return check(
          id,
          'fail',
          `The interpreter of '${command}' (channel '${channel.name}') is not found.`,
          {
            why: `${resolved} starts with '#!${shebang}', and ${interp.problem}.`,
            evidence: [...evidence, searched],
            nextStep: `Install ${interp.missing}, or change the script's first line to an interpreter that exists, or run the script through an interpreter given by absolute path.`,
          },
        );
      }
      evidence.push(`interpreter: ${interp.path}${interp.via ? ` (via ${interp.via})` : ''}`);
    }
  }
  const base = path
    .basename(resolved)
    .replace(/\.exe$/i, '')
    .toLowerCase();
  if (INTERPRETERS.has(base)) {
    const script = channel.argv.slice(1).find((a) => !a.startsWith('-') && SCRIPT_EXT.test(a));
    if (script) {
      const full = path.resolve(channel.cwd ?? process.cwd(), script);
      const exists = await stat(full).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!exists) {
        return check(
          id,
          'fail',
          `The script '${script}' that ${base} should run (channel '${channel.name}') does not exist.`,
          {
            evidence: [...evidence, `looked for: ${full}`],
            nextStep: `Fix the script path in the command (relative paths are taken from ${channel.cwd ? 'cwd' : 'the directory mcp-tunnel runs in'}; an absolute path is safer).`,
          },
        );
      }
      evidence.push(`script: ${full}`);
    }
  }
  return check(id, 'pass', `'${command}' resolves to ${resolved}.`, { evidence });
}

/** The `#!` line without the marker, or undefined when the file is not a script. */
async function readShebang(file: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
    const buffer = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8');
    if (!head.startsWith('#!')) return undefined;
    return head.slice(2).split(/\r?\n/)[0]?.trim();
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

type InterpreterResult =
  { ok: true; path: string; via?: string } | { ok: false; problem: string; missing: string };

function resolveInterpreter(
  shebang: string,
  env: Record<string, string>,
  platform: NodeJS.Platform,
): InterpreterResult {
  const [program = '', ...args] = shebang.split(/\s+/).filter(Boolean);
  const find = (name: string): string | undefined => {
    try {
      return resolveCommand(name, { env, platform });
    } catch {
      return undefined;
    }
  };
  const interpreter = find(program);
  if (!interpreter)
    return {
      ok: false,
      problem: `${program || '(nothing)'} does not exist or is not executable`,
      missing: program,
    };
  if (path.basename(program) !== 'env') return { ok: true, path: interpreter };
  // `#!/usr/bin/env [-S] [-i] [NAME=value …] program [args]`
  const target = args.find((a) => !a.startsWith('-') && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(a));
  if (!target) return { ok: true, path: interpreter };
  const found = find(target);
  if (!found)
    return { ok: false, problem: `'${target}' is not on the PATH the server gets`, missing: `'${target}'` };
  return { ok: true, path: found, via: interpreter };
}
