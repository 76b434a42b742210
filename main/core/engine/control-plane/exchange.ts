/**
 * One buffered HTTP exchange on an undici dispatcher, lean enough for the hot path (no stream
 * objects): the response body is collected into one Buffer, only the two headers the client
 * reads are extracted, and the request is known to have reached the wire or not.
 *
 * "Written" is the moment undici hands the request to an established connection (`onConnect`,
 * immediately before the bytes are written). A failure before it (refused, DNS, TLS handshake,
 * proxy CONNECT refused, connect timeout) means the server cannot have seen the request, so a
 * non-idempotent POST may be resent without creating a duplicate.
 */
import type { Dispatcher } from 'undici';

export interface ExchangeRequest {
  origin: string;
  method: 'GET' | 'POST';
  /** Path with query. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Bodies larger than this are cut: the exchange resolves with `truncated` and drops the connection. */
  maxBodyBytes: number;
  /** Called synchronously when the final status line and headers arrive, before any body byte. */
  onHeaders?: (status: number) => void;
}

export interface ExchangeResponse {
  status: number;
  retryAfter?: string;
  body: Buffer;
  truncated: boolean;
}

/** The exchange failed without a complete response. `cause` is undici's error. */
export class ExchangeError extends Error {
  readonly written: boolean;
  constructor(cause: unknown, written: boolean) {
    super(cause instanceof Error ? cause.message : 'request failed', { cause });
    this.name = 'ExchangeError';
    this.written = written;
  }
}

const RETRY_AFTER = 'retry-after';

function headerValue(raw: Buffer | string): string {
  return typeof raw === 'string' ? raw : raw.toString('latin1');
}

/**
 * Send one request. Rejects with ExchangeError on transport failure, or with the signal's reason
 * when the signal aborts (at once, even while the connection is still being set up).
 */
export function exchange(dispatcher: Dispatcher, request: ExchangeRequest): Promise<ExchangeResponse> {
  const { signal } = request;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<ExchangeResponse>((resolve, reject) => {
    let settled = false;
    let written = false;
    let abortRequest: ((error?: Error) => void) | undefined;
    let status = 0;
    let retryAfter: string | undefined;
    const chunks: Buffer[] = [];
    let size = 0;

    const finish = (): void => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      if (settled) return;
      finish();
      abortRequest?.(signal?.reason as Error);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onConnect(abort) {
        written = true;
        abortRequest = abort;
        if (settled) abort(new Error('request abandoned'));
      },
      onHeaders(statusCode, rawHeaders) {
        if (statusCode < 200) return true; // 1xx informational: the final answer follows.
        status = statusCode;
        for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
          const name = rawHeaders[i];
          const value = rawHeaders[i + 1];
          if (name === undefined || value === undefined || name.length !== RETRY_AFTER.length) continue;
          if (headerValue(name).toLowerCase() === RETRY_AFTER) retryAfter = headerValue(value);
        }
        if (!settled) request.onHeaders?.(statusCode);
        return true;
      },
      onData(chunk) {
        if (settled) return true;
        size += chunk.length;
        if (size > request.maxBodyBytes) {
          finish();
          resolve(response(true));
          abortRequest?.(new Error('response body too large'));
          return false;
        }
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        if (settled) return;
        finish();
        resolve(response(false));
      },
      onError(error) {
        if (settled) return;
        finish();
        reject(new ExchangeError(error, written));
      },
    };

    const response = (truncated: boolean): ExchangeResponse => {
      const body =
        chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, Math.min(size, request.maxBodyBytes));
      const out: ExchangeResponse = { status, body, truncated };
      if (retryAfter !== undefined) out.retryAfter = retryAfter;
      return out;
    };

    const options: Dispatcher.DispatchOptions = {
      origin: request.origin,
      path: request.path,
      method: request.method,
      headers: request.headers,
    };
    if (request.body !== undefined) options.body = request.body;
    if (request.headersTimeoutMs !== undefined) options.headersTimeout = request.headersTimeoutMs;
    if (request.bodyTimeoutMs !== undefined) options.bodyTimeout = request.bodyTimeoutMs;
    try {
      dispatcher.dispatch(options, handler);
    } catch (error) {
      if (!settled) {
        finish();
        reject(new ExchangeError(error, false));
      }
    }
  });
}
