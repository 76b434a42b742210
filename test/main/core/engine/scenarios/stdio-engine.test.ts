/**
 * A real stdio MCP server child (test/fixtures/stdio-test-server.mjs) behind the full engine
 * built by `buildTunnel`: 50 concurrent calls over one child with colliding caller ids, the child
 * killed mid-call (transport_closed for the calls in flight, restart, handshake replayed, the
 * next call succeeds on the same session), session_termination → 405, and no child left after
 * `tunnel.stop()`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  jsonrpcCommand,
  sessionTerminationCommand,
  type WireCommand,
} from '../../../../fakes/fake-control-plane.js';
import { tunnelFailureErrors } from '../../../../support/openapi.js';
import {
  closeScenarios,
  eventually,
  resultText,
  sessionHeaders,
  startScenario,
  toolCall,
  type Scenario,
} from './scenario-harness.js';
import { isAlive, stdioFixture, type StdioFixture } from './stdio-fixture.js';

let fixture: StdioFixture | undefined;

afterEach(async () => {
  try {
    await closeScenarios();
  } finally {
    fixture?.cleanup();
    fixture = undefined;
  }
});

async function stdioScenario(
  options: { maxInflight?: number; maxConcurrent?: number } = {},
): Promise<Scenario> {
  fixture = stdioFixture();
  return startScenario({ configChannels: [fixture.config], ...options });
}

function childPid(s: Scenario): number {
  const pid = s.channels[0]!.snapshot().pid;
  if (pid === undefined) throw new Error(`no child PID in ${JSON.stringify(s.channels[0]!.snapshot())}`);
  return pid;
}

describe('scenarios: stdio through the full engine', () => {
  it('answers 50 concurrent calls over one child, each with its caller id (ids collide across sessions)', async () => {
    const s = await stdioScenario({ maxInflight: 50, maxConcurrent: 50 });
    const a = await s.initialize();
    const b = await s.initialize();
    expect(a).not.toBe(b);
    const commands: WireCommand[] = [];
    for (let i = 1; i <= 25; i++) {
      for (const [session, label] of [
        [a, 'A'],
        [b, 'B'],
      ] as const) {
        commands.push(
          jsonrpcCommand(toolCall(i, 'echo', { text: `${label}-${i}`, delayMs: 100 }), {
            headers: sessionHeaders(session),
          }),
        );
      }
    }
    s.fake.enqueuePoll({ commands });
    // They really are in flight together over the one child.
    await eventually(() => s.channels[0]!.snapshot().inFlight >= 25, 'at least 25 calls in flight at once');
    const answers = await Promise.all(commands.map((c) => s.terminal(c.request_id as string)));
    answers.forEach((answer, k) => {
      const sent = commands[k]!.jsonrpc as { id: number; params: { arguments: { text: string } } };
      expect(answer.resp_type).toBe('jsonrpc_response');
      expect((answer.resp_json as { id: unknown }).id).toBe(sent.id);
      expect(resultText(answer)).toBe(sent.params.arguments.text);
    });
    // One child did all of it, and it saw 50 distinct (internal) request ids.
    const calls = fixture!.events().filter((e) => e.event === 'in' && e.method === 'tools/call');
    expect(calls).toHaveLength(50);
    expect(new Set(calls.map((e) => e.id)).size).toBe(50);
    expect(fixture!.events().filter((e) => e.event === 'start')).toHaveLength(1);
    const pid = childPid(s);
    await s.close();
    expect(isAlive(pid), `child ${pid} still running after stop`).toBe(false);
  });

  it('child killed mid-call: transport_closed for the calls in flight, restart with the handshake replayed, next call succeeds', async () => {
    const s = await stdioScenario();
    const session = await s.initialize();
    const first = childPid(s);
    const doomed = [
      s.send(toolCall('d1', 'echo', { text: 'doomed-1', delayMs: 20_000 }), {
        headers: sessionHeaders(session),
      }),
      s.send(toolCall('d2', 'wait_forever', {}), { headers: sessionHeaders(session) }),
    ];
    await eventually(
      () => fixture!.events().filter((e) => e.event === 'in' && e.method === 'tools/call').length === 2,
      'both calls to reach the child',
    );
    process.kill(first, 'SIGKILL');
    for (const [k, id] of doomed.entries()) {
      const answer = await s.terminal(id);
      expect(answer).toMatchObject({ resp_type: 'jsonrpc_response', resp_code: 502 });
      const error = (
        answer.resp_json as { id: unknown; error: { code: number; data: { tunnel_failure: unknown } } }
      ).error;
      expect((answer.resp_json as { id: unknown }).id).toBe(`d${k + 1}`);
      expect(error.code).toBe(-32603);
      expect(error.data.tunnel_failure).toMatchObject({
        version: 1,
        source: 'transport_closed',
        upstream_response_received: false,
      });
      expect(tunnelFailureErrors(error.data.tunnel_failure)).toBeNull();
      expect((await s.record(id)).failureSource).toBe('transport_closed');
    }
    const restarted = await eventually(() => {
      const snap = s.channels[0]!.snapshot();
      return snap.state === 'ready' && snap.restarts === 1 && snap.pid !== undefined && snap.pid !== first
        ? snap.pid
        : undefined;
    }, 'the child to restart');
    // The handshake was replayed to the new child before new work.
    await eventually(() => {
      const events = fixture!.events();
      const secondStart = events.findIndex((e) => e.event === 'start' && e.pid === restarted);
      const after = events.slice(secondStart + 1).filter((e) => e.event === 'in');
      return (
        secondStart >= 0 &&
        after[0]?.method === 'initialize' &&
        after[1]?.method === 'notifications/initialized'
      );
    }, 'initialize and notifications/initialized replayed to the new child');
    const next = s.send(toolCall('n', 'echo', { text: 'back again' }), { headers: sessionHeaders(session) });
    const answer = await s.terminal(next);
    expect(resultText(answer)).toBe('back again');
    expect(s.tunnel.status().errorsByKind.command_failure_transport_closed).toBe(2);
    await eventually(() => s.tunnel.status().state.kind === 'ready', 'the tunnel ready again');
    await s.close();
    expect(isAlive(first)).toBe(false);
    expect(isAlive(restarted), `restarted child ${restarted} still running after stop`).toBe(false);
  });

  it('session_termination on a stdio channel → 405, and the session keeps working', async () => {
    const s = await stdioScenario();
    const session = await s.initialize();
    const command = sessionTerminationCommand(session);
    s.fake.pushCommands(command);
    const answer = await s.terminal(command.request_id as string);
    expect(answer).toMatchObject({
      resp_type: 'session_termination_response',
      resp_code: 405,
      resp_headers: {},
    });
    const id = s.send(toolCall(1, 'echo', { text: 'alive' }), { headers: sessionHeaders(session) });
    expect(resultText(await s.terminal(id))).toBe('alive');
  });

  it('sampling from the stdio child: request as jsonrpc_notify, the caller answer → notify_ack, call completes', async () => {
    const s = await stdioScenario();
    const session = await s.initialize({ capabilities: { sampling: {} } });
    const callId = s.send(toolCall('q', 'sample', { question: '2+2?' }), {
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
        result: { role: 'assistant', content: { type: 'text', text: '4' }, model: 'm' },
      },
      { headers: sessionHeaders(session) },
    );
    expect((await s.terminal(answerId)).resp_type).toBe('notify_ack');
    const done = await s.terminal(callId);
    expect(resultText(done)).toBe('model said: 4');
    expect((done.resp_json as { id: unknown }).id).toBe('q');
  });
});
