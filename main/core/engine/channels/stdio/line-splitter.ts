/**
 * Newline framing with a bounded line size, for a child's stdout and stderr. A line longer
 * than the bound is discarded (reported once through `onOversized`, with its first and last
 * bytes so the caller can tell whose answer it was) and reading resumes after its newline, so
 * one runaway message never grows memory without bound or kills the stream.
 */
export interface LineSplitterOptions {
  maxLineBytes: number;
  onLine: (line: string) => void;
  onOversized: (bytesDropped: number, edges: LineEdges) => void;
}

/** The first and last bytes (at most EDGE_BYTES each) of a dropped line, as latin1 text. */
export interface LineEdges {
  head: string;
  tail: string;
}

const NEWLINE = 0x0a;
const EDGE_BYTES = 128;
const EMPTY = Buffer.alloc(0);

function firstBytes(parts: readonly Buffer[], n: number): Buffer {
  const out: Buffer[] = [];
  let size = 0;
  for (const part of parts) {
    if (size >= n) break;
    const take = part.subarray(0, n - size);
    out.push(take);
    size += take.length;
  }
  return Buffer.concat(out);
}

/** The last `n` bytes of `parts`, copied (a large chunk is never kept alive by its slice). */
function finalBytes(parts: readonly Buffer[], n: number): Buffer {
  const out: Buffer[] = [];
  let size = 0;
  for (let i = parts.length - 1; i >= 0 && size < n; i--) {
    const part = parts[i]!;
    const take = part.subarray(Math.max(0, part.length - (n - size)));
    out.unshift(take);
    size += take.length;
  }
  return Buffer.concat(out);
}

export class LineSplitter {
  readonly #max: number;
  readonly #onLine: (line: string) => void;
  readonly #onOversized: (bytes: number, edges: LineEdges) => void;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** True while skipping the rest of an oversized line. */
  #discarding = false;
  #discarded = 0;
  #head: Buffer = EMPTY;
  #tail: Buffer = EMPTY;

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
        this.#tail = finalBytes([this.#tail, chunk.subarray(start, end)], EDGE_BYTES);
      } else {
        this.#pendingBytes += end - start;
        if (this.#pendingBytes > this.#max) {
          const parts = [...this.#pending, chunk.subarray(start, end)];
          this.#discarding = true;
          this.#discarded = this.#pendingBytes;
          this.#head = firstBytes(parts, EDGE_BYTES);
          this.#tail = finalBytes(parts, EDGE_BYTES);
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
      const edges = { head: this.#head.toString('latin1'), tail: this.#tail.toString('latin1') };
      this.#head = this.#tail = EMPTY;
      this.#onOversized(this.#discarded, edges);
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
