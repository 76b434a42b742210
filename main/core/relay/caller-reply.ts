/**
 * The MCP caller's side of one command: turns engine responses into the HTTP answer.
 *
 * States:
 *
 *   waiting ──notify (SSE caller) / heartbeat tick──▶ streaming ──terminal / fail──▶ done
 *      └────────────────────terminal / fail (single HTTP answer)──────────────────▶ done
 *
 * SSE callers: headers wait for the first event (so an initialize's Mcp-Session-Id from
 * `resp_headers` lands on the HTTP response) and are flushed at the latest by the first
 * heartbeat tick. A terminal response that arrives before anything was streamed is answered
 * in one go: its status passes through when it is an error, otherwise it is sent as one SSE
 * event. JSON callers get the terminal payload as JSON with the mapped status; notifications
 * cannot reach them and are dropped.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { EngineResponse, FailReason, ReplySink } from './command.js';
import { applyResponseHeaders } from './forwarded-headers.js';
import { apiErrorBody, sendEmpty, sendJson } from './http-io.js';
import { callerStatus, forbidsBody } from './status-map.js';

type ReplyState = 'waiting' | 'streaming' | 'done';

export interface CallerReplyOptions {
  /** The caller accepts text/event-stream. */
  sse: boolean;
  /** The JSON-RPC id of the caller's message (for synthesized errors on a stream). */
  rpcId: unknown;
  now: () => number;
  /** Open SSE replies, ticked by the relay's heartbeat. */
  streams: Set<CallerReply>;
}

const FAILURES: Record<FailReason, { status: number; code: string; message: string; rpc: string }> = {
  timeout: {
    status: 504,
    code: 'tunnel_response_timeout',
    message:
      'The tunnel client did not answer before the response timeout. Check the tunnel client and its MCP server.',
    rpc: 'tunnel timeout',
  },
  shutdown: {
    status: 503,
    code: 'relay_shutting_down',
    message: 'The relay is shutting down. Retry shortly.',
    rpc: 'relay shutting down',
  },
  tunnel_deleted: {
    status: 503,
    code: 'tunnel_deleted',
    message: 'The tunnel was deleted while the request was in flight.',
    rpc: 'tunnel deleted',
  },
};

/** The caller's JSON-RPC message: the engine's own text when the decoder kept it (no re-serialization). */
function messageText(response: EngineResponse): string {
  return response.respJsonText ?? JSON.stringify(response.resp_json);
}

/** One SSE `message` event carrying a JSON-RPC message. */
function eventText(json: string): string {
  return `event: message\ndata: ${json}\n\n`;
}

export class CallerReply implements ReplySink {
  #state: ReplyState = 'waiting';
  #lastWriteAt: number;

  constructor(
    private readonly res: ServerResponse,
    private readonly options: CallerReplyOptions,
  ) {
    this.#lastWriteAt = options.now();
    if (options.sse) options.streams.add(this);
    res.once('close', () => this.#finish());
  }

  /** The caller is gone or the answer is complete. */
  get done(): boolean {
    return this.#state === 'done';
  }

  notify(response: EngineResponse): void {
    if (this.#state === 'done' || !this.options.sse || !response.resp_json) return;
    if (this.#state === 'waiting') this.#open(response);
    this.#event(messageText(response));
  }

  complete(response: EngineResponse): void {
    if (this.#state === 'done') return;
    if (this.#state === 'streaming') {
      const last = response.resp_json && response.resp_type === 'jsonrpc_response';
      this.#end(last ? eventText(messageText(response)) : undefined);
      return;
    }
    const status = callerStatus(response.resp_code);
    const headers: OutgoingHttpHeaders = {};
    applyResponseHeaders(headers, response.resp_headers);
    const body = response.resp_json && !forbidsBody(status) ? messageText(response) : undefined;
    if (response.resp_type === 'notify_ack' && response.resp_code < 400) {
      sendEmpty(this.res, 202, headers);
    } else if (response.resp_type === 'jsonrpc_response' && this.options.sse && body && status < 300) {
      // Nothing streamed yet: the whole stream is one event, sent with its length in one write.
      const event = eventText(body);
      this.#open(response, Buffer.byteLength(event));
      this.#end(event);
      return;
    } else if (body !== undefined) {
      sendJson(this.res, status, body, headers);
    } else {
      sendEmpty(this.res, status, headers);
    }
    this.#finish();
  }

  fail(reason: FailReason): void {
    if (this.#state === 'done') return;
    const failure = FAILURES[reason];
    if (this.#state === 'streaming') {
      const id = this.options.rpcId === undefined ? null : this.options.rpcId;
      this.#end(
        eventText(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32603, message: failure.rpc } })),
      );
      return;
    }
    sendJson(this.res, failure.status, apiErrorBody(failure.status, failure.code, failure.message));
    this.#finish();
  }

  /** Heartbeat: after `idleMs` without a write, flush headers if needed and send a comment. */
  tick(now: number, idleMs: number): void {
    if (this.#state === 'done' || now - this.#lastWriteAt < idleMs) return;
    if (this.#state === 'waiting') this.#open(undefined);
    this.#write(': keepalive\n\n');
  }

  /** Response headers of the SSE stream; `length` when the whole stream is already known. */
  #open(first: EngineResponse | undefined, length?: number): void {
    const headers: OutgoingHttpHeaders = {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    };
    applyResponseHeaders(headers, first?.resp_headers);
    if (length !== undefined) headers['content-length'] = length;
    this.res.writeHead(200, headers);
    this.#state = 'streaming';
  }

  #event(json: string): void {
    this.#write(eventText(json));
  }

  #write(text: string): void {
    if (this.res.destroyed) return;
    this.res.write(text);
    this.#lastWriteAt = this.options.now();
  }

  /** End the stream, with its last event in the same write when there is one. */
  #end(last?: string): void {
    if (!this.res.destroyed) this.res.end(last);
    this.#finish();
  }

  #finish(): void {
    this.#state = 'done';
    this.options.streams.delete(this);
  }
}
