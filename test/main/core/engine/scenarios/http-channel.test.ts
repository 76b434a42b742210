/**
 * The real engine built by `buildTunnel` with a Streamable HTTP channel, in front of a real SDK
 * Streamable HTTP server (test/fixtures/http-mcp-server.ts): sessions, multi-valued headers
 * replayed upstream, SSE progress as jsonrpc_notify, a sampling round trip over HTTP, and
 * session_termination → DELETE upstream.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessionTerminationCommand } from '../../../../fakes/fake-control-plane.js';
import { startHttpMcpServer, type HttpMcpServer } from '../../../../fixtures/http-mcp-server.js';
import {
  closeScenarios,
  resultText,
  sessionHeaders,
  startScenario,
  toolCall,
  type Scenario,
} from './scenario-harness.js';

let mcp: HttpMcpServer;

beforeEach(async () => {
  mcp = await startHttpMcpServer();
});

afterEach(async () => {
  try {
    await closeScenarios();
  } finally {
    await mcp.close();
  }
});

function httpScenario(): Promise<Scenario> {
  return startScenario({ configChannels: [{ name: 'main', kind: 'http', url: mcp.url }] });
}

/** Values of one header as the server received them (raw pairs, so repeated lines stay separate). */
function rawValues(rawHeaders: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) out.push(rawHeaders[i + 1]!);
  }
  return out;
}

describe('scenarios: Streamable HTTP channel through the full engine', () => {
  it('initializes a real session and answers a tool call; HTTP channels omit proc_affinity', async () => {
    const s = await httpScenario();
    const session = await s.initialize();
    expect(mcp.sessionIds()).toEqual([session]);
    const id = s.send(toolCall(3, 'echo', { text: 'over http' }), { headers: sessionHeaders(session) });
    const answer = await s.terminal(id);
    expect(answer).toMatchObject({ resp_type: 'jsonrpc_response', resp_code: 200 });
    expect((answer.resp_json as { id: unknown }).id).toBe(3);
    expect(resultText(answer)).toBe('over http');
    const info = JSON.parse(String(s.fake.polls()[0]!.headers['x-tunnel-mcp-server-info'])) as unknown;
    expect(info).toEqual({ version: 1, channels: [{ name: 'main' }] });
  });

  it('replays multi-valued command headers upstream, every value preserved in order', async () => {
    const s = await httpScenario();
    const session = await s.initialize();
    const id = s.send(toolCall(4, 'echo', { text: 'headers' }), {
      headers: sessionHeaders(session, {
        'X-Trace-Hop': ['first', 'second', 'third'],
        Authorization: ['Bearer caller-token'],
      }),
    });
    await s.terminal(id);
    const call = mcp.requests.find((r) => r.body.includes('"headers"'));
    expect(call, 'the tool call reached the server').toBeDefined();
    expect(rawValues(call!.rawHeaders, 'x-trace-hop')).toEqual(['first', 'second', 'third']);
    expect(call!.headers.authorization).toBe('Bearer caller-token');
    expect(call!.headers['mcp-session-id']).toBe(session);
    expect(call!.headers['mcp-protocol-version']).toBe('2025-06-18');
  });

  it('streams SSE progress as jsonrpc_notify in order, then the terminal response', async () => {
    const s = await httpScenario();
    const session = await s.initialize();
    const id = s.send(toolCall(5, 'progress', { steps: 3 }, 'http-tok'), {
      headers: sessionHeaders(session),
    });
    const terminal = await s.terminal(id);
    expect(resultText(terminal)).toBe('done after 3 steps');
    const posted = s.payloads(id);
    expect(posted.map((p) => p.resp_type)).toEqual([
      'jsonrpc_notify',
      'jsonrpc_notify',
      'jsonrpc_notify',
      'jsonrpc_response',
    ]);
    expect(posted.slice(0, 3).map((p) => (p.resp_json?.params as { progress: number }).progress)).toEqual([
      1, 2, 3,
    ]);
  });

  it('sampling over HTTP: request as jsonrpc_notify, the caller answer POSTed upstream → notify_ack, call completes', async () => {
    const s = await httpScenario();
    const session = await s.initialize({ capabilities: { sampling: {} } });
    const callId = s.send(toolCall('s-1', 'sample', { prompt: 'say hi' }), {
      headers: sessionHeaders(session),
    });
    const notify = await s.fake.waitFor(
      () => s.payloads(callId).find((p) => p.resp_type === 'jsonrpc_notify'),
      'the sampling request',
    );
    const request = notify.resp_json as { id: number | string; method: string };
    expect(request.method).toBe('sampling/createMessage');
    const answerId = s.send(
      {
        jsonrpc: '2.0',
        id: request.id,
        result: { role: 'assistant', content: { type: 'text', text: 'hi!' }, model: 'fake-model' },
      },
      { headers: sessionHeaders(session) },
    );
    const ack = await s.terminal(answerId);
    expect(ack.resp_type).toBe('notify_ack');
    const done = await s.terminal(callId);
    expect(resultText(done)).toBe('sampled: hi!');
    expect((done.resp_json as { id: unknown }).id).toBe('s-1');
  });

  it('session_termination → DELETE upstream → session_termination_response; the session is gone', async () => {
    const s = await httpScenario();
    const session = await s.initialize();
    const command = sessionTerminationCommand(session, {
      headers: { 'Mcp-Protocol-Version': ['2025-06-18'] },
    });
    s.fake.pushCommands(command);
    const answer = await s.terminal(command.request_id as string);
    expect(answer.resp_type).toBe('session_termination_response');
    expect(answer.resp_code).toBeGreaterThanOrEqual(200);
    expect(answer.resp_code).toBeLessThan(300);
    expect(mcp.count('DELETE')).toBe(1);
    const del = mcp.requests.find((r) => r.method === 'DELETE')!;
    expect(del.headers['mcp-session-id']).toBe(session);
    expect(mcp.sessionIds()).toEqual([]);
    // The server now answers 404 for that session, passed through verbatim.
    const after = s.send(toolCall(6, 'echo', { text: 'late' }), { headers: sessionHeaders(session) });
    const stale = await s.terminal(after);
    expect(stale.resp_code).toBe(404);
    expect(stale.resp_json).toMatchObject({ error: { code: -32001 } });
  });
});
