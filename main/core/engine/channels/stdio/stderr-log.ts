/**
 * A child's stderr, line by line, into the logger: each line truncated, and at most
 * `maxLinesPerWindow` lines per window (the rest counted and reported once), so a chatty or
 * looping server cannot flood the log ring buffer. MCP servers log anything on stderr, so it is
 * never treated as an error.
 */
import type { Logger, LogLevel } from '../../../observability/logger.js';
import type { Clock } from '../../../runtime/clock.js';
import { LineSplitter } from './line-splitter.js';

export interface StderrLogOptions {
  logger: Logger;
  clock: Clock;
  level?: LogLevel;
  maxLineChars?: number;
  maxLinesPerWindow?: number;
  windowMs?: number;
}

export function createStderrLog(options: StderrLogOptions): LineSplitter {
  const { logger, clock } = options;
  const level = options.level ?? 'info';
  const maxChars = options.maxLineChars ?? 2000;
  const maxLines = options.maxLinesPerWindow ?? 200;
  const windowMs = options.windowMs ?? 10_000;
  let windowStart = clock.now();
  let lines = 0;
  let suppressed = 0;
  const onLine = (raw: string): void => {
    const now = clock.now();
    if (now - windowStart >= windowMs) {
      if (suppressed > 0) logger.warn('MCP server stderr lines suppressed (rate limit)', { suppressed });
      windowStart = now;
      lines = 0;
      suppressed = 0;
    }
    if (++lines > maxLines) {
      suppressed++;
      return;
    }
    if (raw.length === 0) return;
    const line =
      raw.length > maxChars ? `${raw.slice(0, maxChars)}… (${raw.length - maxChars} more chars)` : raw;
    logger[level](line, { stream: 'stderr' });
  };
  return new LineSplitter({
    maxLineBytes: 64 * 1024,
    onLine,
    onOversized: (bytes) => logger.warn('MCP server wrote an overlong stderr line; dropped', { bytes }),
  });
}
