/**
 * Newline framing with a bounded line size, for a child's stdout and stderr. A line longer
 * than the bound is discarded (reported once through `onOversized`) and reading resumes after
 * its newline, so one runaway message never grows memory without bound or kills the stream.
 */
export interface LineSplitterOptions {
  maxLineBytes: number;
  onLine: (line: string) => void;
  onOversized: (bytesDropped: number) => void;
}

const NEWLINE = 0x0a;

export class LineSplitter {
  readonly #max: number;
  readonly #onLine: (line: string) => void;
  readonly #onOversized: (bytes: number) => void;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** True while skipping the rest of an oversized line. */
  #discarding = false;
  #discarded = 0;

  constructor(options: LineSplitterOptions) {
    this.#max = options.maxLineBytes;
    this.#onLine = options.onLine;
    this.#onOversized = options.onOversized;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      if (this.#discarding) {
        this.#discarded += end - start;
      } else {
        this.#pendingBytes += end - start;
        if (this.#pendingBytes > this.#max) {
          this.#discarding = true;
          this.#discarded = this.#pendingBytes;
          this.#pending = [];
          this.#pendingBytes = 0;
        } else if (end > start) {
          this.#pending.push(chunk.subarray(start, end));
        }
      }
      if (nl === -1) return;
      this.#endLine();
      start = nl + 1;
    }
  }

  /** The stream ended: a final unterminated line still counts. */
  end(): void {
    if (this.#pendingBytes > 0 || this.#discarding) this.#endLine();
  }

  #endLine(): void {
    if (this.#discarding) {
      this.#discarding = false;
      this.#onOversized(this.#discarded);
      this.#discarded = 0;
      return;
    }
    const parts = this.#pending;
    const line =
      parts.length === 1 ? (parts[0] as Buffer).toString('utf8') : Buffer.concat(parts).toString('utf8');
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}
