import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../../../../main/core/engine/channels/channel.js';
import {
  createHttpChannel,
  type HttpChannelOptions,
} from '../../../../../../main/core/engine/channels/http/http-channel.js';
import { silentLogger } from '../../../../../../main/core/observability/logger.js';
import {
  startHttpMcpServer,
  type HttpMcpServer,
  type HttpMcpServerOptions,
} from '../../../../../fixtures/http-mcp-server.js';
import { call, expectFailure, initializeMessage, openSession, toolCall } from './channel-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(
  serverOptions: HttpMcpServerOptions = {},
  channelOptions: Partial<HttpChannelOptions> = {},
): Promise<{ mcp: HttpMcpServer; channel: Channel }> {
  const mcp = await startHttpMcpServer(serverOptions);
  cleanups.push(() => mcp.close());
  const channel = createHttpChannel({ name: 'main', url: mcp.url, logger: silentLogger, ...channelOptions });
  cleanups.push(() => channel.stop());
  await channel.start();
  return { mcp, channel };
}

describe('HTTP channel against a real SDK Streamable HTTP server', () => {
  it('initializes, acks notifications/initialized with 202, lists tools, and tracks the session', async () => {
    const { mcp, channel } = await setup();
    expect(channel.procAffinity).toBe(false);
    expect(channel.snapshot()).toMatchObject({
      state: 'ready',
      transport: 'streamable-http',
      target: mcp.url,
      sessions: 0,
    });

    const init = await call(channel, initializeMessage(7));
    expect(init.outcome.kind).toBe('jsonrpc');
    if (init.outcome.kind !== 'jsonrpc') return;
    expect(init.outcome.status).toBe(200);
    expect(init.outcome.message).toMatchObject({
      jsonrpc: '2.0',
      id: 7,
      result: { serverInfo: { name: 'http-fixture' } },
    });
    const sid = init.outcome.headers['Mcp-Session-Id']?.[0];
    expect(sid).toBe(mcp.sessionIds()[0]);
    expect(init.outcome.headers['Content-Type']?.[0]).toContain('text/event-stream');
    expect(
      Object.keys(init.outcome.headers).every((h) =>
        [
          'Content-Type',
          'Mcp-Session-Id',
          'Mcp-Protocol-Version',
          'Last-Event-ID',
          'Access-Control-Expose-Headers',
          'WWW-Authenticate',
        ].includes(h),
      ),
    ).toBe(true);

    const headers = { 'Mcp-Session-Id': [sid!], 'MCP-Protocol-Version': ['2025-11-25'] };
    const ack = await call(channel, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
    expect(ack.outcome).toMatchObject({ kind: 'ack', status: 202 });

    const list = await call(channel, { jsonrpc: '2.0', id: 'list-1', method: 'tools/list' }, headers);
    expect(list.outcome.kind).toBe('jsonrpc');
    if (list.outcome.kind !== 'jsonrpc') return;
    const tools = (list.outcome.message['result'] as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['echo', 'progress', 'sample', 'fail', 'slow']));
    expect(channel.snapshot()).toMatchObject({ sessions: 1, inFlight: 0 });
  });

  it('delivers progress notifications in order through notify, then the response', async () => {
    const { channel } = await setup();
    const headers = await openSession(channel);
    const order: string[] = [];
    const { outcome, notes } = await call(
      channel,
      toolCall(3, 'progress', { steps: 4 }, { progressToken: 'tok-1' }),
      headers,
      undefined,
      () => order.push('notify'),
    );
    order.push('response');
    expect(notes.map((n) => n['method'])).toEqual(Array(4).fill('notifications/progress'));
    expect(notes.map((n) => (n['params'] as { progress: number; progressToken: string }).progress)).toEqual([
      1, 2, 3, 4,
    ]);
    expect((notes[0]!['params'] as { progressToken: string }).progressToken).toBe('tok-1');
    expect(order).toEqual(['notify', 'notify', 'notify', 'notify', 'response']);
    expect(outcome).toMatchObject({
      kind: 'jsonrpc',
      status: 200,
      message: { id: 3, result: { content: [{ text: 'done after 4 steps' }] } },
    });
  });

  it('reuses keep-alive connections across SSE answers instead of opening one per call', async () => {
    const { mcp, channel } = await setup();
    const headers = await openSession(channel);
    for (let i = 0; i < 3; i++) {
      expect((await call(channel, toolCall(30 + i, 'progress', { steps: 2 }), headers)).outcome.kind).toBe(
        'jsonrpc',
      );
    }
    // The answer resolves as soon as the response event arrives, while the server is still
    // ending its stream, so the next call may take a second socket; after that both are reused.
    const ports = new Set(mcp.requests.map((r) => r.remotePort));
    expect(mcp.requests).toHaveLength(5);
    expect(ports.size).toBeLessThanOrEqual(2);
  });

  it('maps an undici body timeout to a 504 timeout failure', async () => {
    const { channel } = await setup({}, { bodyTimeoutMs: 50 });
    const headers = await openSession(channel);
    expectFailure((await call(channel, toolCall(40, 'slow'), headers)).outcome, {
      source: 'timeout',
      kind: 'timeout',
      received: true,
      status: 504,
    });
  });

  it('answers with JSON bodies when the server does (enableJsonResponse)', async () => {
    const { channel } = await setup({ jsonResponse: true });
    const headers = await openSession(channel);
    const { outcome } = await call(channel, toolCall(4, 'echo', { text: 'hi' }), headers);
    expect(outcome.kind).toBe('jsonrpc');
    if (outcome.kind !== 'jsonrpc') return;
    expect(outcome.headers['Content-Type']?.[0]).toContain('application/json');
    expect(outcome.message).toEqual({
      jsonrpc: '2.0',
      id: 4,
      result: { content: [{ type: 'text', text: 'hi' }] },
    });
  });

  it('surfaces a sampling request through notify; the caller answer completes the tool call', async () => {
    const { channel } = await setup();
    const headers = await openSession(channel);
    let answered: Promise<unknown> | undefined;
    const pending = call(channel, toolCall(5, 'sample', { prompt: 'say hi' }), headers, undefined, (m) => {
      if (m['method'] !== 'sampling/createMessage') return;
      answered = call(
        channel,
        {
          jsonrpc: '2.0',
          id: m['id'],
          result: { role: 'assistant', model: 'fake', content: { type: 'text', text: 'hi there' } },
        },
        headers,
      ).then((r) => r.outcome);
    });
    const { outcome, notes } = await pending;
    expect(notes.map((n) => n['method'])).toEqual(['sampling/createMessage']);
    await expect(answered).resolves.toMatchObject({ kind: 'ack', status: 202 });
    expect(outcome).toMatchObject({
      kind: 'jsonrpc',
      message: { id: 5, result: { content: [{ text: 'sampled: hi there' }] } },
    });
  });

  it('terminates a session with DELETE; a later request gets the server 404 verbatim', async () => {
    const { mcp, channel } = await setup();
    const headers = await openSession(channel);
    expect(channel.snapshot().sessions).toBe(1);
    const ended = await channel.terminateSession({
      requestId: 'del-1',
      headers,
      signal: new AbortController().signal,
    });
    expect(ended).toMatchObject({ kind: 'session_terminated', status: 200 });
    expect(mcp.count('DELETE')).toBe(1);
    expect(mcp.requests.at(-1)!.headers['mcp-session-id']).toBe(headers['Mcp-Session-Id']![0]);
    expect(channel.snapshot().sessions).toBe(0);

    const stale = await call(channel, { jsonrpc: '2.0', id: 9, method: 'tools/list' }, headers);
    expect(stale.outcome).toEqual({
      kind: 'jsonrpc',
      status: 404,
      headers: { 'Content-Type': ['application/json'] },
      message: { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null },
    });
  });

  it('passes tool errors as results and JSON-RPC errors verbatim', async () => {
    const { channel } = await setup();
    const headers = await openSession(channel);
    const failed = await call(channel, toolCall(10, 'fail'), headers);
    expect(failed.outcome).toMatchObject({
      kind: 'jsonrpc',
      status: 200,
      message: { id: 10, result: { isError: true } },
    });

    const unknown = await call(
      channel,
      { jsonrpc: '2.0', id: 11, method: 'resources/read', params: { uri: 'fixture://missing' } },
      headers,
    );
    expect(unknown.outcome).toMatchObject({
      kind: 'jsonrpc',
      status: 200,
      message: { id: 11, error: { code: -32602 } },
    });

    const noMethod = await call(channel, { jsonrpc: '2.0', id: 12, method: 'no/such/method' }, headers);
    expect(noMethod.outcome).toMatchObject({ kind: 'jsonrpc', message: { id: 12, error: { code: -32601 } } });
  });

  it('synthesizes target_http for a 5xx without a JSON-RPC body, and passes a JSON-RPC 4xx through', async () => {
    const { mcp, channel } = await setup();
    mcp.failNext({ kind: 'status', status: 503, body: '<html>down</html>', contentType: 'text/html' });
    expectFailure((await call(channel, initializeMessage())).outcome, {
      source: 'target_http',
      kind: 'http_status',
      received: true,
      upstreamStatus: 503,
    });
    const body = '{"jsonrpc":"2.0","error":{"code":-32003,"message":"Forbidden by policy"},"id":1}';
    mcp.failNext({ kind: 'status', status: 403, body, contentType: 'application/json' });
    expect((await call(channel, initializeMessage())).outcome).toMatchObject({
      kind: 'jsonrpc',
      status: 403,
      message: JSON.parse(body) as object,
    });
  });

  it('maps malformed JSON, a cut SSE stream, a cleanly ended SSE stream and a redirect to protocol failures', async () => {
    const { mcp, channel } = await setup();
    mcp.failNext({ kind: 'malformed-json' });
    expectFailure((await call(channel, initializeMessage())).outcome, {
      source: 'protocol',
      kind: 'malformed_json',
      received: true,
    });

    mcp.failNext({ kind: 'drop-sse' });
    const dropped = await call(channel, initializeMessage());
    expect(dropped.notes).toHaveLength(1);
    expectFailure(dropped.outcome, { source: 'protocol', kind: 'unexpected_eof', received: true });

    mcp.failNext({ kind: 'drop-sse', clean: true });
    expectFailure((await call(channel, initializeMessage())).outcome, {
      source: 'protocol',
      kind: 'unexpected_eof',
      received: true,
    });

    mcp.failNext({ kind: 'redirect', location: 'http://127.0.0.1:1/elsewhere' });
    expectFailure((await call(channel, initializeMessage())).outcome, {
      source: 'protocol',
      kind: 'non_protocol_response',
      received: true,
    });
    expect(mcp.count('POST')).toBe(4);
  });

  it('skips priming events, comments and responses for other ids on an SSE stream', async () => {
    const { mcp, channel } = await setup();
    mcp.failNext({
      kind: 'raw-sse',
      body:
        'id: s1\nretry: 1000\ndata: \n\n: keep-alive\n\n' +
        'event: message\r\nid: s2\r\ndata: {"jsonrpc":"2.0","method":"notifications/message",\r\ndata: "params":{"level":"info","data":"x"}}\r\n\r\n' +
        'data: {"jsonrpc":"2.0","id":999,"result":{}}\n\n' +
        'data: {"jsonrpc":"2.0","id":1,"result":{"ok":true}}\n\n',
    });
    const { outcome, notes } = await call(channel, initializeMessage(1));
    expect(notes).toEqual([
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } },
    ]);
    expect(outcome).toMatchObject({
      kind: 'jsonrpc',
      status: 200,
      message: { jsonrpc: '2.0', id: 1, result: { ok: true } },
    });
    mcp.failNext({ kind: 'raw-sse', body: 'data: {not json\n\n' });
    expectFailure((await call(channel, initializeMessage(1))).outcome, {
      source: 'protocol',
      kind: 'malformed_json',
      received: true,
    });
  });

  it('rejects a response larger than maxResponseBytes', async () => {
    const { mcp, channel } = await setup({}, { maxResponseBytes: 64 });
    mcp.failNext({
      kind: 'status',
      status: 200,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, result: { pad: 'x'.repeat(200) } }),
      contentType: 'application/json',
    });
    expectFailure((await call(channel, initializeMessage())).outcome, {
      source: 'protocol',
      kind: 'response_body_too_large',
      received: true,
    });
  });

  it('maps a closed port to connect/connection_refused', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const channel = createHttpChannel({
      name: 'main',
      url: `http://127.0.0.1:${port}/mcp`,
      logger: silentLogger,
    });
    cleanups.push(() => channel.stop());
    await channel.start();
    expectFailure((await call(channel, initializeMessage())).outcome, {
      source: 'connect',
      kind: 'connection_refused',
      received: false,
    });
  });

  it('retries once on a fresh connection when the connection drops before any response byte', async () => {
    const { mcp, channel } = await setup();
    mcp.failNext({ kind: 'reset' });
    expect((await call(channel, initializeMessage())).outcome.kind).toBe('jsonrpc');
    expect(mcp.count('POST')).toBe(2);

    mcp.failNext({ kind: 'reset' }, 2);
    expectFailure((await call(channel, initializeMessage())).outcome, {
      source: 'transport_closed',
      kind: 'connection_closed',
      received: false,
    });
    expect(mcp.count('POST')).toBe(4);
  });

  it('aborts the upstream request when the command is cancelled', async () => {
    const { mcp, channel } = await setup();
    const headers = await openSession(channel);
    const controller = new AbortController();
    const pending = call(channel, toolCall(20, 'slow'), headers, controller.signal);
    await mcp.waitFor(
      () => mcp.requests.some((r) => r.body.includes('"slow"')),
      'the slow tools/call to arrive',
    );
    expect(channel.snapshot().inFlight).toBe(1);
    controller.abort();
    expectFailure((await pending).outcome, {
      source: 'timeout',
      kind: 'timeout',
      received: true,
      status: 504,
    });
    await mcp.waitFor(() => mcp.clientClosed === 1, 'the fixture to see the request closed');
    expect(channel.snapshot().inFlight).toBe(0);
  });

  it('stop() aborts in-flight calls and refuses new ones', async () => {
    const { mcp, channel } = await setup();
    const headers = await openSession(channel);
    const pending = call(channel, toolCall(21, 'slow'), headers);
    await mcp.waitFor(
      () => mcp.requests.some((r) => r.body.includes('"slow"')),
      'the slow tools/call to arrive',
    );
    await channel.stop();
    expect((await pending).outcome.kind).toBe('failure');
    expect(channel.snapshot().state).toBe('stopped');
    expectFailure((await call(channel, initializeMessage())).outcome, {
      source: 'client_internal',
      kind: 'unknown',
      received: false,
    });
    await expect(channel.start()).rejects.toThrow(/HTTP_CHANNEL_STOPPED/);
  });
});
