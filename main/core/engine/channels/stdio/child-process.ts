/**
 * One spawned stdio MCP server: newline-delimited JSON on stdin/stdout (bounded line size,
 * garbage lines logged and skipped), stderr into the logger, write failures (EPIPE) absorbed.
 * Never a shell: `spawn(file, args, { shell: false })`; on POSIX the child leads its own process
 * group (`detached`) so the whole tree can be signalled.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { JsonObject } from '../../protocol/wire.js';
import type { Logger } from '../../../observability/logger.js';
import type { Clock } from '../../../runtime/clock.js';
import type { StreamLink } from '../stream/stream-multiplexer.js';
import { LineSplitter, type LineEdges } from './line-splitter.js';
import { createStderrLog } from './stderr-log.js';
import type { SpawnPlan } from './spawn-plan.js';
import { StdioChannelError } from './stdio-errors.js';

export type SpawnFunction = (file: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningChild {
  readonly pid: number;
  readonly link: StreamLink;
  /** Settles once, when the child (the group leader) exits. */
  readonly exited: Promise<ChildExit>;
  /** Ends stdin: a well-behaved MCP server exits on EOF. */
  closeStdin(): void;
}

export interface SpawnChildOptions {
  plan: SpawnPlan;
  env: Record<string, string>;
  cwd?: string;
  spawn: SpawnFunction;
  logger: Logger;
  clock: Clock;
  maxLineBytes: number;
  /** One message from stdout; `text` is the line it was parsed from, when the line is exactly that object. */
  onMessage: (message: JsonObject, text?: string) => void;
  /** A dropped oversized line was the answer to request `id` (the engine's own numeric id). */
  onOversizedAnswer?: (id: number) => void;
  platform?: NodeJS.Platform;
}

const GARBAGE_PREVIEW_CHARS = 200;

/** Spawns the child and resolves once it is running, or rejects with `stdio_spawn_failed`. */
export function spawnChild(options: SpawnChildOptions): Promise<RunningChild> {
  const { plan } = options;
  const child = options.spawn(plan.file, plan.args, {
    shell: false,
    detached: (options.platform ?? process.platform) !== 'win32',
    stdio: ['pipe', 'pipe', 'pipe'],
    env: options.env,
    cwd: options.cwd,
    windowsHide: true,
    windowsVerbatimArguments: plan.windowsVerbatimArguments,
  });
  return new Promise<RunningChild>((resolve, reject) => {
    const onSpawnError = (err: NodeJS.ErrnoException): void => {
      reject(
        new StdioChannelError(
          'stdio_spawn_failed',
          `Could not start the MCP server (${err.code ?? 'error'}). Check the command, its permissions and the working directory.`,
        ),
      );
    };
    child.once('error', onSpawnError);
    child.once('spawn', () => {
      child.off('error', onSpawnError);
      resolve(wireChild(child, options));
    });
  });
}

function wireChild(child: ChildProcess, options: SpawnChildOptions): RunningChild {
  const { logger, onMessage } = options;
  const pid = child.pid as number;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  child.on('error', (err: NodeJS.ErrnoException) =>
    logger.debug('MCP server process error', { code: err.code }),
  );

  const stdout = new LineSplitter({
    maxLineBytes: options.maxLineBytes,
    onLine: (line) => parseLine(line, onMessage, logger),
    onOversized: (bytes, edges) => {
      const id = answerIdOf(edges);
      logger.warn(
        id === undefined
          ? 'MCP server wrote a stdout line over the size limit; dropped'
          : 'MCP server wrote an answer over the size limit; dropped, and its call fails (response_body_too_large): have the tool return less, e.g. page its results',
        { bytes, limit: options.maxLineBytes },
      );
      if (id !== undefined) options.onOversizedAnswer?.(id);
    },
  });
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stdout?.on('end', () => stdout.end());
  child.stdout?.on('error', () => undefined);

  const stderr = createStderrLog({ logger: logger.child('stderr'), clock: options.clock });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stderr?.on('end', () => stderr.end());
  child.stderr?.on('error', () => undefined);

  const stdin = child.stdin;
  stdin?.on('error', (err: NodeJS.ErrnoException) => {
    // EPIPE / ECONNRESET: the child is going away; its exit fails whatever is in flight.
    logger.debug('Writing to the MCP server failed', { code: err.code });
  });
  // Lines written in one turn of the event loop (a poll batch's requests) leave in one pipe
  // write, in order, right after that turn's I/O callbacks.
  let pending: string[] = [];
  let flushQueued = false;
  const flush = (): void => {
    flushQueued = false;
    if (pending.length === 0) return;
    const text = pending.length === 1 ? pending[0]! : pending.join('');
    pending = [];
    if (stdin && stdin.writable) stdin.write(text);
  };
  const link: StreamLink = {
    write(message) {
      if (!stdin || !stdin.writable) throw new Error('stdin closed');
      pending.push(JSON.stringify(message) + '\n');
      if (!flushQueued) {
        flushQueued = true;
        setImmediate(flush);
      }
    },
  };
  return {
    pid,
    link,
    exited,
    closeStdin: () => {
      flush();
      if (stdin && !stdin.destroyed) stdin.end();
    },
  };
}

const JSONRPC_MEMBER = String.raw`(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?`;
const ANSWER_MEMBER = String.raw`"(?:result|error)"\s*:`;
/** `{"id":N,"result":` (a `"jsonrpc":"2.0",` member allowed before and after the id). */
const HEAD_WITH_ID = new RegExp(
  String.raw`^\s*\{\s*${JSONRPC_MEMBER}"id"\s*:\s*(\d{1,15})\s*,\s*${JSONRPC_MEMBER}${ANSWER_MEMBER}`,
);
/** `{"result":` or `{"jsonrpc":"2.0","error":`: an answer whose id comes later. */
const HEAD_OF_ANSWER = new RegExp(String.raw`^\s*\{\s*${JSONRPC_MEMBER}${ANSWER_MEMBER}`);
/** `,"id":N}` at the end: the member right before the line's final brace is a top-level one. */
const ID_AT_TAIL = /,\s*"id"\s*:\s*(\d{1,15})\s*\}\s*$/;

/**
 * The numeric id of a JSON-RPC answer (not a server request) known only by its first and last
 * bytes, where they show it unambiguously (the MCP SDKs write `id` first or last).
 */
export function answerIdOf(edges: LineEdges): number | undefined {
  const atHead = HEAD_WITH_ID.exec(edges.head);
  if (atHead) return Number(atHead[1]);
  if (!HEAD_OF_ANSWER.test(edges.head)) return undefined;
  const atTail = ID_AT_TAIL.exec(edges.tail);
  return atTail ? Number(atTail[1]) : undefined;
}

function parseLine(
  line: string,
  onMessage: (message: JsonObject, text?: string) => void,
  logger: Logger,
): void {
  if (line.trim().length === 0) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    logger.warn('MCP server wrote a non-JSON line to stdout; ignored (log to stderr instead)', {
      preview: line.slice(0, GARBAGE_PREVIEW_CHARS),
    });
    return;
  }
  if (!Array.isArray(parsed)) {
    if (typeof parsed === 'object' && parsed !== null) onMessage(parsed as JsonObject, line);
    else logger.warn('MCP server wrote JSON that is not a JSON-RPC message; ignored');
    return;
  }
  const messages = parsed as unknown[];
  for (const message of messages) {
    if (typeof message === 'object' && message !== null && !Array.isArray(message))
      onMessage(message as JsonObject);
    else logger.warn('MCP server wrote JSON that is not a JSON-RPC message; ignored');
  }
}
