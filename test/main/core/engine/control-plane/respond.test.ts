import { afterEach, describe, expect, it } from 'vitest';
import {
  createControlPlaneClient,
  type ControlPlaneClientOptions,
  type HttpControlPlaneClient,
} from '../../../../../main/core/engine/control-plane/http-client.js';
import { ControlPlaneError } from '../../../../../main/core/engine/control-plane/errors.js';
import type { RespondKind } from '../../../../../main/core/engine/control-plane/types.js';
import type { ResponsePayload } from '../../../../../main/core/engine/protocol/wire.js';
import { apiError, FakeControlPlane, type ResponseReply } from '../../../../fakes/fake-control-plane.js';
import { freePort } from './loopback.js';
import { ManualClock } from './manual-clock.js';

const API_KEY = 'sk-proj-canary-respond-0123456789abcdef';
const SHARD = 'shard-token-canary-77';
const SERVER_INFO = '{"version":1,"channels":[{"name":"main","proc_affinity":true}]}';

const terminal: ResponsePayload = {
  request_id: 'req_1',
  channel: 'main',
  resp_json: { jsonrpc: '2.0', id: 'rpc-1', result: { tools: [], note: 'ünïcødé ✓' } },
  resp_headers: { 'Content-Type': ['application/json'], 'Mcp-Session-Id': ['s-1'] },
  resp_code: 200,
  resp_type: 'jsonrpc_response',
};
const notify: ResponsePayload = {
  request_id: 'req_1',
  channel: 'main',
  resp_json: { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 0.5 } },
  resp_headers: {},
  resp_code: 200,
  resp_type: 'jsonrpc_notify',
};

let cp: FakeControlPlane | undefined;
const clients: HttpControlPlaneClient[] = [];
const errors: unknown[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await cp?.close();
  cp = undefined;
  for (const e of errors.splice(0)) {
    const text = `${String((e as Error).message)} ${JSON.stringify(e)}`;
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(SHARD);
  }
});

function makeClient(
  baseUrl: string,
  clock: ManualClock,
  extra: Partial<ControlPlaneClientOptions> = {},
): HttpControlPlaneClient {
  const client = createControlPlaneClient({
    baseUrl,
    tunnelId: 'tunnel_0123456789abcdef0123456789abcdef',
    apiKey: API_KEY,
    clientVersion: '0.1.0-test',
    serverInfo: SERVER_INFO,
    clock,
    random: () => 0.5,
    ...extra,
  });
  clients.push(client);
  return client;
}

async function setup(extra: Partial<ControlPlaneClientOptions> = {}): Promise<{
  cp: FakeControlPlane;
  client: HttpControlPlaneClient;
  clock: ManualClock;
}> {
  cp = await FakeControlPlane.start({ apiKey: API_KEY });
  const clock = new ManualClock();
  return { cp, client: makeClient(cp.baseUrl, clock, extra), clock };
}

function send(
  client: HttpControlPlaneClient,
  kind: RespondKind,
  options: { deadline?: number; signal?: AbortSignal } = {},
): Promise<'ok' | 'gone'> {
  return client.respond(kind === 'terminal' ? terminal : notify, {
    shardToken: SHARD,
    kind,
    signal: options.signal ?? new AbortController().signal,
    ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
  });
}

async function rejection(promise: Promise<unknown>): Promise<ControlPlaneError> {
  try {
    await promise;
  } catch (error) {
    errors.push(error);
    expect(error).toBeInstanceOf(ControlPlaneError);
    return error as ControlPlaneError;
  }
  throw new Error('expected the call to fail');
}

/** Every attempt carried the very same bytes and headers (apart from hop-level ones). */
function expectExactReplay(fake: FakeControlPlane, attempts: number): void {
  const posts = fake.responsePosts();
  expect(posts).toHaveLength(attempts);
  const first = posts[0]!;
  expect(first.rawBody).toBe(JSON.stringify(terminal));
  expect(first.body).not.toHaveProperty('shard_token');
  const stable = (h: Record<string, unknown>): Record<string, unknown> => {
    const { connection: _c, host: _h, ...rest } = h;
    return rest;
  };
  for (const post of posts) {
    expect(post.rawBody).toBe(first.rawBody);
    expect(stable(post.headers)).toEqual(stable(first.headers));
  }
  expect(first.headers['x-tunnel-shard-token']).toBe(SHARD);
  expect(first.headers['x-client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
}

describe('respond: terminal', () => {
  it('posts once on 200 with a body the contract accepts', async () => {
    const { cp, client } = await setup();
    expect(await send(client, 'terminal')).toBe('ok');
    expect(cp.responsePosts()).toHaveLength(1);
    expect(cp.responsePosts()[0]!.rawBody).toBe(JSON.stringify(terminal));
    expect(cp.problems()).toEqual([]);
  });

  it('uses a fresh X-Client-Request-Id per logical response', async () => {
    const { cp, client } = await setup();
    await send(client, 'terminal');
    await send(client, 'terminal');
    const [a, b] = cp.responsePosts();
    expect(a!.headers['x-client-request-id']).not.toBe(b!.headers['x-client-request-id']);
  });

  it('retries 503, 503 then succeeds, replaying the exact bytes and headers', async () => {
    const { cp, client, clock } = await setup();
    cp.scriptResponses(
      { status: 503 },
      { status: 503, body: apiError('tunnel_transport_unavailable') },
      { status: 200 },
    );
    expect(await send(client, 'terminal')).toBe('ok');
    expectExactReplay(cp, 3);
    expect(clock.sleeps).toEqual([50, 100]); // full jitter at random 0.5 of 100, 200
    expect(cp.problems()).toEqual([]);
  });

  it.each([408, 429, 502, 503, 504])('retries HTTP %i', async (status) => {
    const { cp, client } = await setup();
    cp.scriptResponses({ status }, { status: 200, body: { status: 'ok' } });
    expect(await send(client, 'terminal')).toBe('ok');
    expectExactReplay(cp, 2);
  });

  it.each([
    [400, 'bad_request'],
    [401, 'auth'],
    [403, 'auth'],
    [409, 'bad_request'],
    [413, 'bad_request'],
    [422, 'bad_request'],
    [500, 'unavailable'],
  ] as const)('does not retry HTTP %i (%s)', async (status, code) => {
    const { cp, client } = await setup();
    cp.scriptResponses({ status, body: apiError(`code_${status}`) }, { status: 200 });
    const error = await rejection(send(client, 'terminal'));
    expect(error).toMatchObject({ code, status, apiCode: `code_${status}` });
    expect(cp.responsePosts()).toHaveLength(1);
  });

  it('returns gone on 404 and never retries it', async () => {
    const { cp, client, clock } = await setup();
    cp.scriptResponses({ status: 404, body: apiError('pending_request_not_found') }, { status: 200 });
    expect(await send(client, 'terminal')).toBe('gone');
    expect(cp.responsePosts()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('retries a network failure after the request was written (socket destroyed)', async () => {
    const { cp, client } = await setup();
    cp.scriptResponses({ destroy: true }, { status: 200 });
    expect(await send(client, 'terminal')).toBe('ok');
    expectExactReplay(cp, 2);
  });

  it('retries a refused connection and delivers once the control plane is back', async () => {
    const port = await freePort();
    const clock = new ManualClock();
    const client = makeClient(`http://127.0.0.1:${port}`, clock);
    clock.onSleep = async () => {
      cp ??= await FakeControlPlane.start({ apiKey: API_KEY, port });
    };
    expect(await send(client, 'terminal')).toBe('ok');
    expect(clock.sleeps).toHaveLength(1);
    expect(cp!.responsePosts()).toHaveLength(1);
  });

  it('honours Retry-After in seconds as a minimum', async () => {
    const { cp, client, clock } = await setup();
    cp.scriptResponses(
      { status: 429, headers: { 'retry-after': '7' }, body: apiError('rate_limit_exceeded') },
      { status: 200 },
    );
    expect(await send(client, 'terminal')).toBe('ok');
    expect(clock.sleeps).toEqual([7_000]);
  });

  it('honours Retry-After as an HTTP-date, relative to the injected wall clock', async () => {
    const { cp, client, clock } = await setup();
    cp.scriptResponses(
      { status: 503, headers: { 'retry-after': new Date(clock.wallMs + 12_000).toUTCString() } },
      { status: 200 },
    );
    expect(await send(client, 'terminal')).toBe('ok');
    expect(clock.sleeps).toEqual([12_000]);
  });

  it('caps an absurd Retry-After, and lets backoff win when it is longer', async () => {
    const { cp, client, clock } = await setup({
      respondBackoff: { baseDelayMs: 1_000, maxDelayMs: 8_000, maxRetryAfterMs: 20_000, maxAttempts: 5 },
    });
    cp.scriptResponses(
      { status: 429, headers: { 'retry-after': '86400' } },
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 200 },
    );
    expect(await send(client, 'terminal')).toBe('ok');
    expect(clock.sleeps).toEqual([20_000, 1_000]);
  });

  it('never waits past the deadline: gives up with the last error instead', async () => {
    const { cp, client, clock } = await setup();
    cp.scriptResponses({ status: 503, headers: { 'retry-after': '10' } }, { status: 200 });
    const error = await rejection(send(client, 'terminal', { deadline: clock.nowMs + 5_000 }));
    expect(error).toMatchObject({ code: 'unavailable', status: 503, retryAfterMs: 10_000 });
    expect(cp.responsePosts()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('retries within the deadline, then stops when the next wait would cross it', async () => {
    const { cp, client, clock } = await setup({
      respondBackoff: { baseDelayMs: 1_000, maxDelayMs: 1_000, maxRetryAfterMs: 10_000, maxAttempts: 100 },
    });
    cp.scriptResponses(...Array.from({ length: 10 }, (): ResponseReply => ({ status: 502 })));
    const error = await rejection(send(client, 'terminal', { deadline: clock.nowMs + 1_600 }));
    expect(error).toMatchObject({ code: 'unavailable', status: 502 });
    expect(clock.sleeps).toEqual([500, 500, 500]);
    expect(cp.responsePosts()).toHaveLength(4);
  });

  it('sends nothing when called after the deadline', async () => {
    const { cp, client, clock } = await setup();
    const error = await rejection(send(client, 'terminal', { deadline: clock.nowMs }));
    expect(error).toMatchObject({ code: 'network', requestWritten: false });
    expect(error.message).toMatch(/deadline passed/);
    expect(cp.responsePosts()).toHaveLength(0);
  });

  it('stops after maxAttempts without a deadline', async () => {
    const { cp, client, clock } = await setup({
      respondBackoff: { baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 10, maxAttempts: 3 },
    });
    cp.scriptResponses(...Array.from({ length: 5 }, (): ResponseReply => ({ status: 504 })));
    expect(await rejection(send(client, 'terminal'))).toMatchObject({ code: 'unavailable', status: 504 });
    expect(cp.responsePosts()).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('stops at once when the signal aborts during a backoff wait', async () => {
    const { cp, client, clock } = await setup();
    const controller = new AbortController();
    const reason = new Error('tunnel stopping');
    clock.onSleep = () => controller.abort(reason);
    cp.scriptResponses({ status: 503 }, { status: 200 });
    await expect(send(client, 'terminal', { signal: controller.signal })).rejects.toBe(reason);
    expect(cp.responsePosts()).toHaveLength(1);
  });
});

describe('respond: notify', () => {
  it('retries 429 (Retry-After honoured) with the exact same body', async () => {
    const { cp, client, clock } = await setup();
    cp.scriptResponses({ status: 429, headers: { 'retry-after': '2' } }, { status: 200 });
    expect(await send(client, 'notify')).toBe('ok');
    expect(clock.sleeps).toEqual([2_000]);
    const posts = cp.responsePosts();
    expect(posts).toHaveLength(2);
    expect(posts[1]!.rawBody).toBe(posts[0]!.rawBody);
    expect(posts[0]!.rawBody).toBe(JSON.stringify(notify));
  });

  it.each([408, 500, 502, 503, 504])('does not retry HTTP %i (no duplicates)', async (status) => {
    const { cp, client } = await setup();
    cp.scriptResponses({ status }, { status: 200 });
    expect(await rejection(send(client, 'notify'))).toMatchObject({ status });
    expect(cp.responsePosts()).toHaveLength(1);
  });

  it('does not retry a failure after the request was written', async () => {
    const { cp, client } = await setup();
    cp.scriptResponses({ destroy: true }, { status: 200 });
    const error = await rejection(send(client, 'notify'));
    expect(error).toMatchObject({ code: 'network', requestWritten: true });
    expect(cp.responsePosts()).toHaveLength(1);
  });

  it('retries a failure before the request was written (connection refused)', async () => {
    const port = await freePort();
    const clock = new ManualClock();
    const client = makeClient(`http://127.0.0.1:${port}`, clock);
    clock.onSleep = async () => {
      cp ??= await FakeControlPlane.start({ apiKey: API_KEY, port });
    };
    expect(await send(client, 'notify')).toBe('ok');
    expect(cp!.responsePosts()).toHaveLength(1);
  });

  it('gives up on a control plane that stays unreachable, saying nothing was written', async () => {
    const port = await freePort();
    const clock = new ManualClock();
    const client = makeClient(`http://127.0.0.1:${port}`, clock, {
      respondBackoff: { baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 10, maxAttempts: 3 },
    });
    const error = await rejection(send(client, 'notify'));
    expect(error).toMatchObject({ code: 'network', requestWritten: false });
    expect(clock.sleeps).toHaveLength(2);
  });

  it('returns gone on 404', async () => {
    const { cp, client } = await setup();
    cp.scriptResponsesFor({ kind: 'notify' }, { status: 404 });
    expect(await send(client, 'notify')).toBe('gone');
    expect(await send(client, 'terminal')).toBe('ok');
  });
});
