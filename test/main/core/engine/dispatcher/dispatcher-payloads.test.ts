import { describe, expect, it } from 'vitest';
import type { ChannelOutcome } from '../../../../../main/core/engine/channels/channel.js';
import type { ResponsePayload } from '../../../../../main/core/engine/protocol/wire.js';
import { FakeChannel } from '../fakes/fake-channel.js';
import { jsonrpcCommand, terminationCommand } from '../fakes/fake-control-plane-client.js';
import { expectValidPayload, makeHarness, until } from './harness.js';

async function answerWith(
  outcome: ChannelOutcome | (() => Promise<ChannelOutcome>),
  message: Record<string, unknown> = { jsonrpc: '2.0', id: 7, method: 'tools/list' },
): Promise<{ payload: ResponsePayload; requestId: string; h: ReturnType<typeof makeHarness> }> {
  const h = makeHarness();
  h.main.onSend = typeof outcome === 'function' ? outcome : async () => outcome;
  const cmd = jsonrpcCommand({ jsonrpc: message });
  h.dispatcher.accept([cmd], h.clock.now());
  await until(() => h.client.posted.length === 1, 'the answer', h.clock);
  const payload = h.client.posted[0]!.payload;
  expectValidPayload(payload);
  expect(h.client.posted[0]!.options.kind).toBe('terminal');
  return { payload, requestId: cmd.request_id, h };
}

describe('dispatcher: terminal payloads', () => {
  it('jsonrpc outcome → jsonrpc_response with the message, status and headers verbatim', async () => {
    const message = { jsonrpc: '2.0', id: 7, result: { tools: [] } };
    const headers = { 'Content-Type': ['application/json'], 'Mcp-Session-Id': ['s1'] };
    const { payload, requestId } = await answerWith({ kind: 'jsonrpc', status: 200, headers, message });
    expect(payload).toEqual({
      request_id: requestId,
      channel: 'main',
      resp_type: 'jsonrpc_response',
      resp_code: 200,
      resp_headers: headers,
      resp_json: message,
    });
  });

  it('a valid MCP error passes through verbatim with its status and counts as mcp_error', async () => {
    const message = { jsonrpc: '2.0', id: 7, error: { code: -32004, message: 'nope' } };
    const { payload, requestId, h } = await answerWith({
      kind: 'jsonrpc',
      status: 404,
      headers: {},
      message,
    });
    expect(payload).toMatchObject({ resp_code: 404, resp_json: message, resp_type: 'jsonrpc_response' });
    expect(h.recordFor(requestId)).toMatchObject({ outcome: 'mcp_error', status: 404 });
  });

  it('ack outcome → notify_ack without a body', async () => {
    const { payload, requestId } = await answerWith(
      { kind: 'ack', status: 202, headers: { 'Content-Type': ['text/plain'] } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
    );
    expect(payload).toEqual({
      request_id: requestId,
      channel: 'main',
      resp_type: 'notify_ack',
      resp_code: 202,
      resp_headers: { 'Content-Type': ['text/plain'] },
    });
  });

  it('failure for a request → -32603 with tunnel_failure, the caller id and the reason phrase', async () => {
    const failure = {
      version: 1 as const,
      source: 'target_http' as const,
      upstream_response_received: true,
      upstream_status: 500,
    };
    const { payload, requestId, h } = await answerWith(
      { kind: 'failure', status: 502, reason: 'Bad Gateway', failure },
      { jsonrpc: '2.0', id: 'abc', method: 'tools/call', params: { name: 'echo' } },
    );
    expect(payload).toEqual({
      request_id: requestId,
      channel: 'main',
      resp_type: 'jsonrpc_response',
      resp_code: 502,
      resp_headers: { 'Content-Type': ['application/json'] },
      resp_json: {
        jsonrpc: '2.0',
        id: 'abc',
        error: { code: -32603, message: 'Bad Gateway', data: { tunnel_failure: failure } },
      },
    });
    expect(h.recordFor(requestId)).toMatchObject({
      outcome: 'failure',
      failureSource: 'target_http',
      status: 502,
    });
  });

  it('failure for a request with an unusable id answers with id null', async () => {
    const failure = { version: 1 as const, source: 'connect' as const, upstream_response_received: false };
    const { payload } = await answerWith(
      { kind: 'failure', status: 502, reason: 'Bad Gateway', failure },
      { jsonrpc: '2.0', id: { odd: true }, method: 'ping' },
    );
    expect((payload.resp_json as { id: unknown }).id).toBeNull();
  });

  it.each([
    ['a notification', { jsonrpc: '2.0', method: 'notifications/cancelled', params: {} }],
    ['a caller response', { jsonrpc: '2.0', id: 3, result: {} }],
  ])('failure for %s → notify_ack with the failure status and no body', async (_name, message) => {
    const failure = {
      version: 1 as const,
      source: 'transport_closed' as const,
      upstream_response_received: false,
    };
    const { payload, requestId } = await answerWith(
      { kind: 'failure', status: 502, reason: 'Bad Gateway', failure },
      message,
    );
    expect(payload).toEqual({
      request_id: requestId,
      channel: 'main',
      resp_type: 'notify_ack',
      resp_code: 502,
      resp_headers: {},
    });
  });

  it('a channel that throws → 502 with source client_internal and no exception text', async () => {
    const { payload, requestId, h } = await answerWith(async () => {
      throw new Error('secret internals sk-abcdefghijkl');
    });
    expect(payload.resp_code).toBe(502);
    expect(JSON.stringify(payload)).not.toContain('internals');
    expect(payload.resp_json).toMatchObject({
      id: 7,
      error: {
        code: -32603,
        data: { tunnel_failure: { source: 'client_internal', upstream_response_received: false } },
      },
    });
    expect(h.recordFor(requestId)?.failureSource).toBe('client_internal');
  });

  it('session_termination → terminateSession → session_termination_response', async () => {
    const h = makeHarness();
    const cmd = terminationCommand();
    h.dispatcher.accept([cmd], h.clock.now());
    await until(() => h.client.posted.length === 1, 'the answer', h.clock);
    expect(h.main.terminations[0]!.headers).toEqual(cmd.headers);
    const payload = h.client.posted[0]!.payload;
    expectValidPayload(payload);
    expect(payload).toEqual({
      request_id: cmd.request_id,
      channel: 'main',
      resp_type: 'session_termination_response',
      resp_code: 204,
      resp_headers: {},
    });
    expect(h.recordFor(cmd.request_id)).toMatchObject({ commandType: 'session_termination', outcome: 'ok' });
  });
});

describe('dispatcher: routing', () => {
  it('routes to the named channel', async () => {
    const side = new FakeChannel('side');
    const h = makeHarness({ extraChannels: [side] });
    h.dispatcher.accept([jsonrpcCommand({ channel: 'side' })], h.clock.now());
    await until(() => h.client.posted.length === 1, 'the answer', h.clock);
    expect(side.sends).toHaveLength(1);
    expect(h.main.sends).toHaveLength(0);
    expect(h.client.posted[0]!.payload.channel).toBe('side');
  });

  it('an unknown channel never falls back to main: 400 -32603 "unsupported channel"', async () => {
    const h = makeHarness();
    const cmd = jsonrpcCommand({ channel: 'nope', jsonrpc: { jsonrpc: '2.0', id: 9, method: 'tools/list' } });
    h.dispatcher.accept([cmd], h.clock.now());
    await until(() => h.client.posted.length === 1, 'the answer', h.clock);
    expect(h.main.sends).toHaveLength(0);
    const payload = h.client.posted[0]!.payload;
    expectValidPayload(payload);
    expect(payload).toEqual({
      request_id: cmd.request_id,
      channel: 'nope',
      resp_type: 'jsonrpc_response',
      resp_code: 400,
      resp_headers: { 'Content-Type': ['application/json'] },
      resp_json: {
        jsonrpc: '2.0',
        id: 9,
        error: {
          code: -32603,
          message: 'unsupported channel',
          data: { tunnel_failure: { version: 1, source: 'protocol', upstream_response_received: false } },
        },
      },
    });
  });

  it('a session termination on an unknown channel → session_termination_response 400', async () => {
    const h = makeHarness();
    const cmd = terminationCommand({ channel: 'nope' });
    h.dispatcher.accept([cmd], h.clock.now());
    await until(() => h.client.posted.length === 1, 'the answer', h.clock);
    expect(h.main.terminations).toHaveLength(0);
    const payload = h.client.posted[0]!.payload;
    expectValidPayload(payload);
    expect(payload).toMatchObject({ resp_type: 'session_termination_response', resp_code: 400 });
    expect(payload.resp_json).toBeUndefined();
  });
});

describe('dispatcher: POST results', () => {
  it('404 (gone) is terminal: the MCP call is never replayed', async () => {
    const h = makeHarness();
    h.client.onRespond = async () => 'gone';
    const cmd = jsonrpcCommand();
    h.dispatcher.accept([cmd], h.clock.now());
    await until(() => h.recordFor(cmd.request_id) !== undefined, 'the record', h.clock);
    await h.clock.advance(60_000);
    expect(h.main.sends).toHaveLength(1);
    expect(h.client.posted).toHaveLength(1);
    expect(h.recordFor(cmd.request_id)).toMatchObject({ outcome: 'gone', status: 200 });
  });

  it('a terminal POST that fails after retries is recorded as post_failed and frees capacity', async () => {
    const h = makeHarness({ maxInflight: 1 });
    h.client.onRespond = async () => {
      throw new Error('unavailable');
    };
    const cmd = jsonrpcCommand();
    h.dispatcher.accept([cmd], h.clock.now());
    await until(() => h.recordFor(cmd.request_id) !== undefined, 'the record', h.clock);
    expect(h.recordFor(cmd.request_id)?.outcome).toBe('post_failed');
    expect(h.dispatcher.freeCapacity()).toBe(1);
  });
});

describe('dispatcher: command records', () => {
  it('describe the command without bodies, with redacted headers and sizes', async () => {
    const h = makeHarness();
    await h.clock.advance(0);
    const cmd = jsonrpcCommand({
      headers: {
        Authorization: ['Bearer sk-verysecretvalue123'],
        'Mcp-Session-Id': ['sess-9'],
        'X-Trace': ['t1'],
      },
      jsonrpc: {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'hello' } },
      },
    });
    const wall = h.clock.wallNow();
    h.dispatcher.accept([cmd], h.clock.now());
    await until(() => h.records.length === 1, 'the record', h.clock);
    const record = h.records[0]!;
    expect(record).toMatchObject({
      requestId: cmd.request_id,
      channel: 'main',
      commandType: 'jsonrpc',
      method: 'tools/call',
      toolName: 'echo',
      startedAt: wall,
      status: 200,
      outcome: 'ok',
      notifyPostFailed: false,
      requestBytes: Buffer.byteLength(JSON.stringify(cmd.command_type === 'jsonrpc' ? cmd.jsonrpc : {})),
    });
    expect(record.responseBytes).toBeGreaterThan(0);
    expect(record.headers).toEqual({
      Authorization: ['[REDACTED]'],
      'Mcp-Session-Id': ['[REDACTED]'],
      'X-Trace': ['t1'],
    });
    expect(JSON.stringify(record)).not.toContain('hello');
  });

  it('name a caller response "response" and measure the phases with the clock', async () => {
    const h = makeHarness();
    h.main.onSend = async () => {
      await h.clock.sleep(40);
      return { kind: 'ack', status: 202, headers: {} };
    };
    h.client.onRespond = async () => {
      await h.clock.sleep(15);
      return 'ok';
    };
    const cmd = jsonrpcCommand({ jsonrpc: { jsonrpc: '2.0', id: 5, result: {} } });
    h.dispatcher.accept([cmd], h.clock.now() - 3);
    await h.clock.advance(100);
    expect(h.records[0]).toMatchObject({
      method: 'response',
      queueMs: 0,
      mcpMs: 40,
      postMs: 15,
      responseBytes: 0,
    });
  });
});
