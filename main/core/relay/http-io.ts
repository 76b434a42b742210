/** Small HTTP helpers shared by the control plane and the front door: bounded bodies, JSON replies, API errors. */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.js';

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too_large' | 'aborted' };

/**
 * Read a request body of at most `limit` bytes. A declared Content-Length over the limit is
 * refused before reading anything; an undeclared one stops at the limit (the rest is discarded).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    return Promise.resolve({ ok: false, reason: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onAbort);
      req.removeListener('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Keep the stream flowing into nothing so Node can finish the exchange.
        req.on('data', discard);
        finish({ ok: false, reason: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      finish({ ok: true, text });
    };
    const onAbort = (): void => finish({ ok: false, reason: 'aborted' });
    const onClose = (): void => {
      if (!req.complete) onAbort();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

function discard(): void {
  // Body bytes past the limit are dropped.
}

/** Write a JSON body (already serialized) with an explicit Content-Length. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers?: OutgoingHttpHeaders,
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function sendEmpty(res: ServerResponse, status: number, headers?: OutgoingHttpHeaders): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, headers);
  res.end();
}

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 401 || status === 403) return 'authentication_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** `{error:{message,type,param,code}}` as the hosted tunnel service answers errors. */
export function apiErrorBody(
  status: number,
  code: string | null,
  message: string,
  param: string | null = null,
): string {
  return JSON.stringify({ error: { message, type: errorType(status), param, code } });
}

export function sendApiError(
  res: ServerResponse,
  status: number,
  code: string | null,
  message: string,
  options: { param?: string; headers?: OutgoingHttpHeaders; close?: boolean } = {},
): void {
  const headers: OutgoingHttpHeaders = { ...options.headers };
  if (options.close) headers['connection'] = 'close';
  sendJson(res, status, apiErrorBody(status, code, message, options.param ?? null), headers);
}

/**
 * Runs an async request handler so that a rejection can never escape as an unhandled
 * rejection (which would end a standalone relay): it is logged and answered 500, or the
 * connection is closed when the answer had already started.
 */
export function guardAsync(logger: Logger, res: ServerResponse, work: Promise<void>): void {
  work.catch((error: unknown) => {
    logger.error('relay request failed', { error: error as Error });
    if (!res.headersSent) sendApiError(res, 500, null, 'Internal relay error.');
    else res.destroy();
  });
}
