/**
 * FakeControlPlane: a scripted tunnel control plane on a real node:http server (127.0.0.1:0),
 * for driving the real engine in tests. It records every request and answers as scripted.
 *
 *   const cp = await FakeControlPlane.start({ apiKey: 'sk-test-…', pathPrefix: '/proxy' });
 *   // client: baseUrl = cp.baseUrl, pathPrefix = '/proxy', tunnelId = cp.tunnelId, apiKey = cp.apiKey
 *   afterEach(() => cp.close());
 *
 * Options: `tunnelId` (default a valid `tunnel_` + 32 chars), `apiKey` (when set, a request
 * whose `Authorization` is not `Bearer <apiKey>` gets 401 `tunnel_use_forbidden`; change it with
 * `setApiKey()`), `pathPrefix` (requests must carry it before /v1), `tunnel` (metadata served by
 * GET /v1/tunnels/{id}), `pollHoldMs` (cap on how long a poll is held; default its timeout_ms),
 * `port` (listen on a given port, e.g. one a client was refused on a moment ago).
 *
 * Polls — GET …/poll — are answered, in this order of preference:
 *   1. the next scripted reply from `enqueuePoll(reply)` (FIFO; one reply per poll):
 *        { status, headers?, body? (JSON value), rawBody? (string), delayMs?, beforeBody? }
 *        `beforeBody`: headers are flushed, then awaited, then the body is sent (receipt-time tests).
 *        `{ commands: [...] }` is shorthand for 200 with exactly those commands, ignoring `limit`
 *        (batches larger than limit).
 *   2. queued commands from `pushCommands(...cmds)`: 200 `{commands}` with at most `limit` of them.
 *   3. otherwise the poll is held open until 1 or 2 becomes possible, or until its `timeout_ms`
 *      (or `pollHoldMs`) passes → 204. A client that hangs up is forgotten.
 *   Build commands with `jsonrpcCommand(message, opts?)` and `sessionTerminationCommand(sessionId, opts?)`
 *   (unique request_id / shard_token unless given), or hand-write wire objects (any shape, to
 *   test decoding). Error bodies: `apiError(code, message?)`.
 *
 * Response POSTs — POST …/response — are answered by rules, first match in insertion order:
 *   `scriptResponses(...replies)`            matches any POST
 *   `scriptResponsesFor(match, ...replies)`  match = { requestId?, respType?, kind?: 'terminal'|'notify' }
 *                                            or a predicate over the recorded call
 *   Each matching POST consumes one reply of the rule; an exhausted rule stops matching.
 *   Default reply: 200 `{"status":"ok"}`. A reply is { status, headers?, body?, rawBody?, delayMs? }
 *   (e.g. `{ status: 429, headers: { 'retry-after': '2' } }`, `{ status: 404, body: apiError('pending_request_not_found') }`)
 *   or `{ destroy: true }`: the request is read, then the socket is destroyed (a network error
 *   after the request was written).
 *   GET /v1/tunnels/{id} answers `enqueueTunnel(reply)` replies first, then 200 metadata.
 *
 * Records: `calls` (every request, arrival order; `seq` is 1-based), `polls()`, `responsePosts()`,
 * `responsesFor(requestId)`, `delivered` (commands handed out by polls), `pendingCommands`,
 * `openConnections` / `connectionsAccepted` (keep-alive checks).
 * Each RecordedCall: { seq, at (performance.now()), method, url, path, query, kind, headers,
 * rawBody, body (parsed JSON or undefined), replyStatus (once answered), aborted }.
 *
 * Awaiting (bounded, reject with a message naming what was awaited and what was seen):
 *   `waitForPolls(n)`, `waitForResponsePost(n)` (the Nth POST, answered), `waitForTerminal(requestId)`
 *   (first terminal POST for that request answered 2xx), `waitFor(check, label, timeoutMs?)`
 *   (resolves with the first non-undefined value of `check()`, re-evaluated on every event).
 *
 * `problems()`: every recorded request checked with `requestProblems` (openapi.json) plus the
 * wire rules openapi cannot express (client identity headers on every request, 32-hex instance
 * id, no shard_token in a response body); returns `#seq METHOD url: problem` strings.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { requestProblems } from '../support/openapi.js';

export type WireCommand = Record<string, unknown>;

export interface HttpReply {
  status: number;
  headers?: Record<string, string | string[]>;
  /** JSON-serialized; ignored when rawBody is set. */
  body?: unknown;
  rawBody?: string;
  delayMs?: number;
}

export type PollReply = (HttpReply & { beforeBody?: () => Promise<void> }) | { commands: WireCommand[] };

export type ResponseReply = HttpReply | { destroy: true };

export type CallKind = 'tunnel' | 'poll' | 'response' | 'unknown';

export interface RecordedCall {
  seq: number;
  at: number;
  method: string;
  url: string;
  /** Path without query (prefix included). */
  path: string;
  query: URLSearchParams;
  kind: CallKind;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body?: unknown;
  replyStatus?: number;
  /** The client hung up before an answer (e.g. an aborted long poll). */
  aborted: boolean;
}

export type ResponseMatch =
  { requestId?: string; respType?: string; kind?: 'terminal' | 'notify' } | ((call: RecordedCall) => boolean);

export interface FakeControlPlaneOptions {
  tunnelId?: string;
  apiKey?: string;
  pathPrefix?: string;
  tunnel?: { id?: string; name?: string; description?: string; [extra: string]: unknown };
  pollHoldMs?: number;
  /** Listen on this port (default: any free port). */
  port?: number;
}

const TERMINAL_TYPES = new Set(['jsonrpc_response', 'notify_ack', 'session_termination_response']);
const DEFAULT_WAIT_MS = 5_000;
let commandCounter = 0;

export function apiError(code: string, message = code, type = 'invalid_request_error'): unknown {
  return { error: { message, type, param: null, code } };
}

export interface CommandOptions {
  requestId?: string;
  shardToken?: string;
  channel?: string;
  headers?: Record<string, string[]>;
  responseTimeout?: string | null;
  createdAt?: string;
}

function commandBase(opts: CommandOptions): WireCommand {
  const n = ++commandCounter;
  const requestId = opts.requestId ?? `cmd_fake_${n}`;
  const out: WireCommand = {
    request_id: requestId,
    shard_token: opts.shardToken ?? `shard:${requestId}`,
    channel: opts.channel ?? 'main',
    created_at: opts.createdAt ?? new Date().toISOString(),
    headers: opts.headers ?? {},
  };
  if (opts.responseTimeout !== undefined) out.response_timeout = opts.responseTimeout;
  return out;
}

export function jsonrpcCommand(message: Record<string, unknown>, opts: CommandOptions = {}): WireCommand {
  return { ...commandBase(opts), command_type: 'jsonrpc', jsonrpc: message };
}

export function sessionTerminationCommand(sessionId: string, opts: CommandOptions = {}): WireCommand {
  const base = commandBase(opts);
  const headers = { ...(base.headers as Record<string, string[]>), 'Mcp-Session-Id': [sessionId] };
  return { ...base, headers, command_type: 'session_termination' };
}

interface HeldPoll {
  call: RecordedCall;
  res: ServerResponse;
  limit: number;
  timer: NodeJS.Timeout;
}

interface ResponseRule {
  match: ResponseMatch;
  replies: ResponseReply[];
}

export class FakeControlPlane {
  readonly calls: RecordedCall[] = [];
  readonly delivered: WireCommand[] = [];
  readonly tunnelId: string;
  readonly pathPrefix: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #pollReplies: PollReply[] = [];
  readonly #tunnelReplies: HttpReply[] = [];
  readonly #commands: WireCommand[] = [];
  readonly #held: HeldPoll[] = [];
  readonly #rules: ResponseRule[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #tunnel: Record<string, unknown>;
  readonly #pollHoldMs: number | undefined;
  #apiKey: string | undefined;
  #port = 0;
  #accepted = 0;

  private constructor(options: FakeControlPlaneOptions) {
    this.tunnelId = options.tunnelId ?? 'tunnel_0123456789abcdef0123456789abcdef';
    this.pathPrefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#pollHoldMs = options.pollHoldMs;
    this.#tunnel = {
      id: this.tunnelId,
      name: 'Fake tunnel',
      description: 'Scripted by FakeControlPlane',
      ...options.tunnel,
    };
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => res.destroy());
    });
    this.#server.on('connection', (socket) => {
      this.#accepted++;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(options: FakeControlPlaneOptions = {}): Promise<FakeControlPlane> {
    const cp = new FakeControlPlane(options);
    await new Promise<void>((resolve, reject) => {
      cp.#server.once('error', reject);
      cp.#server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    cp.#port = (cp.#server.address() as AddressInfo).port;
    return cp;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }
  get port(): number {
    return this.#port;
  }
  get apiKey(): string | undefined {
    return this.#apiKey;
  }
  get pendingCommands(): number {
    return this.#commands.length;
  }
  /** Open connections right now (keep-alive reuse shows as a small, stable number). */
  get openConnections(): number {
    return this.#sockets.size;
  }

  /** Connections accepted since start (keep-alive keeps this far below the request count). */
  get connectionsAccepted(): number {
    return this.#accepted;
  }

  setApiKey(key: string | undefined): void {
    this.#apiKey = key;
  }

  enqueuePoll(...replies: PollReply[]): void {
    this.#pollReplies.push(...replies);
    this.#serveHeld();
  }

  pushCommands(...commands: WireCommand[]): void {
    this.#commands.push(...commands);
    this.#serveHeld();
  }

  enqueueTunnel(...replies: HttpReply[]): void {
    this.#tunnelReplies.push(...replies);
  }

  scriptResponses(...replies: ResponseReply[]): void {
    this.#rules.push({ match: () => true, replies });
  }

  scriptResponsesFor(match: ResponseMatch, ...replies: ResponseReply[]): void {
    this.#rules.push({ match, replies });
  }

  polls(): RecordedCall[] {
    return this.calls.filter((c) => c.kind === 'poll');
  }
  responsePosts(): RecordedCall[] {
    return this.calls.filter((c) => c.kind === 'response');
  }
  responsesFor(requestId: string): RecordedCall[] {
    return this.responsePosts().filter((c) => bodyField(c, 'request_id') === requestId);
  }

  waitFor<T>(check: () => T | undefined, label: string, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    const first = check();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const listener = (): void => {
        const value = check();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `FakeControlPlane: timed out after ${timeoutMs} ms waiting for ${label}; saw ${this.summary()}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      this.#listeners.add(listener);
    });
  }

  waitForPolls(n: number, timeoutMs?: number): Promise<RecordedCall[]> {
    return this.waitFor(() => (this.polls().length >= n ? this.polls() : undefined), `${n} polls`, timeoutMs);
  }

  waitForResponsePost(n: number, timeoutMs?: number): Promise<RecordedCall> {
    return this.waitFor(
      () => {
        const call = this.responsePosts()[n - 1];
        return call && (call.replyStatus !== undefined || call.aborted) ? call : undefined;
      },
      `response POST #${n}`,
      timeoutMs,
    );
  }

  waitForTerminal(requestId: string, timeoutMs?: number): Promise<RecordedCall> {
    return this.waitFor(
      () =>
        this.responsesFor(requestId).find(
          (c) =>
            TERMINAL_TYPES.has(String(bodyField(c, 'resp_type'))) &&
            c.replyStatus !== undefined &&
            c.replyStatus >= 200 &&
            c.replyStatus < 300,
        ),
      `an accepted terminal response for request_id ${requestId}`,
      timeoutMs,
    );
  }

  problems(): string[] {
    const out: string[] = [];
    for (const call of this.calls) {
      const found = [...requestProblems(call), ...extraProblems(call)];
      for (const p of found) out.push(`#${call.seq} ${call.method} ${call.url}: ${p}`);
    }
    return out;
  }

  /** One line per call, for failure messages. */
  summary(): string {
    if (this.calls.length === 0) return 'no requests';
    return this.calls
      .map((c) => {
        const detail =
          c.kind === 'response'
            ? ` ${String(bodyField(c, 'resp_type'))}:${String(bodyField(c, 'request_id'))}`
            : '';
        return `#${c.seq} ${c.method} ${c.kind}${detail} → ${c.aborted ? 'aborted' : (c.replyStatus ?? 'pending')}`;
      })
      .join('; ');
  }

  async close(): Promise<void> {
    for (const held of this.#held.splice(0)) clearTimeout(held.timer);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#listeners.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const call: RecordedCall = {
      seq: this.calls.length + 1,
      at: performance.now(),
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: url.pathname,
      query: url.searchParams,
      kind: this.#kindOf(req.method ?? 'GET', url.pathname),
      headers: req.headers,
      rawBody,
      aborted: false,
    };
    if (rawBody !== '') {
      try {
        call.body = JSON.parse(rawBody);
      } catch {
        // Kept raw only: problems() reports the body as invalid.
      }
    }
    this.calls.push(call);
    res.on('close', () => {
      if (!res.writableFinished && call.replyStatus === undefined) {
        call.aborted = true;
        const i = this.#held.findIndex((h) => h.call === call);
        if (i >= 0) clearTimeout(this.#held.splice(i, 1)[0]!.timer);
        this.#notify();
      }
    });
    this.#notify();

    if (this.#apiKey !== undefined && req.headers.authorization !== `Bearer ${this.#apiKey}`) {
      await this.#reply(call, res, {
        status: 401,
        body: apiError('tunnel_use_forbidden', 'Invalid runtime key'),
      });
      return;
    }
    switch (call.kind) {
      case 'tunnel':
        await this.#reply(call, res, this.#tunnelReplies.shift() ?? { status: 200, body: this.#tunnel });
        return;
      case 'poll':
        this.#poll(call, res);
        return;
      case 'response':
        await this.#respond(call, res);
        return;
      default:
        await this.#reply(call, res, {
          status: 404,
          body: apiError('not_found', `no route ${call.method} ${call.path}`),
        });
    }
  }

  #kindOf(method: string, path: string): CallKind {
    const base = `${this.pathPrefix}/v1/tunnels/${this.tunnelId}`;
    if (method === 'GET' && path === base) return 'tunnel';
    if (method === 'GET' && path === `${base}/poll`) return 'poll';
    if (method === 'POST' && path === `${base}/response`) return 'response';
    return 'unknown';
  }

  #poll(call: RecordedCall, res: ServerResponse): void {
    const limit = Math.min(25, Math.max(1, Number(call.query.get('limit') ?? '1') || 1));
    const timeoutMs = Math.max(0, Number(call.query.get('timeout_ms') ?? '30000') || 0);
    const holdMs = this.#pollHoldMs === undefined ? timeoutMs : Math.min(this.#pollHoldMs, timeoutMs);
    if (this.#tryServe(call, res, limit)) return;
    const held: HeldPoll = {
      call,
      res,
      limit,
      timer: setTimeout(() => {
        const i = this.#held.indexOf(held);
        if (i >= 0) this.#held.splice(i, 1);
        void this.#reply(call, res, { status: 204 });
      }, holdMs),
    };
    this.#held.push(held);
  }

  #tryServe(call: RecordedCall, res: ServerResponse, limit: number): boolean {
    const scripted = this.#pollReplies.shift();
    if (scripted !== undefined) {
      if ('commands' in scripted) {
        this.delivered.push(...scripted.commands);
        void this.#reply(call, res, { status: 200, body: { commands: scripted.commands } });
      } else {
        void this.#reply(call, res, scripted, scripted.beforeBody);
      }
      return true;
    }
    if (this.#commands.length > 0) {
      const batch = this.#commands.splice(0, limit);
      this.delivered.push(...batch);
      void this.#reply(call, res, { status: 200, body: { commands: batch } });
      return true;
    }
    return false;
  }

  #serveHeld(): void {
    while (this.#held.length > 0 && (this.#pollReplies.length > 0 || this.#commands.length > 0)) {
      const held = this.#held.shift()!;
      clearTimeout(held.timer);
      this.#tryServe(held.call, held.res, held.limit);
    }
  }

  async #respond(call: RecordedCall, res: ServerResponse): Promise<void> {
    const rule = this.#rules.find((r) => r.replies.length > 0 && matches(r.match, call));
    const reply = rule?.replies.shift() ?? { status: 200, body: { status: 'ok' } };
    if ('destroy' in reply) {
      call.aborted = true;
      res.socket?.destroy();
      this.#notify();
      return;
    }
    await this.#reply(call, res, reply);
  }

  async #reply(
    call: RecordedCall,
    res: ServerResponse,
    reply: HttpReply,
    beforeBody?: () => Promise<void>,
  ): Promise<void> {
    if (reply.delayMs) await this.#sleep(reply.delayMs);
    if (res.destroyed || call.aborted) return;
    const text = reply.rawBody ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
    const headers: Record<string, string | string[]> = { ...reply.headers };
    if (text !== '' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    if (reply.status !== 204) headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(reply.status, headers);
    if (beforeBody) {
      res.flushHeaders();
      await beforeBody();
    }
    call.replyStatus = reply.status;
    res.end(reply.status === 204 ? undefined : text);
    this.#notify();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }
}

function bodyField(call: RecordedCall, field: string): unknown {
  const body = call.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
}

function matches(match: ResponseMatch, call: RecordedCall): boolean {
  if (typeof match === 'function') return match(call);
  if (match.requestId !== undefined && bodyField(call, 'request_id') !== match.requestId) return false;
  if (match.respType !== undefined && bodyField(call, 'resp_type') !== match.respType) return false;
  if (match.kind !== undefined) {
    const terminal = TERMINAL_TYPES.has(String(bodyField(call, 'resp_type')));
    if ((match.kind === 'terminal') !== terminal) return false;
  }
  return true;
}

const IDENTITY_HEADERS = [
  'accept',
  'user-agent',
  'x-tunnel-client-name',
  'x-tunnel-client-version',
  'x-tunnel-client-instance-id',
  'x-tunnel-mcp-server-info',
];

function extraProblems(call: RecordedCall): string[] {
  const out: string[] = [];
  for (const name of IDENTITY_HEADERS)
    if (call.headers[name] === undefined) out.push(`header ${name} missing`);
  const instance = call.headers['x-tunnel-client-instance-id'];
  if (typeof instance === 'string' && !/^[0-9a-f]{32}$/.test(instance)) {
    out.push('X-Tunnel-Client-Instance-Id is not 32 lowercase hex characters');
  }
  const info = call.headers['x-tunnel-mcp-server-info'];
  if (typeof info === 'string') {
    try {
      const parsed = JSON.parse(info) as { version?: unknown; channels?: unknown };
      if (parsed.version !== 1 || !Array.isArray(parsed.channels))
        out.push('X-Tunnel-MCP-Server-Info is not a v1 declaration');
    } catch {
      out.push('X-Tunnel-MCP-Server-Info is not JSON');
    }
  }
  if (call.kind === 'response') {
    if (!String(call.headers['content-type'] ?? '').startsWith('application/json'))
      out.push('Content-Type is not application/json');
    if (bodyField(call, 'shard_token') !== undefined)
      out.push('shard_token must travel only in X-Tunnel-Shard-Token');
  }
  return out;
}
