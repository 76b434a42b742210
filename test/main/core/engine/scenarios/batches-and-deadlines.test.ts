/**
 * Batches and deadlines through the real engine (in-memory demo server): a poll answer larger
 * than `limit`, every `response_timeout` form (valid, `0s`, malformed, wrong type, null, absent,
 * expiring during a slow tool), and out-of-order completion inside one batch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { jsonrpcCommand, type WireCommand } from '../../../../fakes/fake-control-plane.js';
import { schemaErrors } from '../../../../support/openapi.js';
import {
  closeScenarios,
  resultText,
  sessionHeaders,
  settle,
  startScenario,
  toolCall,
} from './scenario-harness.js';

afterEach(closeScenarios);

const TERMINAL = new Set(['jsonrpc_response', 'notify_ack', 'session_termination_response']);

describe('scenarios: batches larger than limit', () => {
  it('answers all 40 commands of one poll (limit ≤ 25) exactly once, and keeps polling for free capacity only', async () => {
    const s = await startScenario({ maxInflight: 20, maxConcurrent: 10 });
    const batch = Array.from({ length: 40 }, (_, i) =>
      jsonrpcCommand(toolCall(i, 'echo', { text: `item ${i}` })),
    );
    s.fake.enqueuePoll({ commands: batch });
    const answers = await Promise.all(batch.map((c) => s.terminal(c.request_id as string)));
    answers.forEach((answer, i) => {
      expect((answer.resp_json as { id: unknown }).id).toBe(i);
      expect(resultText(answer)).toBe(`item ${i}`);
    });
    // Let any duplicate POST surface before counting.
    await s.fake.waitForPolls(s.fake.polls().length + 1);
    for (const c of batch) {
      const posts = s.payloads(c.request_id as string);
      expect(posts, `POSTs for ${String(c.request_id)}`).toHaveLength(1);
      expect(TERMINAL.has(posts[0]!.resp_type)).toBe(true);
    }
    const limits = s.fake.polls().map((p) => Number(p.query.get('limit')));
    expect(Math.max(...limits)).toBeLessThanOrEqual(20);
    expect(Math.min(...limits)).toBeGreaterThanOrEqual(1);
    // The poll that got 40 commands had asked for at most 20.
    expect(s.fake.delivered).toHaveLength(40);
  });
});

describe('scenarios: response_timeout', () => {
  it('answers valid, malformed, wrong-type, null and absent timeouts; drops `0s` silently', async () => {
    const s = await startScenario();
    const echo = (text: string, responseTimeout?: unknown): WireCommand => {
      const command = jsonrpcCommand(toolCall(text, 'echo', { text }));
      if (responseTimeout !== undefined) command.response_timeout = responseTimeout;
      return command;
    };
    const valid = echo('valid', '30s');
    const validMs = echo('valid-ms', '4500ms');
    const zero = echo('zero', '0s');
    const malformed = echo('malformed', 'soon');
    const spaced = echo('spaced', '5 s');
    const wrongType = echo('wrong-type', 5);
    const explicitNull = echo('null', null);
    const absent = echo('absent');
    // Fail-open inputs are off-contract on purpose: the schema refuses them, the engine must not.
    for (const c of [malformed, spaced, wrongType]) {
      expect(schemaErrors('PolledCommandList', { commands: [c] })).not.toBeNull();
    }
    s.offContract(malformed, spaced, wrongType);
    s.fake.enqueuePoll({
      commands: [valid, validMs, zero, malformed, spaced, wrongType, explicitNull, absent],
    });
    for (const c of [valid, validMs, malformed, spaced, wrongType, explicitNull, absent]) {
      const answer = await s.terminal(c.request_id as string);
      expect(resultText(answer)).toBe((c.jsonrpc as { id: string }).id);
    }
    const dropped = await s.record(zero.request_id as string);
    expect(dropped.outcome).toBe('dropped');
    expect(s.payloads(zero.request_id as string)).toEqual([]);
    // Malformed → no deadline at all (not a zero one): answered like an absent timeout.
    expect((await s.record(malformed.request_id as string)).outcome).toBe('ok');
  });

  it('a deadline that passes during a slow tool: the call is cancelled, nothing is posted, no late response', async () => {
    const s = await startScenario();
    const session = await s.initialize();
    const slow = s.send(toolCall('slow', 'slow_count', { steps: 20, delayMs: 50 }), {
      headers: sessionHeaders(session),
      responseTimeout: '300ms',
    });
    const record = await s.record(slow);
    expect(record.outcome).toBe('expired');
    expect(record.status).toBeUndefined();
    // Work that would have finished by now (20 × 50 ms) plus a fresh call round trip: still nothing.
    const later = s.send(toolCall('later', 'echo', { text: 'after' }), { headers: sessionHeaders(session) });
    expect(resultText(await s.terminal(later))).toBe('after');
    await settle(1_000);
    expect(s.payloads(slow)).toEqual([]);
    expect(s.tunnel.status().errorsByKind.command_expired).toBe(1);
  });
});

describe('scenarios: out-of-order completion', () => {
  it('a slow and a fast call in one batch: the fast one is answered first, both correctly (same caller id)', async () => {
    const s = await startScenario();
    const slow = jsonrpcCommand(toolCall(7, 'slow_count', { steps: 3, delayMs: 100 }));
    const fast = jsonrpcCommand(toolCall(7, 'echo', { text: 'fast' }));
    s.fake.enqueuePoll({ commands: [slow, fast] });
    const slowAnswer = await s.terminal(slow.request_id as string);
    const fastAnswer = await s.terminal(fast.request_id as string);
    expect(resultText(slowAnswer)).toBe('counted to 3');
    expect(resultText(fastAnswer)).toBe('fast');
    expect((slowAnswer.resp_json as { id: unknown }).id).toBe(7);
    expect((fastAnswer.resp_json as { id: unknown }).id).toBe(7);
    const seqOf = (id: unknown) => s.fake.responsesFor(id as string)[0]!.seq;
    expect(seqOf(fast.request_id)).toBeLessThan(seqOf(slow.request_id));
  });
});
