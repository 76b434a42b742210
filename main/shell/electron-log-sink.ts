/**
 * The shell's log files through electron-log (v5): every LogHub entry (already redacted at
 * ingestion; the same entries the UI's ring buffer holds) becomes one line of
 * `<platform log dir>/main.log` (Linux ~/.config/MCP Tunnel/logs, macOS ~/Library/Logs/MCP Tunnel,
 * Windows %APPDATA%\MCP Tunnel\logs), rotated at 1 MiB by electron-log, mode 0600.
 *
 * electron-log is loaded at run time (`loadElectronLog`), so this file type-checks without the
 * package; ElectronLogLike is the part of its API used here.
 */
import { join } from 'node:path';
import type { LogEntry, LogSink } from '../core/observability/logger.js';
import { jsonSafeReplacer } from '../core/observability/file-log-format.js';

type Write = (...params: unknown[]) => void;

export interface ElectronLogLike {
  error: Write;
  warn: Write;
  info: Write;
  debug: Write;
  initialize?: () => void;
  transports: {
    file: {
      level: string | false;
      maxSize: number;
      resolvePathFn: (...args: never[]) => string;
      writeOptions?: { flag?: string; mode?: number; encoding?: string };
    };
    console: { level: string | false };
  };
}

/** One line of text per entry: `[scope] message {"fields":…}`; electron-log adds time and level. */
export function electronLogLine(entry: LogEntry): string {
  const head = entry.scope ? `[${entry.scope}] ${entry.msg}` : entry.msg;
  if (!entry.fields) return head;
  try {
    return `${head} ${JSON.stringify(entry.fields, jsonSafeReplacer)}`;
  } catch {
    return `${head} {"unserializable":true}`;
  }
}

export function createElectronLogSink(
  log: Pick<ElectronLogLike, 'error' | 'warn' | 'info' | 'debug'>,
): LogSink {
  return (entry) => log[entry.level](electronLogLine(entry));
}

/** File transport only (the LogHub decides levels), in `logDir`, owner-readable. */
export function configureElectronLog(log: ElectronLogLike, logDir: string): string {
  const file = join(logDir, 'main.log');
  log.transports.console.level = false;
  log.transports.file.level = 'debug';
  log.transports.file.maxSize = 1024 * 1024;
  log.transports.file.resolvePathFn = () => file;
  log.transports.file.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  return file;
}

/** `electron-log/main`, or undefined when the package is not installed. */
export async function loadElectronLog(): Promise<ElectronLogLike | undefined> {
  const specifier = 'electron-log/main'; // a variable: type-checking must not need the package
  try {
    const mod = (await import(specifier)) as { default?: ElectronLogLike };
    return mod.default;
  } catch {
    return undefined;
  }
}
