/**
 * Every command and response type through the real engine and the in-memory demo server:
 * jsonrpc request → jsonrpc_response, notification → notify_ack, progress → jsonrpc_notify(s)
 * then the terminal, a sampling round trip (server request as jsonrpc_notify, the caller's answer
 * as a later command → notify_ack, the call completes), session_termination → 405, and an
 * unknown channel → 400 -32603 "unsupported channel" that never reaches `main`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, ChannelRequest } from '../../../../../main/core/engine/channels/channel.js';
import type { Logger } from '../../../../../main/core/observability/logger.js';
import { sessionTerminationCommand } from '../../../../fakes/fake-control-plane.js';
import {
  closeScenarios,
  demoChannel,
  resultText,
  sessionHeaders,
  startScenario,
  toolCall,
} from './scenario-harness.js';

afterEach(closeScenarios);

/** Wraps a real channel and remembers which requests reached it (a spy, not a fake). */
function spied(inner: Channel, seen: string[]): Channel {
  return {
    name: inner.name,
    transport: inner.transport,
    procAffinity: inner.procAffinity,
    start: () => inner.start(),
    stop: () => inner.stop(),
    snapshot: () => inner.snapshot(),
    send: (request: ChannelRequest) => {
      seen.push(request.requestId);
      return inner.send(request);
    },
    terminateSession: (request) => {
      seen.push(request.requestId);
      return inner.terminateSession(request);
    },
  };
}

describe('scenarios: command and response types (in-memory demo server)', () => {
  it('jsonrpc request → jsonrpc_response with the caller id, session header and status', async () => {
    const s = await startScenario();
    const session = await s.initialize();
    expect(session).toMatch(/^[0-9a-f]{32}$/);
    const id = s.send(toolCall('call-1', 'add', { a: 2, b: 40 }), { headers: sessionHeaders(session) });
    const answer = await s.terminal(id);
    expect(answer).toMatchObject({
      request_id: id,
      channel: 'main',
      resp_type: 'jsonrpc_response',
      resp_code: 200,
    });
    expect(answer.resp_json).toMatchObject({ jsonrpc: '2.0', id: 'call-1' });
    expect(resultText(answer)).toBe('42');
    expect(s.payloads(id)).toHaveLength(1);
    const posted = s.fake.responsesFor(id)[0]!;
    expect(posted.headers['x-tunnel-shard-token']).toBe(`shard:${id}`);
    expect(await s.record(id)).toMatchObject({
      outcome: 'ok',
      method: 'tools/call',
      toolName: 'add',
      status: 200,
    });
  });

  it('a notification → notify_ack without a body', async () => {
    const s = await startScenario();
    const session = await s.initialize();
    const id = s.send(
      { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
      { headers: sessionHeaders(session) },
    );
    const ack = await s.terminal(id);
    expect(ack.resp_type).toBe('notify_ack');
    expect(ack.resp_json).toBeUndefined();
    expect(ack.resp_code).toBeGreaterThanOrEqual(200);
    expect(ack.resp_code).toBeLessThan(300);
    expect(s.payloads(id)).toHaveLength(1);
  });

  it('progress → jsonrpc_notify for every step, in order, then the terminal response', async () => {
    const s = await startScenario();
    const session = await s.initialize();
    const id = s.send(toolCall(9, 'slow_count', { steps: 4, delayMs: 5 }, 'tok-9'), {
      headers: sessionHeaders(session),
    });
    const terminal = await s.terminal(id);
    expect(resultText(terminal)).toBe('counted to 4');
    const posted = s.payloads(id);
    expect(posted.map((p) => p.resp_type)).toEqual([
      'jsonrpc_notify',
      'jsonrpc_notify',
      'jsonrpc_notify',
      'jsonrpc_notify',
      'jsonrpc_response',
    ]);
    const progress = posted
      .slice(0, 4)
      .map((p) => p.resp_json?.params as { progress: number; progressToken: unknown });
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3, 4]);
    // The caller's own progress token is restored (the engine rewrote it internally).
    expect(progress.every((p) => p.progressToken === 'tok-9')).toBe(true);
    expect((terminal.resp_json as { id: unknown }).id).toBe(9);
  });

  it('sampling: server request as jsonrpc_notify, the caller answer as a later command → notify_ack, call completes', async () => {
    const s = await startScenario();
    const session = await s.initialize({ capabilities: { sampling: {} } });
    const callId = s.send(toolCall('ask-1', 'ask_model', { question: 'Capital of France?' }), {
      headers: sessionHeaders(session),
    });
    const notify = await s.fake.waitFor(
      () => s.payloads(callId).find((p) => p.resp_type === 'jsonrpc_notify'),
      'the sampling request as jsonrpc_notify',
    );
    const request = notify.resp_json as { id: string | number; method: string };
    expect(request.method).toBe('sampling/createMessage');
    expect(request.id).toBeDefined();
    // The caller's answer to the server request, delivered as its own jsonrpc command.
    const answerId = s.send(
      {
        jsonrpc: '2.0',
        id: request.id,
        result: { role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'fake-model' },
      },
      { headers: sessionHeaders(session) },
    );
    const ack = await s.terminal(answerId);
    expect(ack.resp_type).toBe('notify_ack');
    expect(ack.resp_json).toBeUndefined();
    const done = await s.terminal(callId);
    expect(done.resp_type).toBe('jsonrpc_response');
    expect((done.resp_json as { id: unknown }).id).toBe('ask-1');
    expect(resultText(done)).toBe('Paris');
    expect((await s.record(answerId)).method).toBe('response');
  });

  it('session_termination → session_termination_response 405 (a stream server has no sessions to end)', async () => {
    const s = await startScenario();
    const session = await s.initialize();
    const command = sessionTerminationCommand(session);
    s.fake.pushCommands(command);
    const answer = await s.terminal(command.request_id as string);
    expect(answer.resp_type).toBe('session_termination_response');
    expect(answer.resp_code).toBe(405);
    expect(answer.resp_json).toBeUndefined();
    // The channel's `Allow: POST` is not on the response-header allowlist, so it is not posted.
    expect(answer.resp_headers).toEqual({});
    // The session keeps working.
    const id = s.send(toolCall(1, 'echo', { text: 'still here' }), { headers: sessionHeaders(session) });
    expect(resultText(await s.terminal(id))).toBe('still here');
  });

  it('an unknown channel → 400 -32603 "unsupported channel", never routed to main', async () => {
    const seen: string[] = [];
    const s = await startScenario({
      channels: (logger: Logger) => [spied(demoChannel('main', logger), seen), demoChannel('extra', logger)],
    });
    const lost = s.send(toolCall(5, 'echo', { text: 'lost' }), { channel: 'nowhere' });
    const routed = s.send(toolCall(6, 'echo', { text: 'to extra' }), { channel: 'extra' });
    const answer = await s.terminal(lost);
    expect(answer).toMatchObject({ channel: 'nowhere', resp_type: 'jsonrpc_response', resp_code: 400 });
    expect(answer.resp_json).toMatchObject({
      jsonrpc: '2.0',
      id: 5,
      error: { code: -32603, message: 'unsupported channel' },
    });
    const extra = await s.terminal(routed);
    expect(extra.channel).toBe('extra');
    expect(resultText(extra)).toBe('to extra');
    expect(seen).not.toContain(lost);
    expect(seen).not.toContain(routed);
    // Both channels are declared to the control plane, with proc_affinity for in-memory.
    const info = JSON.parse(String(s.fake.polls()[0]!.headers['x-tunnel-mcp-server-info'])) as unknown;
    expect(info).toEqual({
      version: 1,
      channels: [
        { name: 'main', proc_affinity: true },
        { name: 'extra', proc_affinity: true },
      ],
    });
  });
});
