/**
 * After the response arrived on an SSE stream, the call is answered; the server normally ends the
 * stream right after. Reading that end (instead of destroying the stream) lets undici reuse the
 * keep-alive socket. A stream that goes on is dropped after `maxBytes` or `maxMs`.
 */
import type { Clock } from '../../../runtime/clock.js';
import { discardBody, type ResponseBody } from './response-reader.js';

export class StreamLinger {
  readonly #open = new Set<ResponseBody>();

  constructor(
    private readonly clock: Clock,
    private readonly maxMs = 2_000,
    private readonly maxBytes = 64 * 1024,
  ) {}

  /** Keep reading `body` to its end, within the bounds. */
  linger(body: ResponseBody): void {
    if (body.destroyed || body.readableEnded) return;
    body.on('error', () => undefined);
    this.#open.add(body);
    const timer = new AbortController();
    let bytes = 0;
    const done = (): void => {
      this.#open.delete(body);
      timer.abort();
    };
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > this.maxBytes) body.destroy();
    });
    body.once('end', done);
    body.once('close', done);
    this.clock.sleep(this.maxMs, timer.signal).then(
      () => body.destroy(),
      () => undefined,
    );
  }

  /** Drop every stream still open (channel stop). */
  closeAll(): void {
    for (const body of this.#open) discardBody(body);
    this.#open.clear();
  }
}
