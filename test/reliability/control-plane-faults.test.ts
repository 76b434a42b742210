/**
 * Control-plane faults: the real relay rate-limiting polls (real 429 + Retry-After), and what the
 * relay cannot produce on demand, scripted with the FakeControlPlane (scenario harness, which
 * also checks every request against the wire contract): 429/503/500 storms on polls and on
 * response POSTs, 401 for a while then OK (injected clock), slow long polls, and the same
 * command delivered twice. Invariant for fake-driven runs: every command gets exactly one
 * accepted terminal answer carrying its own result, and nothing secret reaches a log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiError, jsonrpcCommand, type RecordedCall } from '../fakes/fake-control-plane.js';
import { FakeClock } from '../main/core/engine/fakes/fake-clock.js';
import {
  SCENARIO_KEY,
  closeScenarios,
  eventually,
  resultText,
  startScenario,
  toolCall,
  withTimeout,
  type Scenario,
} from '../main/core/engine/scenarios/scenario-harness.js';
import { stdioChannel } from './fault-channels.js';
import { uniquePayload } from './mcp-caller.js';
import { closeRigs, startRig } from './reliability-rig.js';

afterEach(async () => {
  await closeRigs();
  await closeScenarios();
});

const TERMINAL = new Set(['jsonrpc_response', 'notify_ack', 'session_termination_response']);

function accepted(call: RecordedCall): boolean {
  const body = call.body as { resp_type?: string } | undefined;
  return (
    TERMINAL.has(String(body?.resp_type)) && (call.replyStatus ?? 0) >= 200 && (call.replyStatus ?? 0) < 300
  );
}

/** Echo commands with unique payloads; returns request_id → payload. */
function sendEchoes(s: Scenario, n: number): Map<string, string> {
  const sent = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const text = uniquePayload('cp');
    sent.set(s.send(toolCall(uniquePayload('id'), 'echo', { text })), text);
  }
  return sent;
}

/** Exactly one accepted terminal per command, echoing its own payload; no secret in the log. */
async function ledgerViolations(s: Scenario, sent: Map<string, string>): Promise<string[]> {
  const out: string[] = [];
  for (const [id, text] of sent) {
    await s.terminal(id, 8_000).catch(() => undefined);
    const terminals = s.fake.responsesFor(id).filter(accepted);
    if (terminals.length !== 1) out.push(`${id}: ${terminals.length} accepted terminal answers`);
    const got = terminals[0] ? resultText(terminals[0].body as never) : undefined;
    if (terminals[0] && got !== text)
      out.push(`${id}: answered ${JSON.stringify(got)}, expected its own payload`);
  }
  const log = JSON.stringify(s.hub.entries());
  if (log.includes(SCENARIO_KEY)) out.push('the runtime key reached the log');
  return out;
}

describe('reliability: control-plane faults', () => {
  it('the real relay rate-limits polls (429 + Retry-After): calls still get one outcome each; ready again after', async () => {
    const rig = await startRig({
      proxy: false,
      responseTimeoutMs: 4_000,
      pollTimeoutMs: 100,
      relay: { pollRatePerSecond: 2, pollRateBurst: 2 },
      channels: (log, canary) => [stdioChannel('main', log, { canary })],
    });
    await rig.recovered();
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => rig.caller.echo()));
    for (const o of outcomes) expect(['result', 'timeout']).toContain(o.kind);
    await eventually(
      () => (rig.tunnel.status().errorsByKind.poll_rate_limited ?? 0) > 0,
      'a 429 seen by the engine',
    );
    await rig.recovered();
    expect(await rig.finish()).toEqual([]);
  });

  it('429 / 503 / 500 storms on polls and on response POSTs, with Retry-After: every command answered exactly once', async () => {
    const s = await startScenario();
    s.fake.enqueuePoll(
      { status: 429, headers: { 'retry-after': '1' }, body: apiError('rate_limit_exceeded') },
      {
        status: 503,
        headers: { 'retry-after': '0' },
        body: apiError('service_unavailable', 'x', 'server_error'),
      },
      { status: 500, body: apiError('internal_error', 'x', 'server_error') },
      { status: 503 },
    );
    s.fake.scriptResponsesFor(
      { kind: 'terminal' },
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 502 },
      { status: 500 }, // not retried: that command's caller gets nothing (post_failed)
    );
    const sent = sendEchoes(s, 6);
    await s.fake.waitFor(
      () => (s.fake.pendingCommands === 0 ? true : undefined),
      'every command delivered',
      8_000,
    );
    const failedPost = await s.fake.waitFor(
      () => s.fake.responsePosts().find((c) => c.replyStatus === 500),
      'a terminal POST answered 500',
      8_000,
    );
    const lost = String((failedPost.body as { request_id: string }).request_id);
    expect((await s.record(lost)).outcome).toBe('post_failed');
    sent.delete(lost);
    expect(await ledgerViolations(s, sent)).toEqual([]);
    await eventually(() => s.tunnel.status().state.kind === 'ready', 'ready after the storms');
    expect(s.tunnel.status().errorsByKind.poll_rate_limited).toBe(1);
  });

  it('401 for a while, then OK (injected clock): no tight loop, commands queued meanwhile are answered after', async () => {
    const clock = new FakeClock();
    const s = await startScenario({ clock });
    s.fake.setApiKey('sk-rotated-elsewhere-0000000000');
    await eventually(() => s.tunnel.status().state.kind === 'auth_failed', 'auth_failed');
    const sent = sendEchoes(s, 3);
    const polls = s.fake.polls().length;
    await clock.advance(29_000);
    expect(s.fake.polls().length, 'no poll during the slow auth backoff').toBe(polls);
    s.fake.setApiKey(SCENARIO_KEY);
    await clock.advance(2_000);
    await withTimeout(s.tunnel.whenReady(), 'ready after the key works again');
    expect(await ledgerViolations(s, sent)).toEqual([]);
  });

  it('slow long polls (answered after their timeout_ms) still deliver their commands', async () => {
    const s = await startScenario({ pollHoldMs: 1_000 });
    const slow = jsonrpcCommand(toolCall('slow-1', 'echo', { text: 'slow poll' }));
    s.fake.enqueuePoll({ status: 200, body: { commands: [slow] }, delayMs: 1_500 });
    const sent = sendEchoes(s, 2);
    sent.set(String(slow.request_id), 'slow poll');
    expect(await ledgerViolations(s, sent)).toEqual([]);
    expect(s.tunnel.status().state.kind).toBe('ready');
  });

  it('the same command delivered again (in one poll and in the next): run once, answered once, the copies dropped', async () => {
    const s = await startScenario();
    const text = uniquePayload('dup');
    const command = jsonrpcCommand(toolCall('dup-1', 'echo', { text }));
    s.fake.enqueuePoll({ commands: [command, command] });
    const requestId = String(command.request_id);
    await s.fake.waitFor(
      () => (s.fake.responsesFor(requestId).some(accepted) ? true : undefined),
      'the terminal POST',
    );
    // After the answer was accepted, one more copy: still not run again.
    s.fake.enqueuePoll({ commands: [command] });
    await eventually(() => s.records.filter((r) => r.requestId === requestId).length === 3, 'three records');
    expect(
      s.records
        .filter((r) => r.requestId === requestId)
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(['dropped', 'dropped', 'ok']);
    expect(s.fake.responsesFor(requestId)).toHaveLength(1);
    expect(s.hub.entries().filter((e) => e.msg.includes('not run twice'))).toHaveLength(2);
    expect(await ledgerViolations(s, new Map([[requestId, text]]))).toEqual([]);
    expect(s.tunnel.status().state.kind).toBe('ready');
  });
});
