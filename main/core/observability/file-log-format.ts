/**
 * One log entry per NDJSON line, shared by the file log and the support bundle:
 *   {"time":"2025-01-02T03:04:05.006Z","level":"info","seq":7,"scope":"engine","msg":"…","fields":{…}}
 * `time` is ISO-8601 UTC so the files read well with jq or less; the parser turns it back into
 * epoch milliseconds. Entries are already redacted by the LogHub before they get here.
 */
import { isLogLevel, type LogEntry, type LogFields } from './logger.js';

/** JSON.stringify replacer: bigint as a decimal string (it would otherwise throw). */
export function jsonSafeReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function logEntryLine(entry: LogEntry): string {
  const record: Record<string, unknown> = {
    time: Number.isFinite(entry.time) ? new Date(entry.time).toISOString() : String(entry.time),
    level: entry.level,
    seq: entry.seq,
  };
  if (entry.scope) record['scope'] = entry.scope;
  record['msg'] = entry.msg;
  if (entry.fields) record['fields'] = entry.fields;
  try {
    return `${JSON.stringify(record, jsonSafeReplacer)}\n`;
  } catch {
    // Circular or otherwise unserializable fields: keep the message, drop the fields.
    record['fields'] = { unserializable: true };
    return `${JSON.stringify(record)}\n`;
  }
}

/** Parses one line written by logEntryLine; undefined for blank, torn or foreign lines. */
export function parseLogEntryLine(line: string): LogEntry | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const record = raw as Record<string, unknown>;
  const time =
    typeof record['time'] === 'number'
      ? record['time']
      : typeof record['time'] === 'string'
        ? Date.parse(record['time'])
        : NaN;
  if (!Number.isFinite(time) || !isLogLevel(record['level']) || typeof record['msg'] !== 'string') {
    return undefined;
  }
  const entry: LogEntry = {
    seq: typeof record['seq'] === 'number' ? record['seq'] : 0,
    time,
    level: record['level'],
    msg: record['msg'],
  };
  if (typeof record['scope'] === 'string') entry.scope = record['scope'];
  const fields = record['fields'];
  if (fields && typeof fields === 'object' && !Array.isArray(fields)) entry.fields = fields as LogFields;
  return entry;
}
