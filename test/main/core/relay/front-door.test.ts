import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { schemaErrors } from '../../../support/openapi.js';
import {
  http,
  manualClock,
  mcpHeaders,
  mcpPost,
  parseSse,
  poll,
  pollersReady,
  relayForTest,
  respond,
  startPoller,
  touchConnected,
  type WireCommand,
} from './relay-harness.js';

type Relay = Awaited<ReturnType<typeof relayForTest>>;

async function takeOne(relay: Relay, channels?: string[]): Promise<WireCommand> {
  const res = await poll(relay, { limit: 1, timeoutMs: 5000, channels });
  if (res.status !== 200) throw new Error(`poll answered ${res.status}`);
  return (res.json as { commands: WireCommand[] }).commands[0]!;
}

function reply(relay: Relay, cmd: WireCommand, body: Record<string, unknown>) {
  return respond(relay, cmd.shard_token, { request_id: cmd.request_id, channel: cmd.channel, ...body });
}

async function readUntil(
  iterator: AsyncIterator<Buffer>,
  seen: { text: string },
  needle: string,
): Promise<void> {
  while (!seen.text.includes(needle)) {
    const next = await iterator.next();
    if (next.done) throw new Error(`stream ended before ${needle}: ${seen.text}`);
    seen.text += next.value.toString('utf8');
  }
}

async function queuedCount(relay: Relay): Promise<number> {
  const text = await relay.relay.metrics.text();
  return Number(/^relay_commands_queued (\d+)/m.exec(text)?.[1] ?? -1);
}

/** Raw node:http request, so hop-by-hop and forwarding headers can be sent as-is. */
function rawPost(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('front door: SSE mode', () => {
  it('streams notifications as they arrive, then the terminal response as the last event', async () => {
    const relay = await relayForTest();
    await touchConnected(relay);
    const pending = request(relay.mcpUrl, {
      method: 'POST',
      headers: mcpHeaders(relay),
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'slow' } }),
    });
    const cmd = await takeOne(relay);
    const progress = { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1 } };
    await reply(relay, cmd, {
      resp_type: 'jsonrpc_notify',
      resp_code: 200,
      resp_json: progress,
      resp_headers: { 'Mcp-Session-Id': ['s-1'], 'X-Private': ['no'] },
    });
    const res = await pending;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['mcp-session-id']).toBe('s-1');
    expect(res.headers['content-length']).toBeUndefined(); // a live stream: chunked
    expect(res.headers['x-private']).toBeUndefined();
    const iterator = res.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const seen = { text: '' };
    await readUntil(iterator, seen, 'notifications/progress');
    // The notification reached the caller before the terminal response exists.
    const result = { jsonrpc: '2.0', id: 9, result: { content: [] } };
    await reply(relay, cmd, { resp_type: 'jsonrpc_response', resp_code: 200, resp_json: result });
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      seen.text += next.value.toString();
    const { events } = parseSse(seen.text);
    expect(events).toEqual([progress, result]);
    expect(seen.text).toContain('event: message\ndata: ');
  });

  it('sends keepalive comments while waiting, flushing headers first', async () => {
    const relay = await relayForTest({ heartbeatMs: 40 });
    await touchConnected(relay);
    const pending = request(relay.mcpUrl, {
      method: 'POST',
      headers: mcpHeaders(relay),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call' }),
    });
    const cmd = await takeOne(relay);
    const res = await pending; // headers flushed by the heartbeat, no event yet
    expect(res.headers['content-type']).toBe('text/event-stream');
    const iterator = res.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const seen = { text: '' };
    await readUntil(iterator, seen, ': keepalive\n\n');
    await reply(relay, cmd, {
      resp_type: 'jsonrpc_response',
      resp_code: 200,
      resp_json: { jsonrpc: '2.0', id: 1, result: {} },
    });
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      seen.text += next.value.toString();
    const parsed = parseSse(seen.text);
    expect(parsed.comments).toContain('keepalive');
    expect(parsed.events).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
  });

  it('answers a quick terminal in one go: a success as one SSE event with the session header, an error with its status', async () => {
    const relay = await relayForTest();
    startPoller(relay, (cmd) => {
      const id = cmd.jsonrpc!['id'];
      if (cmd.jsonrpc!['method'] === 'initialize')
        return [
          {
            resp_type: 'jsonrpc_response',
            resp_code: 200,
            resp_json: { jsonrpc: '2.0', id, result: { protocolVersion: '2025-06-18' } },
            resp_headers: { 'mcp-session-id': ['sess-42'], 'Mcp-Protocol-Version': ['2025-06-18'] },
          },
        ];
      return [
        {
          resp_type: 'jsonrpc_response',
          resp_code: 404,
          resp_json: { jsonrpc: '2.0', id, error: { code: -32001, message: 'Session not found' } },
        },
      ];
    });
    await pollersReady(relay);
    const init = await mcpPost(relay, { jsonrpc: '2.0', id: 0, method: 'initialize', params: {} });
    expect(init.status).toBe(200);
    expect(init.headers['content-type']).toBe('text/event-stream');
    expect(init.headers['mcp-session-id']).toBe('sess-42');
    expect(init.headers['mcp-protocol-version']).toBe('2025-06-18');
    // The whole stream was known: one write with its exact length, not chunked.
    expect(init.headers['content-length']).toBe(String(Buffer.byteLength(init.text)));
    expect(init.headers['transfer-encoding']).toBeUndefined();
    expect(parseSse(init.text).events).toEqual([
      { jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-06-18' } },
    ]);
    const lost = await mcpPost(
      relay,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'mcp-session-id': 'old' },
    );
    expect(lost.status).toBe(404);
    expect(lost.headers['content-type']).toBe('application/json');
    expect(lost.json).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32001, message: 'Session not found' },
    });
  });

  it('ends a started stream with a JSON-RPC -32603 "tunnel timeout" event at the deadline', async () => {
    const relay = await relayForTest({ responseTimeoutMs: 300 });
    await touchConnected(relay);
    const pending = mcpPost(relay, { jsonrpc: '2.0', id: 'k', method: 'tools/call' });
    const cmd = await takeOne(relay);
    await reply(relay, cmd, {
      resp_type: 'jsonrpc_notify',
      resp_code: 200,
      resp_json: { jsonrpc: '2.0', method: 'n' },
    });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(parseSse(res.text).events).toEqual([
      { jsonrpc: '2.0', method: 'n' },
      { jsonrpc: '2.0', id: 'k', error: { code: -32603, message: 'tunnel timeout' } },
    ]);
  });
});

describe('front door: JSON mode', () => {
  it('maps resp_code to the caller status (1xx → 502, unknown 2xx → 200, other unknown → 502)', async () => {
    const relay = await relayForTest();
    startPoller(relay, (cmd) => {
      const params = cmd.jsonrpc!['params'] as { code: number };
      return [
        {
          resp_type: 'jsonrpc_response',
          resp_code: params.code,
          resp_json: { jsonrpc: '2.0', id: cmd.jsonrpc!['id'], result: { code: params.code } },
          resp_headers: {
            'Mcp-Session-Id': ['abc'],
            'Set-Cookie': ['nope=1'],
            'Content-Type': ['text/html'],
          },
        },
      ];
    });
    await pollersReady(relay);
    const table: Array<[number, number]> = [
      [200, 200],
      [201, 201],
      [250, 200],
      [299, 200],
      [102, 502],
      [100, 502],
      [404, 404],
      [418, 502], // IANA lists 418 as unused
      [422, 422],
      [511, 511],
      [429, 429],
      [499, 502],
      [500, 500],
      [503, 503],
      [599, 502],
      [700, 502],
    ];
    for (const [code, expected] of table) {
      const res = await mcpPost(
        relay,
        { jsonrpc: '2.0', id: code, method: 'x', params: { code } },
        { accept: 'application/json' },
      );
      expect(res.status, `resp_code ${code}`).toBe(expected);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.headers['mcp-session-id']).toBe('abc');
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.json).toEqual({ jsonrpc: '2.0', id: code, result: { code } });
    }
  });

  it('answers 202 with no body to a notification or a response once the engine acks it', async () => {
    const relay = await relayForTest();
    const { seen } = startPoller(relay, (cmd) => [
      cmd.jsonrpc!['method'] === 'notifications/bad'
        ? {
            resp_type: 'notify_ack',
            resp_code: 400,
            resp_json: { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'bad' } },
          }
        : { resp_type: 'notify_ack', resp_code: 202 },
    ]);
    await pollersReady(relay);
    const note = await mcpPost(relay, { jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(note.status).toBe(202);
    expect(note.text).toBe('');
    const answer = await mcpPost(relay, { jsonrpc: '2.0', id: 'srv-1', result: { action: 'accept' } });
    expect(answer.status).toBe(202);
    const rejected = await mcpPost(relay, { jsonrpc: '2.0', method: 'notifications/bad' });
    expect(rejected.status).toBe(400);
    expect(seen.map((c) => c.command_type)).toEqual(['jsonrpc', 'jsonrpc', 'jsonrpc']);
    expect(seen[1]!.jsonrpc).toEqual({ jsonrpc: '2.0', id: 'srv-1', result: { action: 'accept' } });
  });
});

describe('front door: methods and sessions', () => {
  it('turns DELETE with Mcp-Session-Id into a session_termination command and passes its status', async () => {
    const relay = await relayForTest();
    const { seen } = startPoller(relay, () => [
      { resp_type: 'session_termination_response', resp_code: 204 },
    ]);
    await pollersReady(relay);
    const res = await http(`${relay.mcpUrl}/tools`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${relay.connectorToken}`, 'mcp-session-id': 'sess-9' },
    });
    expect(res.status).toBe(204);
    const cmd = seen[0]!;
    expect(schemaErrors('SessionTerminationPolledCommand', cmd)).toBeNull();
    expect(cmd.command_type).toBe('session_termination');
    expect(cmd.channel).toBe('tools');
    expect(cmd.jsonrpc).toBeUndefined();
    expect(cmd.headers['Mcp-Session-Id']).toEqual(['sess-9']);

    const missing = await http(relay.mcpUrl, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${relay.connectorToken}` },
    });
    expect(missing.status).toBe(400);
    expect((missing.json as { error: { code: string } }).error.code).toBe('missing_mcp_session_id');
  });

  it('answers GET with 405 and Allow: POST, DELETE, and OPTIONS as a CORS preflight', async () => {
    const relay = await relayForTest();
    await touchConnected(relay);
    const get = await http(relay.mcpUrl, {
      headers: { authorization: `Bearer ${relay.connectorToken}`, accept: 'text/event-stream' },
    });
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST, DELETE');
    const origin = new URL(relay.controlPlaneUrl).origin;
    const pre = await http(relay.mcpUrl, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'mcp-session-id',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(origin);
    expect(pre.headers['access-control-expose-headers']).toBe('Mcp-Session-Id, Mcp-Protocol-Version');
    const allowed = String(pre.headers['access-control-allow-headers']);
    for (const h of [
      'Mcp-Session-Id',
      'MCP-Protocol-Version',
      'Last-Event-ID',
      'Mcp-Method',
      'Mcp-Name',
      'Authorization',
      'Content-Type',
    ])
      expect(allowed).toContain(h);
  });

  it('answers 503 tunnel_client_not_seen before any poll and tunnel_client_not_connected once polls stop', async () => {
    const clock = manualClock();
    const relay = await relayForTest({ clock, maxPollHoldMs: 1000 });
    const body = { jsonrpc: '2.0', id: 1, method: 'ping' };
    const never = await mcpPost(relay, body);
    expect(never.status).toBe(503);
    expect((never.json as { error: { code: string } }).error.code).toBe('tunnel_client_not_seen');
    await touchConnected(relay);
    clock.advance(2 * 1000 + 10_000 + 1);
    const stale = await mcpPost(relay, body);
    expect(stale.status).toBe(503);
    expect((stale.json as { error: { code: string } }).error.code).toBe('tunnel_client_not_connected');
  });

  it('answers 429 tunnel_queue_full with Retry-After when the queue is at capacity', async () => {
    const relay = await relayForTest({ queueCapacity: 2 });
    await touchConnected(relay);
    const waiting = [1, 2].map((id) =>
      mcpPost(relay, { jsonrpc: '2.0', id, method: 'x' }).catch(() => undefined),
    );
    for (let i = 0; i < 200 && (await queuedCount(relay)) < 2; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(await queuedCount(relay)).toBe(2);
    const full = await mcpPost(relay, { jsonrpc: '2.0', id: 3, method: 'x' });
    expect(full.status).toBe(429);
    expect(full.headers['retry-after']).toBe('1');
    expect((full.json as { error: { code: string } }).error.code).toBe('tunnel_queue_full');
    void waiting;
  });

  it('rejects bodies that are not one JSON object, and oversize bodies (413), declared or streamed', async () => {
    const relay = await relayForTest({ maxRequestBytes: 1024 });
    await touchConnected(relay);
    for (const body of ['{nope', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]', '42', 'null', '"s"']) {
      const res = await mcpPost(relay, body);
      expect(res.status, body).toBe(400);
      expect((res.json as { error: { code: string } }).error.code).toBe('invalid_json_payload');
    }
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'x', params: { pad: 'x'.repeat(2048) } });
    const declared = await mcpPost(relay, big);
    expect(declared.status).toBe(413);
    expect((declared.json as { error: { code: string } }).error.code).toBe('request_body_too_large');
    const streamed = await request(relay.mcpUrl, {
      method: 'POST',
      headers: mcpHeaders(relay),
      body: Readable.from([Buffer.from(big.slice(0, 600)), Buffer.from(big.slice(600))]),
    });
    expect(streamed.statusCode).toBe(413);
    await streamed.body.text();
    const channel = await mcpPost(relay, { jsonrpc: '2.0', id: 1, method: 'x' }, {}, '/Bad.Channel');
    expect(channel.status).toBe(400);
    expect((channel.json as { error: { code: string } }).error.code).toBe('invalid_channel_format');
    expect((await poll(relay, { timeoutMs: 10 })).status).toBe(204);
  });

  it('forwards caller headers minus credentials, hop-by-hop, proxy and forwarding headers', async () => {
    const relay = await relayForTest();
    const { seen } = startPoller(relay, (cmd) => [
      {
        resp_type: 'jsonrpc_response',
        resp_code: 200,
        resp_json: { jsonrpc: '2.0', id: cmd.jsonrpc!['id'], result: {} },
      },
    ]);
    await pollersReady(relay);
    const res = await rawPost(
      relay.mcpUrl,
      {
        authorization: `Bearer ${relay.connectorToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        cookie: 'session=secret',
        connection: 'keep-alive, x-hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        'proxy-authorization': 'Basic abc',
        forwarded: 'for=1.2.3.4',
        'x-forwarded-for': '1.2.3.4',
        'x-forwarded-proto': 'https',
        'x-real-ip': '1.2.3.4',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'server/discover',
        'mcp-name': 'thing',
        'x-custom': 'kept',
      },
      JSON.stringify({ jsonrpc: '2.0', id: 'd', method: 'server/discover' }),
    );
    expect(res.status).toBe(200);
    const cmd = seen[0]!;
    const names = Object.keys(cmd.headers).map((n) => n.toLowerCase());
    for (const gone of [
      'authorization',
      'cookie',
      'connection',
      'x-hop',
      'keep-alive',
      'proxy-authorization',
      'forwarded',
      'x-forwarded-for',
      'x-forwarded-proto',
      'x-real-ip',
      'host',
      'content-length',
    ])
      expect(names).not.toContain(gone);
    expect(cmd.headers['Mcp-Method']).toEqual(['server/discover']);
    expect(cmd.headers['Mcp-Name']).toEqual(['thing']);
    expect(cmd.headers['Mcp-Protocol-Version']).toEqual(['2026-07-28']);
    expect(cmd.headers['X-Custom']).toEqual(['kept']);
    expect(cmd.jsonrpc).toEqual({ jsonrpc: '2.0', id: 'd', method: 'server/discover' });
    expect(JSON.stringify(cmd)).not.toContain(relay.connectorToken);
    expect(JSON.stringify(cmd)).not.toContain('session=secret');
  });

  it('keeps accepting responses (200, discarded) for a caller that disconnected', async () => {
    const relay = await relayForTest();
    await touchConnected(relay);
    const controller = new AbortController();
    const caller = http(relay.mcpUrl, {
      method: 'POST',
      headers: mcpHeaders(relay),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call' }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    const cmd = await takeOne(relay);
    controller.abort();
    await caller;
    await new Promise((r) => setTimeout(r, 20));
    const note = await reply(relay, cmd, {
      resp_type: 'jsonrpc_notify',
      resp_code: 200,
      resp_json: { jsonrpc: '2.0', method: 'n' },
    });
    expect(note.status).toBe(200);
    const done = await reply(relay, cmd, {
      resp_type: 'jsonrpc_response',
      resp_code: 200,
      resp_json: { jsonrpc: '2.0', id: 1, result: {} },
    });
    expect(done.status).toBe(200);
  });
});
