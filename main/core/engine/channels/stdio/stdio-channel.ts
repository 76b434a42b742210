/**
 * A Channel to a stdio MCP server: one supervised child shared by many concurrent callers
 * (ids rewritten by the multiplexer), restarted with backoff, handshake replayed, whole
 * process tree stopped. See supervisor.ts for the lifecycle and stream/ for the JSON-RPC rules.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import type { Logger } from '../../../observability/logger.js';
import { systemClock, type Clock } from '../../../runtime/clock.js';
import type { Channel, ChannelSnapshot } from '../channel.js';
import { StreamMultiplexer } from '../stream/stream-multiplexer.js';
import { commandLineForDisplay } from './argv.js';
import { buildChildEnv } from './child-env.js';
import { spawnChild, type SpawnFunction } from './child-process.js';
import { resolveCommand } from './resolve-command.js';
import { planSpawn } from './spawn-plan.js';
import { StdioChannelError } from './stdio-errors.js';
import { DEFAULT_RESTART_BACKOFF, StdioSupervisor, type RestartBackoff } from './supervisor.js';

export interface StdioChannelOptions {
  name: string;
  /** The command and its arguments, never run through a shell (see argvFromCommandLine). */
  argv: readonly string[];
  /** Explicit environment for the server; values may be secrets and are never logged. */
  env?: Readonly<Record<string, string>>;
  /** Extra variable names to inherit from this process, beyond the default allow-list. */
  inheritEnv?: readonly string[];
  cwd?: string;
  logger: Logger;
  clock?: Clock;
  /** Default `child_process.spawn`. */
  spawn?: SpawnFunction;
  restartBackoff?: Partial<RestartBackoff>;
  /** Grace after closing stdin, and again after SIGTERM, before escalating (default 2000). */
  stopGraceMs?: number;
  /** Longest stdout line accepted (default 8 MiB); longer ones are dropped with a warning. */
  maxLineBytes?: number;
  /** How long a replayed initialize may take after a restart (default 30 s). */
  handshakeTimeoutMs?: number;
  maxSessions?: number;
  platform?: NodeJS.Platform;
  parentEnv?: NodeJS.ProcessEnv;
}

export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

export function createStdioChannel(options: StdioChannelOptions): Channel {
  const argv = [...options.argv];
  const first = argv[0];
  if (first === undefined || first.length === 0) {
    throw new StdioChannelError(
      'stdio_argv_empty',
      'The MCP server command is empty. Set MCP_COMMAND or mcp.commands[].command.',
    );
  }
  const clock = options.clock ?? systemClock;
  const platform = options.platform ?? process.platform;
  const logger = options.logger.child('stdio', { channel: options.name });
  const spawn = options.spawn ?? nodeSpawn;
  const mux = new StreamMultiplexer({
    logger,
    clock,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    maxSessions: options.maxSessions,
  });
  const launch = () => {
    const env = buildChildEnv({
      env: options.env,
      inheritEnv: options.inheritEnv,
      platform,
      parentEnv: options.parentEnv,
    });
    const resolved = resolveCommand(first, { env, cwd: options.cwd, platform });
    const plan = planSpawn(resolved, argv.slice(1), platform, env.COMSPEC ?? env.ComSpec);
    return spawnChild({
      plan,
      env,
      cwd: options.cwd,
      spawn,
      logger,
      clock,
      platform,
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      onMessage: (message, text) => mux.receive(message, text),
      onOversizedAnswer: (id) => mux.answerTooLarge(id),
    });
  };
  const supervisor = new StdioSupervisor({
    logger,
    clock,
    mux,
    launch: () => Promise.resolve().then(launch),
    backoff: { ...DEFAULT_RESTART_BACKOFF, ...options.restartBackoff },
    stopGraceMs: options.stopGraceMs ?? 2000,
    killTree: { platform, spawn },
  });
  const target = commandLineForDisplay(argv);

  return {
    name: options.name,
    transport: 'stdio',
    procAffinity: true,
    start: () => supervisor.start(),
    send: (request) => mux.send(request),
    terminateSession: (request) => mux.terminateSession(request),
    stop: () => supervisor.stop(),
    snapshot(): ChannelSnapshot {
      const state = supervisor.state;
      const snap: ChannelSnapshot = {
        name: options.name,
        transport: 'stdio',
        state: state.kind,
        target,
        restarts: supervisor.restarts,
        inFlight: mux.inFlight,
        sessions: mux.sessions,
      };
      if (state.kind === 'ready') snap.pid = state.child.pid;
      if (state.kind === 'failed' || state.kind === 'restarting') snap.lastError = state.lastError;
      return snap;
    },
  };
}
