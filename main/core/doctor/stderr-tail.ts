/**
 * A Logger that forwards everything and keeps the last lines a stdio MCP server wrote to stderr
 * (the channel logs them with `{stream: 'stderr'}`), so a server that dies can be reported with
 * its own last words. Lines are single-lined and truncated; the report scrubber masks secrets.
 */
import type { LogFields, Logger } from '../observability/logger.js';
import { quote } from './doctor-check.js';

/** Forwards to the doctor's logger and keeps the last few stderr lines of a stdio server. */
export class StderrTail implements Logger {
  readonly #tail: string[];
  constructor(
    private readonly inner: Logger,
    tail: string[] = [],
  ) {
    this.#tail = tail;
  }
  lines(): string[] {
    return this.#tail.slice(-5);
  }
  #keep(msg: string, fields?: LogFields): void {
    if (fields?.stream !== 'stderr') return;
    this.#tail.push(quote(msg, 300));
    if (this.#tail.length > 20) this.#tail.shift();
  }
  debug(msg: string, fields?: LogFields): void {
    this.#keep(msg, fields);
    this.inner.debug(msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.#keep(msg, fields);
    this.inner.info(msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.#keep(msg, fields);
    this.inner.warn(msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.#keep(msg, fields);
    this.inner.error(msg, fields);
  }
  child(scope: string, fields?: LogFields): Logger {
    return new StderrTail(this.inner.child(scope, fields), this.#tail);
  }
}
