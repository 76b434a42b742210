import { describe, expect, it } from 'vitest';
import { StreamMultiplexer } from '../../../../../../main/core/engine/channels/stream/stream-multiplexer.js';
import { SessionTable } from '../../../../../../main/core/engine/channels/stream/session-table.js';
import type { ChannelOutcome } from '../../../../../../main/core/engine/channels/channel.js';
import type { JsonObject } from '../../../../../../main/core/engine/protocol/wire.js';
import { silentLogger } from '../../../../../../main/core/observability/logger.js';
import { systemClock } from '../../../../../../main/core/runtime/clock.js';
import { initializeMessage, rpc, toolCall } from './channel-test-kit.js';

/** A scripted MCP server end: records what the multiplexer writes. */
function scriptedLink() {
  const written: JsonObject[] = [];
  return { written, link: { write: (m: JsonObject) => void written.push(m) } };
}

function mux() {
  return new StreamMultiplexer({ logger: silentLogger, clock: systemClock, handshakeTimeoutMs: 1000 });
}

function sessionOf(outcome: ChannelOutcome): string {
  const session = outcome.kind === 'jsonrpc' ? outcome.headers['Mcp-Session-Id']?.[0] : undefined;
  if (!session) throw new Error(`no session minted: ${JSON.stringify(outcome)}`);
  return session;
}

const flush = () => new Promise((r) => setImmediate(r));

describe('StreamMultiplexer', () => {
  it('rewrites ids and progress tokens, restores them verbatim, and passes errors through', async () => {
    const m = mux();
    const { written, link } = scriptedLink();
    await m.linkUp(link);
    const notes: JsonObject[] = [];
    const a = rpc(m, toolCall('same', 't', {}, { progressToken: 'same' }), { notes });
    const b = rpc(m, toolCall('same', 't', {}));
    await flush();
    const [wa, wb] = written;
    expect(wa?.id).not.toBe(wb?.id);
    expect(typeof wa?.id).toBe('number');
    const internalToken = ((wa?.params as JsonObject)._meta as JsonObject).progressToken;
    m.receive({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: internalToken, progress: 1 },
    });
    m.receive({ jsonrpc: '2.0', id: wb?.id, error: { code: -32004, message: 'nope', data: { x: 1 } } });
    m.receive({ jsonrpc: '2.0', id: wa?.id, result: { ok: true } });
    expect(notes).toEqual([
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'same', progress: 1 } },
    ]);
    expect(await b).toEqual({
      kind: 'jsonrpc',
      status: 200,
      headers: { 'Content-Type': ['application/json'] },
      message: { jsonrpc: '2.0', id: 'same', error: { code: -32004, message: 'nope', data: { x: 1 } } },
    });
    expect(await a).toMatchObject({ kind: 'jsonrpc', message: { id: 'same', result: { ok: true } } });
  });

  it('routes server requests to the latest tools/call and passes the caller answer through unchanged', async () => {
    const m = mux();
    const { written, link } = scriptedLink();
    await m.linkUp(link);
    const toolNotes: JsonObject[] = [];
    const listNotes: JsonObject[] = [];
    void rpc(m, toolCall(1, 't', {}), { notes: toolNotes });
    void rpc(m, { jsonrpc: '2.0', id: 2, method: 'resources/list' }, { notes: listNotes });
    await flush();
    const serverRequest = { jsonrpc: '2.0', id: 'srv-9', method: 'elicitation/create', params: {} };
    m.receive(serverRequest);
    m.receive({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } });
    expect(toolNotes.map((n) => n.method)).toEqual(['elicitation/create', 'notifications/message']);
    expect(listNotes).toEqual([]);
    const answer = { jsonrpc: '2.0', id: 'srv-9', result: { action: 'accept' } };
    expect(await rpc(m, answer)).toEqual({ kind: 'ack', status: 202, headers: {} });
    expect(written[written.length - 1]).toBe(answer);
  });

  it('answers server requests itself when nothing is in flight, and drops stray notifications', async () => {
    const m = mux();
    const { written, link } = scriptedLink();
    await m.linkUp(link);
    m.receive({ jsonrpc: '2.0', method: 'notifications/message', params: {} });
    m.receive({ jsonrpc: '2.0', id: 5, method: 'roots/list' });
    expect(written).toEqual([
      {
        jsonrpc: '2.0',
        id: 5,
        error: { code: -32603, message: 'No client request is in flight to carry this request' },
      },
    ]);
  });

  it('rewrites a caller cancellation to the internal id of that session only', async () => {
    const m = mux();
    const { written, link } = scriptedLink();
    await m.linkUp(link);
    const init = rpc(m, initializeMessage(0));
    await flush();
    m.receive({ jsonrpc: '2.0', id: written[0]?.id, result: { protocolVersion: '2025-06-18' } });
    const outcome = await init;
    const session = sessionOf(outcome);
    const call = rpc(m, toolCall(3, 't', {}), { session });
    await flush();
    const internal = written[1]?.id;
    const cancel = {
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 3, reason: 'r' },
    };
    expect(await rpc(m, cancel)).toMatchObject({ kind: 'ack' }); // no session: not that call
    expect(written).toHaveLength(2);
    expect(await rpc(m, cancel, { session })).toMatchObject({ kind: 'ack' });
    expect(written[2]).toEqual({ ...cancel, params: { requestId: internal, reason: 'r' } });
    expect(await call).toMatchObject({ kind: 'jsonrpc', message: { id: 3, error: { code: -32800 } } });
    expect(m.inFlight).toBe(0);
  });

  it('holds new work during a handshake replay and writes it after initialize + initialized', async () => {
    const m = mux();
    const first = scriptedLink();
    await m.linkUp(first.link);
    const init = rpc(m, initializeMessage('i'));
    await flush();
    m.receive({ jsonrpc: '2.0', id: first.written[0]?.id, result: {} });
    const session = sessionOf(await init);
    await rpc(m, { jsonrpc: '2.0', method: 'notifications/initialized' }, { session });
    m.linkDown();
    const waiting = rpc(m, toolCall(1, 't', {}), { session });
    const second = scriptedLink();
    const up = m.linkUp(second.link);
    await flush();
    expect(second.written.map((w) => w.method)).toEqual(['initialize']);
    expect(second.written[0]?.id).not.toBe(first.written[0]?.id);
    m.receive({ jsonrpc: '2.0', id: second.written[0]?.id, result: {} });
    await up;
    await flush();
    expect(second.written.map((w) => w.method)).toEqual([
      'initialize',
      'notifications/initialized',
      'tools/call',
    ]);
    m.receive({ jsonrpc: '2.0', id: second.written[2]?.id, result: { fine: 1 } });
    expect(await waiting).toMatchObject({ kind: 'jsonrpc', message: { id: 1, result: { fine: 1 } } });
  });

  it('rejects messages that are not JSON-RPC with 400 -32600', async () => {
    const m = mux();
    await m.linkUp(scriptedLink().link);
    expect(await rpc(m, { jsonrpc: '2.0', hello: 1 })).toMatchObject({
      status: 400,
      message: { id: null, error: { code: -32600 } },
    });
  });
});

describe('SessionTable', () => {
  it('mints 32-hex ids and forgets the least recently used beyond its bound', () => {
    const table = new SessionTable(2);
    const a = table.mint();
    const b = table.mint();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(table.touch(a)).toBe(true); // a is now the most recent
    const c = table.mint();
    expect(table.touch(b)).toBe(false);
    expect(table.touch(a) && table.touch(c)).toBe(true);
    expect(table.size).toBe(2);
  });
});
