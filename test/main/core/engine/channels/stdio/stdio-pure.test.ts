import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  argvFromCommandLine,
  commandLineForDisplay,
} from '../../../../../../main/core/engine/channels/stdio/argv.js';
import { buildChildEnv } from '../../../../../../main/core/engine/channels/stdio/child-env.js';
import {
  resolveCommand,
  windowsExtensions,
} from '../../../../../../main/core/engine/channels/stdio/resolve-command.js';
import {
  escapeCmdArgument,
  planSpawn,
} from '../../../../../../main/core/engine/channels/stdio/spawn-plan.js';
import {
  killProcessTree,
  windowsTaskkillArgs,
} from '../../../../../../main/core/engine/channels/stdio/kill-tree.js';
import { StdioChannelError } from '../../../../../../main/core/engine/channels/stdio/stdio-errors.js';

describe('argvFromCommandLine', () => {
  it.each([
    [
      'npx -y @modelcontextprotocol/server-everything',
      ['npx', '-y', '@modelcontextprotocol/server-everything'],
    ],
    [`node "my server.js" --name 'a b'`, ['node', 'my server.js', '--name', 'a b']],
    [String.raw`say hello\ world "q\"x" 'lit\n'`, ['say', 'hello world', 'q"x', String.raw`lit\n`]],
    ['  spaced\t\targs  ', ['spaced', 'args']],
    ['echo $HOME *.js a|b && c > d', ['echo', '$HOME', '*.js', 'a|b', '&&', 'c', '>', 'd']],
    [`empty "" ''`, ['empty', '', '']],
    [String.raw`"a\\b\$c"`, [String.raw`a\b$c`]],
  ])('splits %s', (line, argv) => {
    expect(argvFromCommandLine(line)).toEqual(argv);
  });

  it('says where an unbalanced quote starts', () => {
    expect(() => argvFromCommandLine(`node "server.js`)).toThrow(
      /Unbalanced double quote starting at character 6/,
    );
    let caught: unknown;
    try {
      argvFromCommandLine(`a 'b`);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StdioChannelError);
    expect((caught as StdioChannelError).code).toBe('stdio_argv_unbalanced_quote');
    expect(() => argvFromCommandLine('trailing\\')).toThrow(/lone backslash/);
  });

  it('round-trips any argv through its display form', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (argv) => {
        expect(argvFromCommandLine(commandLineForDisplay(argv))).toEqual(argv);
      }),
    );
  });
});

describe('buildChildEnv', () => {
  const parent = { PATH: '/bin', HOME: '/h', SECRET: 's', AWS_PROFILE: 'p', FN: '() { :; }', TERM: '() {x' };
  it('inherits only the allow-list plus extra names, then the explicit env', () => {
    const env = buildChildEnv({
      parentEnv: parent,
      platform: 'linux',
      inheritEnv: ['AWS_PROFILE'],
      env: { PATH: '/x', K: 'v' },
    });
    expect(env).toEqual({ PATH: '/x', HOME: '/h', AWS_PROFILE: 'p', K: 'v' });
  });
  it('adds the Windows essentials, case-insensitively', () => {
    const env = buildChildEnv({
      parentEnv: { Path: 'C:\\bin', SystemRoot: 'C:\\Windows', ComSpec: 'cmd' },
      platform: 'win32',
    });
    expect(env).toEqual({ PATH: 'C:\\bin', SYSTEMROOT: 'C:\\Windows', COMSPEC: 'cmd' });
  });
});

describe('resolveCommand', () => {
  const probe = (existing: Record<string, 'ok' | 'not-executable'>) => (p: string) =>
    existing[p] ?? 'missing';
  it('searches PATH in order and resolves relative paths against cwd', () => {
    const env = { PATH: '/a:/b' };
    expect(resolveCommand('tool', { env, platform: 'linux', probe: probe({ '/b/tool': 'ok' }) })).toBe(
      '/b/tool',
    );
    expect(
      resolveCommand('./bin/tool', {
        env,
        cwd: '/proj',
        platform: 'linux',
        probe: probe({ '/proj/bin/tool': 'ok' }),
      }),
    ).toBe('/proj/bin/tool');
  });
  it('explains a missing and a non-executable command', () => {
    expect(() => resolveCommand('foo', { env: { PATH: '/a' }, platform: 'linux', probe: probe({}) })).toThrow(
      "MCP server command not found: 'foo'. Check MCP_COMMAND / mcp.commands[].command, or use an absolute path.",
    );
    expect(() =>
      resolveCommand('/x/foo', { env: {}, platform: 'linux', probe: probe({ '/x/foo': 'not-executable' }) }),
    ).toThrow(/not executable/);
  });
  it('uses PATHEXT on Windows so `npx` finds npx.cmd', () => {
    const found = resolveCommand('npx', {
      env: { Path: 'C:\\node', PATHEXT: '.EXE;.CMD' },
      platform: 'win32',
      cwd: 'C:\\work',
      probe: probe({ 'C:\\node\\npx.CMD': 'ok' }),
    });
    expect(found).toBe('C:\\node\\npx.CMD');
    expect(windowsExtensions('node.exe', '.EXE;.CMD')).toEqual(['', '.EXE', '.CMD']);
  });
});

describe('planSpawn', () => {
  it('spawns directly everywhere except Windows batch files', () => {
    expect(planSpawn('/usr/bin/node', ['a b'], 'linux')).toEqual({
      file: '/usr/bin/node',
      args: ['a b'],
      windowsVerbatimArguments: false,
    });
    expect(planSpawn('C:\\node\\node.exe', ['x'], 'win32').file).toBe('C:\\node\\node.exe');
  });
  it('wraps .cmd in cmd.exe /d /s /c with quoted, caret-escaped arguments', () => {
    const plan = planSpawn(
      'C:\\Program Files\\nodejs\\npx.cmd',
      ['-y', 'pkg@1', 'a&b', 'say "hi"'],
      'win32',
      'C:\\Windows\\cmd.exe',
    );
    expect(plan.file).toBe('C:\\Windows\\cmd.exe');
    expect(plan.windowsVerbatimArguments).toBe(true);
    expect(plan.args.slice(0, 3)).toEqual(['/d', '/s', '/c']);
    expect(plan.args[3]).toBe(
      '"C:\\Program^ Files\\nodejs\\npx.cmd ^"-y^" ^"pkg@1^" ^"a^&b^" ^"say^ \\^"hi\\^"^""',
    );
    expect(escapeCmdArgument('a\\', false)).toBe('^"a\\\\^"');
  });
});

describe('killProcessTree', () => {
  it('signals the process group on POSIX and swallows ESRCH', () => {
    const calls: [number, string | number][] = [];
    killProcessTree(42, 'SIGTERM', { platform: 'linux', kill: (pid, sig) => void calls.push([pid, sig]) });
    expect(calls).toEqual([[-42, 'SIGTERM']]);
    expect(() =>
      killProcessTree(42, 'SIGKILL', {
        platform: 'linux',
        kill: () => {
          throw Object.assign(new Error('gone'), { code: 'ESRCH' });
        },
      }),
    ).not.toThrow();
  });
  it('runs taskkill /T /F on Windows', () => {
    expect(windowsTaskkillArgs(7)).toEqual(['/pid', '7', '/T', '/F']);
  });
});
