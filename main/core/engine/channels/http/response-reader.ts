/**
 * Turning the MCP server's HTTP response into a ChannelOutcome: single JSON bodies, SSE streams
 * (server→client messages go to `notify` in order until the matching response), and upstream
 * errors (a valid JSON-RPC error passes through verbatim with its real status).
 */
import type { Dispatcher } from 'undici';
import type { ChannelOutcome } from '../channel.js';
import type { HeaderMap, JsonObject } from '../../protocol/wire.js';
import { abortedFailure, failureOutcome, networkFailure, upstreamStatusFailure } from './failure-outcomes.js';
import { isJsonObject, isJsonRpcError, isJsonRpcResponse } from './json-rpc-shapes.js';
import { SseParser } from './sse-parser.js';

export type ResponseBody = Dispatcher.ResponseData['body'];

const ignore = (): void => undefined;

/** Drop a body we no longer want; its late errors (our own abort included) are expected. */
export function discardBody(body: ResponseBody): void {
  body.on('error', ignore);
  body.destroy();
}

/** Read and throw away a body we do not need, so the keep-alive socket can be reused. */
export function drainBody(body: ResponseBody): void {
  body.on('error', ignore);
  body.resume();
}

type BodyText = { ok: true; text: string } | { ok: false; outcome: ChannelOutcome };

/** Read a whole body, at most `maxBytes`. */
export async function readBodyText(
  body: ResponseBody,
  contentLength: string | string[] | undefined,
  maxBytes: number,
  signal: AbortSignal,
): Promise<BodyText> {
  if (typeof contentLength === 'string' && Number(contentLength) > maxBytes) {
    discardBody(body);
    return { ok: false, outcome: failureOutcome('protocol', 'response_body_too_large', true) };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        discardBody(body);
        return { ok: false, outcome: failureOutcome('protocol', 'response_body_too_large', true) };
      }
      chunks.push(chunk);
    }
  } catch (err) {
    return { ok: false, outcome: signal.aborted ? abortedFailure(true) : networkFailure(err, true) };
  }
  const text =
    chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
  return { ok: true, text };
}

/** A 4xx/5xx: a valid JSON-RPC error body passes through verbatim, anything else is target_http. */
export async function readErrorResponse(
  status: number,
  headers: HeaderMap,
  body: ResponseBody,
  contentLength: string | string[] | undefined,
  maxBytes: number,
  signal: AbortSignal,
): Promise<ChannelOutcome> {
  const read = await readBodyText(body, contentLength, maxBytes, signal);
  if (!read.ok) {
    return read.outcome.kind === 'failure' && read.outcome.failure.source === 'timeout'
      ? read.outcome
      : upstreamStatusFailure(status);
  }
  const parsed = parseJson(read.text);
  if (isJsonRpcError(parsed)) return { kind: 'jsonrpc', status, headers, message: parsed };
  return upstreamStatusFailure(status);
}

/** A 2xx `application/json` answer to a request: one JSON-RPC response, verbatim. */
export async function readJsonResponse(
  status: number,
  headers: HeaderMap,
  body: ResponseBody,
  contentLength: string | string[] | undefined,
  maxBytes: number,
  signal: AbortSignal,
): Promise<ChannelOutcome> {
  const read = await readBodyText(body, contentLength, maxBytes, signal);
  if (!read.ok) return read.outcome;
  if (read.text.trim() === '') return failureOutcome('protocol', 'response_body_missing', true);
  const parsed = parseJson(read.text);
  if (parsed === INVALID) return failureOutcome('protocol', 'malformed_json', true);
  if (!isJsonRpcResponse(parsed)) return failureOutcome('protocol', 'invalid_protocol_response', true);
  return { kind: 'jsonrpc', status, headers, message: parsed };
}

export interface SseReadOptions {
  status: number;
  headers: HeaderMap;
  body: ResponseBody;
  /** The caller's request id: the response with this id ends the call. */
  id: string | number;
  notify: (message: JsonObject) => void;
  maxEventBytes: number;
  signal: AbortSignal;
  /** Called once the outcome is known, with the rest of the stream (drain or drop it). */
  onSettled: (body: ResponseBody, outcome: ChannelOutcome) => void;
  onUnrelatedResponse: () => void;
}

/** Read an SSE answer: notifications and server requests go to `notify`, in order. */
export function readSseResponse(o: SseReadOptions): Promise<ChannelOutcome> {
  return new Promise<ChannelOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: ChannelOutcome): void => {
      if (settled) return;
      settled = true;
      parser.stop();
      o.body.off('data', onData);
      o.body.off('end', onEnd);
      o.body.off('error', onError);
      resolve(outcome);
      o.onSettled(o.body, outcome);
    };
    const parser = new SseParser((event) => {
      // Priming events (`id` + empty `data`, 2025-11-25) and keep-alives carry no message.
      if (event.data.trim() === '') return;
      const message = parseJson(event.data);
      if (message === INVALID) return settle(failureOutcome('protocol', 'malformed_json', true));
      if (!isJsonObject(message))
        return settle(failureOutcome('protocol', 'invalid_protocol_response', true));
      if (isJsonRpcResponse(message)) {
        if (message['id'] === o.id)
          settle({ kind: 'jsonrpc', status: o.status, headers: o.headers, message });
        else o.onUnrelatedResponse();
        return;
      }
      try {
        o.notify(message);
      } catch {
        // The dispatcher's notify must not break the stream; it owns its own failures.
      }
    }, o.maxEventBytes);
    const onData = (chunk: Buffer): void => {
      if (parser.push(chunk) === 'too_large')
        settle(failureOutcome('protocol', 'response_body_too_large', true));
    };
    const onEnd = (): void => settle(failureOutcome('protocol', 'unexpected_eof', true));
    const onError = (err: unknown): void =>
      settle(o.signal.aborted ? abortedFailure(true) : networkFailure(err, true));
    o.body.on('data', onData);
    o.body.on('end', onEnd);
    o.body.on('error', onError);
  });
}

const INVALID = Symbol('invalid-json');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}
