/**
 * A raw MCP caller of the relay's front door (one undici Agent, closed with the caller): posts
 * one JSON-RPC message, accepts JSON and SSE, and turns whatever comes back into exactly the
 * outcomes the ledger judges. Raw HTTP (not the SDK) so duplicate or foreign responses on a
 * stream are seen rather than hidden.
 */
import { Agent, request } from 'undici';
import type { CallLedger, Outcome } from './call-ledger.js';

export interface CallerOptions {
  mcpUrl: string;
  connectorToken: string;
  ledger: CallLedger;
  /** Extra headers on every request (e.g. a planted canary). */
  headers?: Record<string, string>;
  /** Give up on one HTTP exchange after this long (a hung call is a violation). */
  hardTimeoutMs: number;
}

export interface CallOptions {
  sessionId?: string;
  label?: string;
  /** Expected echo text of the result. */
  expectText?: string;
}

type Json = Record<string, unknown>;

let sequence = 0;

/** A payload no other call in this process carries. */
export function uniquePayload(prefix = 'p'): string {
  sequence++;
  return `${prefix}-${process.pid}-${sequence}-${Math.random().toString(36).slice(2, 10)}`;
}

export class McpCaller {
  readonly #agent = new Agent({ keepAliveTimeout: 2_000, connections: 64 });
  readonly #options: CallerOptions;

  constructor(options: CallerOptions) {
    this.#options = options;
  }

  /** tools/call echo with a unique payload; the ledger checks the echo. */
  echo(text = uniquePayload('echo'), opts: CallOptions = {}): Promise<Outcome> {
    const id = uniquePayload('id');
    const message = {
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text } },
    };
    return this.call(message, { ...opts, expectText: text, label: opts.label ?? `echo ${text}` });
  }

  /** Sends one message and records its outcome in the ledger. */
  async call(message: Json, opts: CallOptions = {}): Promise<Outcome> {
    const entry = this.#options.ledger.start(opts.label ?? String(message.method), opts.expectText);
    const outcomes = await this.#exchange(message, opts.sessionId, 'POST');
    for (const outcome of outcomes) this.#options.ledger.settle(entry, outcome);
    return outcomes[0] ?? { kind: 'broken', detail: 'no outcome' };
  }

  /** initialize + notifications/initialized; returns the session id (throws when refused). */
  async initialize(): Promise<string> {
    const message = {
      jsonrpc: '2.0',
      id: uniquePayload('init'),
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'reliability-caller', version: '1.0.0' },
      },
    };
    const res = await this.#send('POST', message, undefined);
    const session = res.headers['mcp-session-id'];
    await res.body.text();
    if (typeof session !== 'string')
      throw new Error(`initialize answered ${res.statusCode} without a session`);
    const ack = await this.#send('POST', { jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    await ack.body.text();
    if (ack.statusCode !== 202) throw new Error(`notifications/initialized answered ${ack.statusCode}`);
    return session;
  }

  /** DELETE the session; records an `ack` (any 2xx/404/405) in the ledger. */
  async deleteSession(sessionId: string): Promise<Outcome> {
    const entry = this.#options.ledger.start(`DELETE ${sessionId}`);
    const [outcome] = await this.#exchange(undefined, sessionId, 'DELETE');
    this.#options.ledger.settle(entry, outcome!);
    return outcome!;
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  async #send(method: 'POST' | 'DELETE', message: Json | undefined, sessionId: string | undefined) {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#options.connectorToken}`,
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
      ...this.#options.headers,
    };
    if (message) headers['content-type'] = 'application/json';
    if (sessionId) headers['mcp-session-id'] = sessionId;
    return request(this.#options.mcpUrl, {
      method,
      headers,
      dispatcher: this.#agent,
      ...(message ? { body: JSON.stringify(message) } : {}),
      signal: AbortSignal.timeout(this.#options.hardTimeoutMs),
      headersTimeout: this.#options.hardTimeoutMs,
      bodyTimeout: this.#options.hardTimeoutMs,
    });
  }

  async #exchange(message: Json | undefined, sessionId: string | undefined, method: 'POST' | 'DELETE') {
    let status: number;
    let type: string;
    let text: string;
    try {
      const res = await this.#send(method, message, sessionId);
      status = res.statusCode;
      type = String(res.headers['content-type'] ?? '');
      text = await res.body.text();
    } catch (error) {
      return [{ kind: 'broken', detail: `transport: ${(error as Error).message}` } satisfies Outcome];
    }
    if (method === 'DELETE') {
      const fine = (status >= 200 && status < 300) || status === 404 || status === 405;
      return [fine ? ({ kind: 'ack', status } as const) : refusal(status, text)];
    }
    if (status === 202) return [{ kind: 'ack', status } as const];
    const rpcId = message?.id;
    if (type.includes('text/event-stream')) {
      const responses = sseMessages(text).filter((m) => 'id' in m && ('result' in m || 'error' in m));
      if (responses.length === 0)
        return [{ kind: 'broken', detail: 'SSE stream ended without a response' } as const];
      return responses.map((m) => classify(m, rpcId, status));
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [{ kind: 'broken', detail: `HTTP ${status} with a body that is not JSON` } as const];
    }
    if (isObject(body) && body.jsonrpc === '2.0') return [classify(body, rpcId, status)];
    return [refusal(status, text)];
  }
}

function refusal(status: number, text: string): Outcome {
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  if (status === 504 && code === 'tunnel_response_timeout') return { kind: 'timeout', status };
  return { kind: 'refused', status, code };
}

function classify(m: Json, rpcId: unknown, status: number): Outcome {
  // An error with a null id is a server that could not read the id: not another call's answer.
  const anonymousError = m.id === null && 'error' in m;
  if (m.id !== rpcId && !anonymousError)
    return { kind: 'broken', detail: `answered with id ${JSON.stringify(m.id)}` };
  if ('error' in m) {
    const error = isObject(m.error) ? m.error : {};
    const code = typeof error.code === 'number' ? error.code : Number.NaN;
    const msg = typeof error.message === 'string' ? error.message : '';
    if (code === -32603 && msg === 'tunnel timeout') return { kind: 'timeout', status };
    return { kind: 'rpc_error', code, message: msg, status };
  }
  const content = isObject(m.result) ? m.result.content : undefined;
  const first = Array.isArray(content) ? (content[0] as Json | undefined) : undefined;
  return { kind: 'result', text: typeof first?.text === 'string' ? first.text : undefined };
}

function sseMessages(text: string): Json[] {
  const out: Json[] = [];
  for (const block of text.split('\n\n')) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart());
    if (data.length === 0) continue;
    try {
      const parsed: unknown = JSON.parse(data.join('\n'));
      if (isObject(parsed)) out.push(parsed);
    } catch {
      out.push({ id: '<unparseable SSE event>', error: {} });
    }
  }
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
