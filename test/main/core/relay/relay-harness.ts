/**
 * Test harness for the relay: raw HTTP helpers (undici.request, so Host/Origin can be set),
 * a minimal in-test tunnel client (poll loop), an SSE reader and a controllable clock.
 */
import { request } from 'undici';
import { afterEach } from 'vitest';
import type { Clock } from '../../../../main/core/runtime/clock.js';
import { startEmbeddedRelay, type EmbeddedRelay } from '../../../../main/core/relay/embedded.js';
import type { RelayOptions } from '../../../../main/core/relay/relay-server.js';

export type TestRelayOptions = RelayOptions & { tunnelName?: string };

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

export async function http(
  url: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    signal?: AbortSignal;
  } = {},
): Promise<HttpResult> {
  const res = await request(url, {
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers,
    body: init.body,
    signal: init.signal,
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_000): Clock & { advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    wallNow: () => 1_780_000_000_000 + t,
    sleep: () => Promise.resolve(),
    advance: (ms) => {
      t += ms;
    },
  };
}

const running: EmbeddedRelay[] = [];
const controllers: AbortController[] = [];

afterEach(async () => {
  for (const c of controllers.splice(0)) c.abort();
  await Promise.all(running.splice(0).map((r) => r.close()));
});

/** An embedded relay closed after the test. */
export async function relayForTest(options: TestRelayOptions = {}): Promise<EmbeddedRelay> {
  const relay = await startEmbeddedRelay(options);
  running.push(relay);
  return relay;
}

/** An AbortSignal aborted after the test. */
export function testSignal(): AbortSignal {
  const c = new AbortController();
  controllers.push(c);
  return c.signal;
}

export interface PollOptions {
  instanceId?: string;
  info?: string;
  limit?: number;
  timeoutMs?: number;
  key?: string;
  tunnelId?: string;
  channels?: string[];
  signal?: AbortSignal;
}

export interface WireCommand {
  request_id: string;
  shard_token: string;
  command_type: string;
  channel: string;
  created_at: string;
  response_timeout?: string;
  headers: Record<string, string[]>;
  jsonrpc?: Record<string, unknown>;
}

export function pollUrl(relay: EmbeddedRelay, o: PollOptions = {}): string {
  const q = new URLSearchParams();
  q.set('limit', String(o.limit ?? 10));
  q.set('timeout_ms', String(o.timeoutMs ?? 1000));
  for (const c of o.channels ?? []) q.append('channel', c);
  return `${relay.controlPlaneUrl}/v1/tunnels/${o.tunnelId ?? relay.tunnelId}/poll?${q.toString()}`;
}

export function pollHeaders(relay: EmbeddedRelay, o: PollOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${o.key ?? relay.runtimeKey}`,
    accept: 'application/json',
  };
  if (o.instanceId) headers['x-tunnel-client-instance-id'] = o.instanceId;
  if (o.info) headers['x-tunnel-mcp-server-info'] = o.info;
  return headers;
}

export function poll(relay: EmbeddedRelay, o: PollOptions = {}): Promise<HttpResult> {
  return http(pollUrl(relay, o), { headers: pollHeaders(relay, o), signal: o.signal });
}

export function respond(
  relay: EmbeddedRelay,
  shardToken: string | undefined,
  payload: unknown,
  o: { key?: string; tunnelId?: string } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${o.key ?? relay.runtimeKey}`,
    'content-type': 'application/json',
  };
  if (shardToken !== undefined) headers['x-tunnel-shard-token'] = shardToken;
  return http(`${relay.controlPlaneUrl}/v1/tunnels/${o.tunnelId ?? relay.tunnelId}/response`, {
    method: 'POST',
    headers,
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

export type Reply = {
  resp_type: string;
  resp_code: number;
  resp_json?: unknown;
  resp_headers?: Record<string, string[]>;
};

/** What the in-test tunnel client does with a command: the responses to post, in order. */
export type CommandHandler = (cmd: WireCommand, instanceId: string) => Reply[] | Promise<Reply[]>;

/** A minimal tunnel client: polls until aborted, answers each command with `handle`. */
export function startPoller(
  relay: EmbeddedRelay,
  handle: CommandHandler,
  o: PollOptions & { onCommand?: (cmd: WireCommand, instanceId: string) => void } = {},
): { seen: WireCommand[]; stopped: Promise<void> } {
  const signal = o.signal ?? testSignal();
  const instanceId = o.instanceId ?? 'a'.repeat(32);
  const seen: WireCommand[] = [];
  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      let res: HttpResult;
      try {
        res = await poll(relay, { ...o, instanceId, timeoutMs: o.timeoutMs ?? 500, signal });
      } catch {
        return;
      }
      if (res.status === 204) continue;
      if (res.status !== 200) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      for (const cmd of (res.json as { commands: WireCommand[] }).commands) {
        seen.push(cmd);
        o.onCommand?.(cmd, instanceId);
        void (async () => {
          for (const reply of await handle(cmd, instanceId)) {
            await respond(relay, cmd.shard_token, {
              request_id: cmd.request_id,
              channel: cmd.channel,
              ...reply,
            }).catch(() => undefined);
          }
        })();
      }
    }
  };
  return { seen, stopped: loop() };
}

/** Parse SSE text into events (data parsed as JSON) and comment lines. */
export function parseSse(text: string): { events: unknown[]; comments: string[] } {
  const events: unknown[] = [];
  const comments: string[] = [];
  for (const block of text.split('\n\n')) {
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length > 0) events.push(JSON.parse(data.join('\n')));
  }
  return { events, comments };
}

/** Wait until `check` is true, polling every 5 ms, failing with `what` after `ms`. */
export async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function mcpHeaders(relay: EmbeddedRelay, extra: Record<string, string> = {}): Record<string, string> {
  return {
    authorization: `Bearer ${relay.connectorToken}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...extra,
  };
}

/** POST one JSON-RPC message to the front door. */
export function mcpPost(
  relay: EmbeddedRelay,
  message: unknown,
  extra: Record<string, string> = {},
  path = '',
): Promise<HttpResult> {
  return http(relay.mcpUrl + path, {
    method: 'POST',
    headers: mcpHeaders(relay, extra),
    body: typeof message === 'string' ? message : JSON.stringify(message),
  });
}

/** Make the tunnel count as connected: one short poll that returns 204. */
export async function touchConnected(relay: EmbeddedRelay, o: PollOptions = {}): Promise<void> {
  const res = await poll(relay, { timeoutMs: 1, ...o });
  if (res.status !== 204 && res.status !== 200) throw new Error(`poll answered ${res.status}: ${res.text}`);
}

/** Wait until at least `n` long polls are held by the relay (the poller loops are live). */
export async function pollersReady(relay: EmbeddedRelay, n = 1): Promise<void> {
  const start = Date.now();
  for (;;) {
    const text = await relay.relay.metrics.text();
    if (Number(/^relay_pollers_waiting (\d+)/m.exec(text)?.[1] ?? 0) >= n) return;
    if (Date.now() - start > 5000) throw new Error(`timed out waiting for ${n} held polls`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
