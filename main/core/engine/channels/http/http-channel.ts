/**
 * Streamable HTTP channel: the engine's binding to a local or private MCP server URL.
 *
 * Lifecycle (ChannelState subset):
 *
 *   idle ──start()──▶ ready            start() builds the keep-alive dispatcher; it does not
 *     │                 │              contact the server (readiness probing lives elsewhere)
 *     │                 └──stop()──▶ stopped   aborts in-flight calls, closes the dispatcher
 *     ├──start() throws─▶ failed       bad TLS material; start() may be retried
 *     └──stop()────────▶ stopped
 *
 * Each `send()` POSTs the caller's JSON-RPC message (serialized once) to the configured URL with
 * the command's headers (see request-headers.ts) and turns the answer into a ChannelOutcome
 * (see response-reader.ts). Redirects are never followed (a 3xx is a non-protocol response), so
 * `extraHeaders` only ever reach the configured origin and path.
 *
 * Recovery: a connection dropped before any response byte (ECONNRESET / EPIPE / "other side
 * closed", typically a keep-alive socket the server closed while idle, or a server that just
 * restarted) is retried once on a fresh connection. Nothing else is retried and nothing is
 * hidden: a restarted server's 404 for a stale session reaches the caller, who re-initializes.
 * Trade-off: if the server read the request and then dropped the connection without answering,
 * the retry repeats the call; MCP servers that crash mid-request rarely keep the session anyway.
 */
import type { Dispatcher } from 'undici';
import type {
  Channel,
  ChannelOutcome,
  ChannelRequest,
  ChannelSnapshot,
  ChannelState,
  SessionTerminationRequest,
} from '../channel.js';
import type { HeaderMap } from '../../protocol/wire.js';
import type { Logger } from '../../../observability/logger.js';
import { systemClock, type Clock } from '../../../runtime/clock.js';
import { allowedResponseHeaders } from './allowed-response-headers.js';
import {
  abortedFailure,
  failureOutcome,
  isConnectionDrop,
  networkFailure,
  type FailureOutcome,
} from './failure-outcomes.js';
import { createHttpDispatcher } from './http-dispatcher.js';
import { expectsResponse } from './json-rpc-shapes.js';
import {
  buildOutboundHeaders,
  commandHeader,
  prepareExtraHeaders,
  type OutboundHeaders,
} from './request-headers.js';
import {
  discardBody,
  drainBody,
  readErrorResponse,
  readJsonResponse,
  readSseResponse,
} from './response-reader.js';
import { RequestSignals } from './request-signals.js';
import { SessionRegistry } from './session-registry.js';
import { StreamLinger } from './stream-linger.js';

export interface HttpChannelOptions {
  /** Canonical channel name (`^[a-z0-9_-]{1,64}$`). */
  name: string;
  /** The MCP endpoint, http(s). Credentials or a query in it are kept for requests, never shown. */
  url: string;
  /** MCP_EXTRA_HEADERS: sent only to the configured URL (redirects are not followed). May carry secrets. */
  extraHeaders?: Record<string, string>;
  proxyUrl?: string;
  /** Extra trusted CAs, added to the system roots. */
  caBundlePem?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  logger: Logger;
  clock?: Clock;
  /** Use this dispatcher instead of building one (tests); the channel does not close it. */
  dispatcher?: Dispatcher;
  /** Largest JSON body, or largest single SSE event, accepted. Default 16 MiB. */
  maxResponseBytes?: number;
  /** Max wait for response headers, ms; 0 disables. Default 10 min (the command deadline applies too). */
  headersTimeoutMs?: number;
  /** Max idle gap between body chunks, ms; 0 disables. Default 10 min. */
  bodyTimeoutMs?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export function createHttpChannel(options: HttpChannelOptions): Channel {
  return new HttpChannel(options);
}

class HttpChannel implements Channel {
  readonly name: string;
  readonly transport = 'streamable-http' as const;
  readonly procAffinity = false;
  readonly #options: HttpChannelOptions;
  readonly #logger: Logger;
  readonly #origin: string;
  readonly #path: string;
  readonly #target: string;
  readonly #extra: OutboundHeaders;
  readonly #maxBytes: number;
  readonly #sessions = new SessionRegistry();
  readonly #requestSignals = new RequestSignals();
  readonly #linger: StreamLinger;
  #dispatcher: Dispatcher | undefined;
  #state: ChannelState = 'idle';
  #lastError: string | undefined;
  #inFlight = 0;

  constructor(options: HttpChannelOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new Error(
        `HTTP_CHANNEL_BAD_URL: channel "${options.name}" has an invalid MCP server URL; fix mcp.server_urls`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(
        `HTTP_CHANNEL_BAD_URL: channel "${options.name}" needs an http:// or https:// MCP server URL`,
      );
    }
    this.name = options.name;
    this.#options = options;
    this.#logger = options.logger.child('channel/http', { channel: options.name });
    this.#linger = new StreamLinger(options.clock ?? systemClock);
    this.#origin = url.origin;
    this.#path = `${url.pathname}${url.search}`;
    this.#target = `${url.origin}${url.pathname}`;
    const extra = prepareExtraHeaders(options.extraHeaders);
    if ((url.username || url.password) && !('authorization' in extra)) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      extra['authorization'] = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    this.#extra = extra;
    this.#maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  async start(): Promise<void> {
    if (this.#state === 'stopped')
      throw new Error('HTTP_CHANNEL_STOPPED: this channel was stopped; create a new one');
    if (this.#state === 'ready') return;
    try {
      this.#dispatcher =
        this.#options.dispatcher ??
        createHttpDispatcher({
          ...(this.#options.proxyUrl !== undefined && { proxyUrl: this.#options.proxyUrl }),
          ...(this.#options.caBundlePem !== undefined && { caBundlePem: this.#options.caBundlePem }),
          ...(this.#options.clientCertPem !== undefined && { clientCertPem: this.#options.clientCertPem }),
          ...(this.#options.clientKeyPem !== undefined && { clientKeyPem: this.#options.clientKeyPem }),
          headersTimeoutMs: this.#options.headersTimeoutMs ?? 600_000,
          bodyTimeoutMs: this.#options.bodyTimeoutMs ?? 600_000,
        });
      this.#state = 'ready';
      this.#lastError = undefined;
    } catch (err) {
      this.#state = 'failed';
      const code =
        err instanceof Error && err.message.startsWith('HTTP_CHANNEL_')
          ? err.message
          : 'HTTP_CHANNEL_START_FAILED: check the TLS and proxy settings';
      this.#lastError = code;
      throw new Error(code, { cause: err });
    }
  }

  async send(request: ChannelRequest): Promise<ChannelOutcome> {
    const dispatcher = this.#dispatcher;
    if (this.#state !== 'ready' || !dispatcher) return failureOutcome('client_internal', 'unknown', false);
    if (request.signal.aborted) return abortedFailure(false);
    this.#inFlight++;
    const { signal, release } = this.#requestSignals.open(request.signal);
    try {
      const body = JSON.stringify(request.message);
      const headers = buildOutboundHeaders(request.headers, this.#extra, true);
      const res = await this.#dispatch(dispatcher, 'POST', headers, body, signal, request.requestId);
      if ('kind' in res) return this.#logged(request.requestId, res);
      return this.#logged(request.requestId, await this.#answer(request, res, signal));
    } finally {
      release();
      this.#inFlight--;
    }
  }

  async terminateSession(request: SessionTerminationRequest): Promise<ChannelOutcome> {
    const dispatcher = this.#dispatcher;
    if (this.#state !== 'ready' || !dispatcher) return failureOutcome('client_internal', 'unknown', false);
    if (request.signal.aborted) return abortedFailure(false);
    this.#inFlight++;
    const { signal, release } = this.#requestSignals.open(request.signal);
    try {
      const headers = buildOutboundHeaders(request.headers, this.#extra, false);
      const res = await this.#dispatch(dispatcher, 'DELETE', headers, null, signal, request.requestId);
      if ('kind' in res) return this.#logged(request.requestId, res);
      const session = commandHeader(request.headers, 'mcp-session-id');
      if (session && ((res.statusCode >= 200 && res.statusCode < 300) || res.statusCode === 404)) {
        this.#sessions.ended(session);
      }
      drainBody(res.body);
      return {
        kind: 'session_terminated',
        status: res.statusCode,
        headers: allowedResponseHeaders(res.headers),
      };
    } finally {
      release();
      this.#inFlight--;
    }
  }

  snapshot(): ChannelSnapshot {
    const snap: ChannelSnapshot = {
      name: this.name,
      transport: this.transport,
      state: this.#state,
      target: this.#target,
      restarts: 0,
      inFlight: this.#inFlight,
      sessions: this.#sessions.size,
    };
    if (this.#lastError !== undefined) snap.lastError = this.#lastError;
    return snap;
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#requestSignals.abortAll(new Error('HTTP_CHANNEL_STOPPED'));
    this.#linger.closeAll();
    this.#sessions.clear();
    const dispatcher = this.#dispatcher;
    this.#dispatcher = undefined;
    if (dispatcher && !this.#options.dispatcher) await dispatcher.destroy();
  }

  /** One request, retried once on a fresh connection when it dropped before any response byte. */
  async #dispatch(
    dispatcher: Dispatcher,
    method: 'POST' | 'DELETE',
    headers: OutboundHeaders,
    body: string | null,
    signal: AbortSignal,
    requestId: string,
  ): Promise<Dispatcher.ResponseData | FailureOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await dispatcher.request({
          origin: this.#origin,
          path: this.#path,
          method,
          headers,
          body,
          signal,
        });
      } catch (err) {
        if (signal.aborted) return abortedFailure(false);
        if (attempt === 0 && isConnectionDrop(err)) {
          this.#logger.debug('connection dropped before a response; retrying once on a fresh connection', {
            request_id: requestId,
          });
          continue;
        }
        return networkFailure(err, false);
      }
    }
  }

  async #answer(
    request: ChannelRequest,
    res: Dispatcher.ResponseData,
    signal: AbortSignal,
  ): Promise<ChannelOutcome> {
    const status = res.statusCode;
    const headers = allowedResponseHeaders(res.headers);
    this.#trackSession(request.headers, res);
    const contentLength = res.headers['content-length'];
    if (status >= 400) {
      return readErrorResponse(status, headers, res.body, contentLength, this.#maxBytes, signal);
    }
    if (status < 200 || status >= 300) {
      discardBody(res.body);
      return failureOutcome('protocol', 'non_protocol_response', true);
    }
    const id = request.message['id'];
    if (!expectsResponse(request.message) || (typeof id !== 'string' && typeof id !== 'number')) {
      drainBody(res.body);
      return { kind: 'ack', status, headers };
    }
    const contentType = String(res.headers['content-type'] ?? '').toLowerCase();
    if (contentType.startsWith('text/event-stream')) {
      return readSseResponse({
        status,
        headers,
        body: res.body,
        id,
        notify: request.notify,
        maxEventBytes: this.#maxBytes,
        signal,
        onSettled: (body, outcome) =>
          outcome.kind === 'jsonrpc' ? this.#linger.linger(body) : discardBody(body),
        onUnrelatedResponse: () =>
          this.#logger.debug('ignored a response for another id on an SSE stream', {
            request_id: request.requestId,
          }),
      });
    }
    if (contentType.startsWith('application/json') || contentType.includes('+json')) {
      return readJsonResponse(status, headers, res.body, contentLength, this.#maxBytes, signal);
    }
    discardBody(res.body);
    return status === 202 || status === 204
      ? failureOutcome('protocol', 'response_body_missing', true)
      : failureOutcome('protocol', 'non_protocol_response', true);
  }

  #trackSession(requestHeaders: HeaderMap, res: Dispatcher.ResponseData): void {
    const sent = commandHeader(requestHeaders, 'mcp-session-id');
    if (res.statusCode === 404 && sent) {
      this.#sessions.ended(sent);
      return;
    }
    if (res.statusCode < 200 || res.statusCode >= 300) return;
    const returned = res.headers['mcp-session-id'];
    const id = typeof returned === 'string' ? returned : sent;
    if (id) this.#sessions.seen(id);
  }

  #logged(requestId: string, outcome: ChannelOutcome): ChannelOutcome {
    if (outcome.kind === 'failure') {
      this.#logger.debug('call failed', {
        request_id: requestId,
        source: outcome.failure.source,
        kind: outcome.failure.transport_error_kind,
        upstream_status: outcome.failure.upstream_status,
      });
    }
    return outcome;
  }
}
