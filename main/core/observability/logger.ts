/**
 * Structured logger. Every entry is redacted at ingestion (see redact.ts), kept in a bounded
 * ring buffer for the UI / support bundle, and handed to sinks (stderr, files, electron-log).
 */
import { redactFields, redactText } from './redact.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface LogEntry {
  /** Monotonic sequence number, for tails and "since" queries. */
  seq: number;
  /** Epoch milliseconds. */
  time: number;
  level: LogLevel;
  msg: string;
  /** Component path, e.g. `engine/dispatcher`. */
  scope?: string;
  fields?: LogFields;
}

export type LogSink = (entry: LogEntry) => void;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger for a sub-component; its fields are merged into every entry. */
  child(scope: string, fields?: LogFields): Logger;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

export interface LogHubOptions {
  level?: LogLevel;
  /** Ring buffer capacity (entries). */
  capacity?: number;
  now?: () => number;
}

/** Owns the level, the ring buffer and the sinks; hands out Loggers. */
export class LogHub {
  #level: LogLevel;
  readonly #capacity: number;
  readonly #buffer: LogEntry[] = [];
  readonly #sinks = new Set<LogSink>();
  readonly #now: () => number;
  #seq = 0;

  constructor(options: LogHubOptions = {}) {
    this.#level = options.level ?? 'info';
    this.#capacity = options.capacity ?? 2000;
    this.#now = options.now ?? Date.now;
  }

  get level(): LogLevel {
    return this.#level;
  }

  setLevel(level: LogLevel): void {
    this.#level = level;
  }

  /** Subscribe to every entry at or above the current level; returns an unsubscribe function. */
  addSink(sink: LogSink): () => void {
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  /** Entries still in the ring buffer, oldest first, optionally only those after `afterSeq`. */
  entries(afterSeq = 0): LogEntry[] {
    return this.#buffer.filter((e) => e.seq > afterSeq);
  }

  logger(scope?: string, fields?: LogFields): Logger {
    return new ScopedLogger(this, scope, fields);
  }

  write(level: LogLevel, msg: string, scope: string | undefined, fields: LogFields | undefined): void {
    if (rank[level] < rank[this.#level]) return;
    const entry: LogEntry = { seq: ++this.#seq, time: this.#now(), level, msg: redactText(msg) };
    if (scope) entry.scope = scope;
    if (fields && Object.keys(fields).length > 0) entry.fields = redactFields(fields);
    this.#buffer.push(entry);
    if (this.#buffer.length > this.#capacity) this.#buffer.splice(0, this.#buffer.length - this.#capacity);
    for (const sink of this.#sinks) {
      try {
        sink(entry);
      } catch {
        // A broken sink must never take the engine down.
      }
    }
  }
}

class ScopedLogger implements Logger {
  constructor(
    private readonly hub: LogHub,
    private readonly scope: string | undefined,
    private readonly bound: LogFields | undefined,
  ) {}

  #merge(fields?: LogFields): LogFields | undefined {
    if (!this.bound) return fields;
    return fields ? { ...this.bound, ...fields } : this.bound;
  }

  debug(msg: string, fields?: LogFields): void {
    this.hub.write('debug', msg, this.scope, this.#merge(fields));
  }
  info(msg: string, fields?: LogFields): void {
    this.hub.write('info', msg, this.scope, this.#merge(fields));
  }
  warn(msg: string, fields?: LogFields): void {
    this.hub.write('warn', msg, this.scope, this.#merge(fields));
  }
  error(msg: string, fields?: LogFields): void {
    this.hub.write('error', msg, this.scope, this.#merge(fields));
  }
  child(scope: string, fields?: LogFields): Logger {
    const path = this.scope ? `${this.scope}/${scope}` : scope;
    return new ScopedLogger(this.hub, path, this.#merge(fields));
  }
}

/** A logger that drops everything: for tests that do not look at logs. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
