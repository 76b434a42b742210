/** Writes log entries to a stream as readable text or NDJSON (already redacted by the LogHub). */
import type { LogEntry } from '../core/observability/logger.js';

export type LogFormat = 'text' | 'json';

export function formatLogEntry(entry: LogEntry, format: LogFormat): string {
  if (format === 'json') {
    return `${JSON.stringify({ time: new Date(entry.time).toISOString(), level: entry.level, scope: entry.scope, msg: entry.msg, ...entry.fields })}\n`;
  }
  const time = new Date(entry.time).toISOString().slice(11, 23);
  const scope = entry.scope ? ` [${entry.scope}]` : '';
  const fields = entry.fields
    ? ' ' +
      Object.entries(entry.fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ')
    : '';
  return `${time} ${entry.level.toUpperCase().padEnd(5)}${scope} ${entry.msg}${fields}\n`;
}

export function streamSink(stream: NodeJS.WritableStream, format: LogFormat): (entry: LogEntry) => void {
  return (entry) => {
    stream.write(formatLogEntry(entry, format));
  };
}
