/**
 * JSON-RPC over one message stream (a stdio child, an in-memory SDK server), shared by every
 * stream channel. Many callers share the stream at once: each caller request id (and progress
 * token) is rewritten to a unique internal one on the way in and restored on the way out, so
 * concurrent callers, even ones reusing the same id, never collide.
 *
 * Gate (whether new work may be written to the stream):
 *
 *   down ──linkUp()──▶ replaying ──handshake done──▶ open
 *    ▲  (no initialize yet: straight to open) ─────────▲ │
 *    └───────────────linkDown()───────────────────────┴─┘
 *   down / replaying / open ──setUnavailable()──▶ unavailable ──linkUp()──▶ replaying / open
 *   any ──close()──▶ closed
 *
 * While `down` or `replaying`, callers wait (bounded by their signal); `unavailable` and
 * `closed` answer at once. After a restart the last successful `initialize` (fresh internal id,
 * answer swallowed) and `notifications/initialized` are written before any new work.
 */
import type { JsonObject } from '../../protocol/wire.js';
import type { Logger } from '../../../observability/logger.js';
import type { Clock } from '../../../runtime/clock.js';
import type { ChannelOutcome, ChannelRequest, SessionTerminationRequest } from '../channel.js';
import { SessionTable } from './session-table.js';
import {
  abortedOutcome,
  answerTooLargeOutcome,
  ackOutcome,
  asObject,
  classifyMessage,
  invalidRequestOutcome,
  isJsonRpcId,
  jsonHeaders,
  jsonRpcError,
  jsonRpcOutcome,
  sessionIdOf,
  sessionNotFoundOutcome,
  sessionTerminationUnsupportedOutcome,
  transportClosedOutcome,
  unavailableOutcome,
  type JsonRpcId,
} from './json-rpc-shape.js';
import { replaceTopLevelId } from './json-id-text.js';
import { routeServerMessage, type RoutableCall } from './server-message-router.js';

/** One live connection to the MCP server. `write` throws when the connection is gone. */
export interface StreamLink {
  write(message: JsonObject): void;
}

export type GateState = 'down' | 'replaying' | 'open' | 'unavailable' | 'closed';

export interface StreamMultiplexerOptions {
  logger: Logger;
  clock: Clock;
  /** How long the replayed `initialize` may take before new work is let through anyway. */
  handshakeTimeoutMs?: number;
  maxSessions?: number;
}

interface Call extends RoutableCall {
  readonly internalId: number;
  readonly callerId: JsonRpcId;
  readonly session: string | undefined;
  /** The caller's progress token; the internal token is `internalId`. */
  readonly callerToken: JsonRpcId | undefined;
  /** The caller's message, kept only for `initialize` (replayed after restarts). */
  readonly initialize: JsonObject | undefined;
  readonly swallow: boolean;
  readonly resolve: (outcome: ChannelOutcome) => void;
  cleanup?: () => void;
}

type Waiter = (outcome: ChannelOutcome | undefined) => void;

/**
 * Shortest response line passed on as text (id replaced) instead of serializing the parsed
 * message again: below this V8's JSON.stringify is cheaper than scanning (measured ~512 chars).
 */
export const TEXT_PATH_MIN_CHARS = 512;

export class StreamMultiplexer {
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #handshakeTimeoutMs: number;
  readonly #sessions: SessionTable;
  readonly #calls = new Map<number, Call>();
  readonly #waiters = new Set<Waiter>();
  #gate: GateState = 'down';
  #link: StreamLink | undefined;
  #generation = 0;
  #nextId = 0;
  #lastInitialize: JsonObject | undefined;
  #initializedSeen = false;

  constructor(options: StreamMultiplexerOptions) {
    this.#log = options.logger;
    this.#clock = options.clock;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? 30_000;
    this.#sessions = new SessionTable(options.maxSessions);
  }

  get gate(): GateState {
    return this.#gate;
  }
  get inFlight(): number {
    let n = this.#waiters.size;
    for (const call of this.#calls.values()) if (!call.swallow) n++;
    return n;
  }
  get sessions(): number {
    return this.#sessions.size;
  }

  send(request: ChannelRequest): Promise<ChannelOutcome> {
    const message = request.message;
    const kind = classifyMessage(message);
    if (kind === 'invalid') return Promise.resolve(invalidRequestOutcome());
    const session = sessionIdOf(request.headers);
    const isInitialize = kind === 'request' && message.method === 'initialize';
    if (session !== undefined && !isInitialize && !this.#sessions.touch(session)) {
      return Promise.resolve(sessionNotFoundOutcome(message.id));
    }
    if (request.signal.aborted) return Promise.resolve(abortedOutcome());
    if (this.#gate === 'open') return this.#dispatch(kind, message, session, request);
    return this.#waitOpen(request.signal).then(
      (blocked) => blocked ?? this.#dispatch(kind, message, session, request),
    );
  }

  terminateSession(_request: SessionTerminationRequest): Promise<ChannelOutcome> {
    // A stdio / in-memory server cannot end one session; every session stays valid.
    return Promise.resolve(sessionTerminationUnsupportedOutcome());
  }

  /** A new connection is up: replay the handshake if there was one, then let work through. */
  async linkUp(link: StreamLink): Promise<void> {
    if (this.#gate === 'closed') return;
    this.#link = link;
    const generation = ++this.#generation;
    const init = this.#lastInitialize;
    if (init) {
      this.#gate = 'replaying';
      await this.#replay(init, link);
      if (generation !== this.#generation || this.#gate !== 'replaying') return;
      if (this.#initializedSeen) this.#write(link, { jsonrpc: '2.0', method: 'notifications/initialized' });
    }
    this.#open();
  }

  /** The connection is gone: every call in flight fails with transport_closed; new work waits. */
  linkDown(): void {
    this.#generation++;
    this.#link = undefined;
    if (this.#gate !== 'closed' && this.#gate !== 'unavailable') this.#gate = 'down';
    this.#failAll(transportClosedOutcome());
  }

  /** The server cannot be started: waiting and new callers get a connect failure at once. */
  setUnavailable(): void {
    if (this.#gate === 'closed') return;
    this.linkDown();
    this.#gate = 'unavailable';
    this.#release(unavailableOutcome());
  }

  /** Stopped for good: everything pending fails, nothing new is accepted. */
  close(): void {
    this.linkDown();
    this.#gate = 'closed';
    this.#release(transportClosedOutcome());
  }

  /**
   * One message from the MCP server. `text`, when given, is the JSON text `message` was parsed
   * from: a response is then passed on as that text with only its id rewritten.
   */
  receive(message: JsonObject, text?: string): void {
    const kind = classifyMessage(message);
    if (kind === 'response') {
      this.#onResponse(message, text);
      return;
    }
    if (kind === 'invalid') {
      this.#log.warn('MCP server sent a message that is not JSON-RPC; ignored');
      return;
    }
    const link = this.#link;
    const reply = link ? (answer: JsonObject) => this.#write(link, answer) : () => undefined;
    routeServerMessage(message, kind, this.#calls, this.#log, reply);
  }

  /** The server's answer to request `internalId` was too large to read: that call fails now. */
  answerTooLarge(internalId: number): void {
    const call = this.#calls.get(internalId);
    if (!call) return;
    this.#finish(call, answerTooLargeOutcome());
  }

  #dispatch(
    kind: 'request' | 'notification' | 'response',
    message: JsonObject,
    session: string | undefined,
    request: ChannelRequest,
  ): Promise<ChannelOutcome> {
    const link = this.#link;
    if (this.#gate !== 'open' || !link)
      return Promise.resolve(this.#blockedOutcome() ?? transportClosedOutcome());
    if (kind === 'request') return this.#call(link, message, session, request);
    if (kind === 'notification') {
      const out = this.#rewriteNotification(message, session);
      if (out && !this.#write(link, out)) return Promise.resolve(transportClosedOutcome('closed_pipe'));
    } else if (!this.#write(link, message)) {
      // A caller's answer to a server request: the id is the server's own, passed through.
      return Promise.resolve(transportClosedOutcome('closed_pipe'));
    }
    return Promise.resolve(ackOutcome());
  }

  #call(link: StreamLink, message: JsonObject, session: string | undefined, request: ChannelRequest) {
    return new Promise<ChannelOutcome>((resolve) => {
      const internalId = ++this.#nextId;
      const out: JsonObject = { ...message, id: internalId };
      const params = asObject(message.params);
      const meta = params && asObject(params._meta);
      const token = meta?.progressToken;
      const callerToken = isJsonRpcId(token) ? token : undefined;
      if (callerToken !== undefined)
        out.params = { ...params, _meta: { ...meta, progressToken: internalId } };
      const method = message.method as string;
      const call: Call = {
        internalId,
        callerId: message.id as JsonRpcId,
        method,
        session,
        callerToken,
        initialize: method === 'initialize' ? message : undefined,
        swallow: false,
        notify: request.notify,
        resolve,
      };
      const signal = request.signal;
      const onAbort = (): void => {
        if (this.#calls.get(internalId) !== call) return;
        this.#calls.delete(internalId);
        const current = this.#link;
        if (current && method !== 'initialize') {
          const reason = 'The caller cancelled the request';
          this.#write(current, {
            jsonrpc: '2.0',
            method: 'notifications/cancelled',
            params: { requestId: internalId, reason },
          });
        }
        resolve(abortedOutcome());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      call.cleanup = () => signal.removeEventListener('abort', onAbort);
      this.#calls.set(internalId, call);
      if (!this.#write(link, out)) this.#finish(call, transportClosedOutcome('closed_pipe'));
    });
  }

  /** Caller notifications: remember `initialized`, point `cancelled` at the internal id. */
  #rewriteNotification(message: JsonObject, session: string | undefined): JsonObject | undefined {
    if (message.method === 'notifications/initialized') {
      this.#initializedSeen = true;
      return message;
    }
    if (message.method !== 'notifications/cancelled') return message;
    const params = asObject(message.params);
    const target = params?.requestId;
    for (const call of this.#calls.values()) {
      if (call.swallow || call.callerId !== target || call.session !== session) continue;
      this.#finish(call, jsonRpcOutcome(jsonRpcError(call.callerId, -32800, 'Request cancelled')));
      return { ...message, params: { ...params, requestId: call.internalId } };
    }
    this.#log.debug('Cancellation for a request not in flight; dropped');
    return undefined;
  }

  #onResponse(message: JsonObject, text: string | undefined): void {
    const id = message.id;
    const call = typeof id === 'number' ? this.#calls.get(id) : undefined;
    if (!call) {
      this.#log.debug('Answer for a request no longer in flight; dropped');
      return;
    }
    if (call.swallow) {
      this.#finish(call, jsonRpcOutcome(message));
      return;
    }
    message.id = call.callerId;
    const headers = jsonHeaders();
    if (call.initialize && 'result' in message) {
      this.#lastInitialize = call.initialize;
      headers['Mcp-Session-Id'] = [this.#sessions.mint()];
    }
    // The child's own line with only the id restored, when it can be found unambiguously.
    const messageText =
      text === undefined || text.length < TEXT_PATH_MIN_CHARS
        ? undefined
        : replaceTopLevelId(text, JSON.stringify(call.callerId));
    this.#finish(
      call,
      messageText === undefined
        ? jsonRpcOutcome(message, 200, headers)
        : { kind: 'jsonrpc', status: 200, headers, message, messageText },
    );
  }

  async #replay(init: JsonObject, link: StreamLink): Promise<void> {
    const internalId = ++this.#nextId;
    const answered = new Promise<ChannelOutcome>((resolve) => {
      const call: Call = {
        internalId,
        callerId: internalId,
        method: 'initialize',
        session: undefined,
        callerToken: undefined,
        initialize: undefined,
        swallow: true,
        notify: () => undefined,
        resolve,
      };
      this.#calls.set(internalId, call);
      if (!this.#write(link, { ...init, id: internalId }))
        this.#finish(call, transportClosedOutcome('closed_pipe'));
    });
    const timer = new AbortController();
    const timedOut = this.#clock.sleep(this.#handshakeTimeoutMs, timer.signal).then(
      () => undefined,
      () => undefined,
    );
    const outcome = await Promise.race([answered, timedOut]);
    timer.abort();
    if (!outcome) {
      this.#calls.delete(internalId);
      this.#log.warn('MCP server did not answer the replayed initialize in time; continuing');
    } else if (outcome.kind !== 'jsonrpc' || !('result' in outcome.message)) {
      this.#log.warn('MCP server rejected the replayed initialize', { outcome: outcome.kind });
    } else {
      this.#log.info('Replayed the MCP initialize handshake after a restart');
    }
  }

  #write(link: StreamLink, message: JsonObject): boolean {
    try {
      link.write(message);
      return true;
    } catch {
      this.#log.debug('Write to the MCP server failed (connection closing)');
      return false;
    }
  }

  #finish(call: Call, outcome: ChannelOutcome): void {
    if (this.#calls.get(call.internalId) === call) this.#calls.delete(call.internalId);
    call.cleanup?.();
    call.resolve(outcome);
  }

  #failAll(outcome: ChannelOutcome): void {
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    for (const call of calls) {
      call.cleanup?.();
      call.resolve(outcome);
    }
  }

  #blockedOutcome(): ChannelOutcome | undefined {
    if (this.#gate === 'unavailable') return unavailableOutcome();
    if (this.#gate === 'closed') return transportClosedOutcome();
    return undefined;
  }

  #waitOpen(signal: AbortSignal): Promise<ChannelOutcome | undefined> {
    const blocked = this.#blockedOutcome();
    if (blocked) return Promise.resolve(blocked);
    return new Promise((resolve) => {
      const waiter: Waiter = (outcome) => {
        this.#waiters.delete(waiter);
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = (): void => waiter(abortedOutcome());
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  #open(): void {
    this.#gate = 'open';
    this.#release(undefined);
  }

  #release(outcome: ChannelOutcome | undefined): void {
    for (const waiter of [...this.#waiters]) waiter(outcome);
  }
}
