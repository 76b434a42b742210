/**
 * Incremental `text/event-stream` parser (WHATWG HTML "server-sent events" processing model),
 * fed raw bytes as they arrive. Handles CRLF / LF / CR line endings split across chunks,
 * multi-line `data:`, comments (`:` lines), `event:`, `id:` and `retry:`. Bytes are decoded as
 * UTF-8 with a streaming decoder, so a multi-byte character split across chunks is safe.
 *
 * Memory is bounded: a single pending line plus a single pending event may not exceed
 * `maxEventBytes` (then `push` returns `'too_large'` and the caller gives up on the stream).
 */

export interface SseEvent {
  /** `event:` field, `message` when absent. */
  type: string;
  /** Joined `data:` lines (without the trailing newline). */
  data: string;
  /** The last event id in effect when this event was dispatched (may be empty). */
  lastEventId: string;
}

export type SsePushResult = 'ok' | 'too_large';

export class SseParser {
  readonly #decoder = new TextDecoder('utf-8');
  readonly #maxEventBytes: number;
  readonly #onEvent: (event: SseEvent) => void;
  #pending = '';
  #data: string[] = [];
  #dataLength = 0;
  #eventType = '';
  #lastEventId = '';
  #retryMs: number | undefined;
  /** A CR ended the previous chunk; a LF at the start of the next one belongs to it. */
  #skipLeadingLf = false;
  #stopped = false;

  constructor(onEvent: (event: SseEvent) => void, maxEventBytes: number) {
    this.#onEvent = onEvent;
    this.#maxEventBytes = maxEventBytes;
  }

  /** The last `id:` seen (for a resumption with `Last-Event-ID`). */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** The last valid `retry:` value, in milliseconds. */
  get retryMs(): number | undefined {
    return this.#retryMs;
  }

  /** Stop dispatching events (the caller has what it needs). Further pushes are ignored. */
  stop(): void {
    this.#stopped = true;
    this.#pending = '';
    this.#data = [];
  }

  push(chunk: Uint8Array): SsePushResult {
    if (this.#stopped) return 'ok';
    let text = this.#decoder.decode(chunk, { stream: true });
    if (this.#skipLeadingLf) {
      this.#skipLeadingLf = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = this.#pending + text.slice(start, i);
      this.#pending = '';
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          this.#skipLeadingLf = true;
        }
      }
      start = i + 1;
      this.#line(line);
      if (this.#stopped) return 'ok';
      if (this.#dataLength > this.#maxEventBytes) return 'too_large';
    }
    if (start < text.length) this.#pending += text.slice(start);
    if (this.#pending.length + this.#dataLength > this.#maxEventBytes) return 'too_large';
    return 'ok';
  }

  #line(line: string): void {
    if (line === '') {
      this.#dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    switch (field) {
      case 'data':
        this.#data.push(value);
        this.#dataLength += value.length + 1;
        break;
      case 'event':
        this.#eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.#retryMs = Number(value);
        break;
      default:
        break;
    }
  }

  #dispatch(): void {
    const type = this.#eventType || 'message';
    this.#eventType = '';
    if (this.#data.length === 0) return;
    const data = this.#data.join('\n');
    this.#data = [];
    this.#dataLength = 0;
    this.#onEvent({ type, data, lastEventId: this.#lastEventId });
  }
}
