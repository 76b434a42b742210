/**
 * File log sink: NDJSON, one (already redacted) entry per line, rotated by size.
 *
 *   <dir>/mcp-tunnel.log     newest
 *   <dir>/mcp-tunnel.log.1   previous
 *   …
 *   <dir>/mcp-tunnel.log.<keep>  oldest; the one before it is dropped on the next rotation
 *
 * The folder is created 0700 and the files 0600. The sink itself is synchronous and cheap: it
 * serializes the entry and queues the line; a single async writer drains the queue in batches, so
 * logging never blocks the event loop on disk. Nothing here ever throws into the logger: the first
 * write failure is reported once on stderr, later entries are retried and, if the disk cannot keep
 * up, the oldest unwritten lines are dropped (a line in the file says how many).
 */
import { readdirSync } from 'node:fs';
import { chmod, mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { logEntryLine } from './file-log-format.js';
import { DEFAULT_LOG_FILE_NAME } from './file-log-paths.js';
import type { LogEntry, LogSink } from './logger.js';

export interface FileLogOptions {
  dir: string;
  /** Default `mcp-tunnel.log`. */
  fileName?: string;
  /** Rotate before a write would take the file past this size. Default 5 MiB. */
  maxBytes?: number;
  /** Rotated files to keep besides the current one. Default 3. */
  keep?: number;
  /** File mode. Default 0o600 (the folder gets 0o700 when this creates it). */
  mode?: number;
  /** Unwritten bytes kept while the disk lags; beyond it the oldest are dropped. Default max(maxBytes, 1 MiB). */
  maxQueuedBytes?: number;
  /** Where the one-time failure report goes. Default process.stderr. */
  errorStream?: NodeJS.WritableStream;
}

export interface FileLogSink {
  /** Hand to `LogHub.addSink`. */
  sink: LogSink;
  /** Resolves once every entry queued so far is on disk (or was given up on). */
  flush(): Promise<void>;
  /** Flushes and closes the file; later entries are ignored. */
  close(): Promise<void>;
  /** The log files that exist now, newest first (full paths). */
  files(): string[];
}

export const FILE_LOG_DEFAULTS = { maxBytes: 5 * 1024 * 1024, keep: 3, mode: 0o600 } as const;

export function createFileLogSink(options: FileLogOptions): FileLogSink {
  const writer = new FileLogWriter(options);
  return {
    sink: (entry: LogEntry) => writer.push(logEntryLine(entry)),
    flush: () => writer.flush(),
    close: () => writer.close(),
    files: () => logFilePaths(options.dir, options.fileName ?? DEFAULT_LOG_FILE_NAME),
  };
}

/** Existing log files in `dir` for `fileName`, newest first: base, base.1, base.2, … */
export function logFilePaths(dir: string, fileName: string = DEFAULT_LOG_FILE_NAME): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: Array<[number, string]> = [];
  for (const name of names) {
    if (name === fileName) found.push([0, name]);
    else if (name.startsWith(`${fileName}.`)) {
      const suffix = name.slice(fileName.length + 1);
      if (/^[1-9][0-9]{0,5}$/.test(suffix)) found.push([Number(suffix), name]);
    }
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, name]) => join(dir, name));
}

interface QueuedLine {
  text: string;
  bytes: number;
}

class FileLogWriter {
  readonly #dir: string;
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  readonly #mode: number;
  readonly #maxQueuedBytes: number;
  readonly #errorStream: NodeJS.WritableStream;
  #queue: QueuedLine[] = [];
  #queuedBytes = 0;
  #dropped = 0;
  #draining: Promise<void> | undefined;
  #handle: FileHandle | undefined;
  #size = 0;
  #needsNewline = false;
  #closed = false;
  #reported = false;

  constructor(options: FileLogOptions) {
    this.#dir = options.dir;
    this.#path = join(options.dir, options.fileName ?? DEFAULT_LOG_FILE_NAME);
    this.#maxBytes = Math.max(1, options.maxBytes ?? FILE_LOG_DEFAULTS.maxBytes);
    this.#keep = Math.max(0, Math.floor(options.keep ?? FILE_LOG_DEFAULTS.keep));
    this.#mode = options.mode ?? FILE_LOG_DEFAULTS.mode;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? Math.max(this.#maxBytes, 1024 * 1024);
    this.#errorStream = options.errorStream ?? process.stderr;
  }

  push(text: string): void {
    if (this.#closed) return;
    const bytes = Buffer.byteLength(text);
    this.#queue.push({ text, bytes });
    this.#queuedBytes += bytes;
    // Bound memory when the disk is slow or failing.
    while (this.#queuedBytes > this.#maxQueuedBytes && this.#queue.length > 1) {
      this.#queuedBytes -= this.#queue.shift()!.bytes;
      this.#dropped += 1;
    }
    this.#schedule();
  }

  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  #schedule(): void {
    if (this.#draining) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#queue.length > 0) this.#schedule();
    });
  }

  async #drain(): Promise<void> {
    // Let a burst of synchronous log calls land in one batch.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      this.#queuedBytes = 0;
      if (this.#dropped > 0) {
        batch.unshift(droppedNotice(this.#dropped));
        this.#dropped = 0;
      }
      try {
        await this.#writeBatch(batch);
      } catch (error) {
        this.#report(error);
        const handle = this.#handle;
        this.#handle = undefined;
        await handle?.close().catch(() => undefined);
      }
    }
  }

  async #writeBatch(batch: QueuedLine[]): Promise<void> {
    await this.#ensureOpen();
    let chunk: string[] = [];
    let chunkBytes = 0;
    for (const line of batch) {
      const filled = this.#size + chunkBytes;
      if (filled > 0 && filled + line.bytes > this.#maxBytes) {
        await this.#append(chunk, chunkBytes);
        chunk = [];
        chunkBytes = 0;
        await this.#rotate();
      }
      chunk.push(line.text);
      chunkBytes += line.bytes;
    }
    await this.#append(chunk, chunkBytes);
  }

  async #append(chunk: string[], bytes: number): Promise<void> {
    if (chunk.length === 0) return;
    await this.#ensureOpen();
    let text = chunk.join('');
    if (this.#needsNewline) {
      // The previous process died mid-line: start on a fresh line so ours parse.
      text = `\n${text}`;
      bytes += 1;
      this.#needsNewline = false;
    }
    await this.#handle!.write(text);
    this.#size += bytes;
  }

  async #ensureOpen(): Promise<void> {
    if (this.#handle) return;
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const handle = await open(this.#path, 'a+', this.#mode);
    try {
      const stat = await handle.stat();
      if (process.platform !== 'win32' && (stat.mode & 0o777) !== this.#mode)
        await chmod(this.#path, this.#mode);
      this.#size = stat.size;
      this.#needsNewline = false;
      if (stat.size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, stat.size - 1);
        this.#needsNewline = last[0] !== 0x0a;
      }
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.#handle = handle;
  }

  /** base → .1 → .2 … → .keep; what was in .keep is replaced (dropped). */
  async #rotate(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
    if (this.#keep === 0) {
      await rm(this.#path, { force: true });
    } else {
      for (let i = this.#keep; i >= 1; i--) {
        const from = i === 1 ? this.#path : `${this.#path}.${i - 1}`;
        await rename(from, `${this.#path}.${i}`).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }
    }
    this.#size = 0;
    this.#needsNewline = false;
  }

  #report(error: unknown): void {
    if (this.#reported) return;
    this.#reported = true;
    const reason = error instanceof Error ? error.message : String(error);
    try {
      this.#errorStream.write(
        `mcp-tunnel: cannot write the log file ${this.#path} (${reason}); file logging is paused until it works again. ` +
          `Point MCP_TUNNEL_LOG_DIR at a writable folder to fix this.\n`,
      );
    } catch {
      // Nothing left to tell.
    }
  }
}

function droppedNotice(count: number): QueuedLine {
  const text = logEntryLine({
    seq: 0,
    time: Date.now(),
    level: 'warn',
    scope: 'observability/file-log',
    msg: `${count} log entries were dropped because the log file could not keep up`,
  });
  return { text, bytes: Buffer.byteLength(text) };
}
