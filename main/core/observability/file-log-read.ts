/** Reads the rotated NDJSON log files back (for the support bundle and `logs` views). */
import { readFile } from 'node:fs/promises';
import { parseLogEntryLine } from './file-log-format.js';
import { DEFAULT_LOG_FILE_NAME } from './file-log-paths.js';
import { logFilePaths } from './file-log.js';
import type { LogEntry } from './logger.js';

export interface ReadLogFilesOptions {
  fileName?: string;
}

/**
 * Every parsable entry in `dir`, oldest file first, at or after `sinceMs` when given. Blank,
 * torn (a crash mid-write) and foreign lines are skipped; a missing folder yields [].
 */
export async function readLogFiles(
  dir: string,
  sinceMs?: number,
  options: ReadLogFilesOptions = {},
): Promise<LogEntry[]> {
  const paths = logFilePaths(dir, options.fileName ?? DEFAULT_LOG_FILE_NAME).reverse();
  const entries: LogEntry[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      continue; // rotated away between listing and reading
    }
    for (const line of text.split('\n')) {
      const entry = parseLogEntryLine(line);
      if (entry && (sinceMs === undefined || entry.time >= sinceMs)) entries.push(entry);
    }
  }
  return entries;
}
