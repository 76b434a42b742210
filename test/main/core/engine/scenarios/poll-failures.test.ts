/**
 * What the real engine does when polls go wrong, against the fake control plane over loopback:
 * unknown command types and invalid commands in a poll body, 429 with `Retry-After` in seconds
 * and as an HTTP-date (driven with the tunnel's injected clock), a 5xx storm, and 401 →
 * auth_failed with a slow retry and recovery once the key works again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiError, jsonrpcCommand, type WireCommand } from '../../../../fakes/fake-control-plane.js';
import { schemaErrors } from '../../../../support/openapi.js';
import { FakeClock } from '../fakes/fake-clock.js';
import {
  SCENARIO_KEY,
  closeScenarios,
  eventually,
  resultText,
  settle,
  startScenario,
  toolCall,
  withTimeout,
} from './scenario-harness.js';

afterEach(closeScenarios);

describe('scenarios: forward-compatible poll bodies', () => {
  it('skips unknown command types and drops invalid commands (logged with a reason), answers the rest, keeps polling', async () => {
    const s = await startScenario();
    const future: WireCommand = {
      ...jsonrpcCommand(toolCall(1, 'echo', { text: 'x' })),
      command_type: 'stream_resume',
    };
    const noCreatedAt = jsonrpcCommand(toolCall(2, 'echo', { text: 'x' }), {
      requestId: 'cmd_no_created_at',
    });
    delete noCreatedAt.created_at;
    const badHeaders: WireCommand = {
      ...jsonrpcCommand(toolCall(3, 'echo', { text: 'x' })),
      headers: { 'X-One': 'not-a-list' },
    };
    const notJsonRpc: WireCommand = {
      ...jsonrpcCommand(toolCall(4, 'echo', { text: 'x' })),
      jsonrpc: 'a string',
    };
    const good = jsonrpcCommand(toolCall(5, 'echo', { text: 'survivor' }));
    delete good.channel; // absent → main
    const body = {
      commands: [future, noCreatedAt, 'not an object', badHeaders, notJsonRpc, good],
      extra_field: 1,
    };
    expect(schemaErrors('PolledCommandList', body), 'the body is off-contract on purpose').not.toBeNull();
    const pollsBefore = s.fake.polls().length;
    s.fake.enqueuePoll({ status: 200, body });
    const answer = await s.terminal(good.request_id as string);
    expect(resultText(answer)).toBe('survivor');
    expect(answer.channel).toBe('main');
    // Polling goes on, and the next command is served normally.
    const next = s.send(toolCall(6, 'echo', { text: 'next' }));
    expect(resultText(await s.terminal(next))).toBe('next');
    expect(s.fake.polls().length).toBeGreaterThan(pollsBefore + 1);
    for (const c of [future, noCreatedAt, badHeaders, notJsonRpc]) {
      expect(s.payloads(c.request_id as string), `nothing posted for ${String(c.request_id)}`).toEqual([]);
    }
    const entries = s.hub.entries();
    const skipped = entries.filter((e) => e.msg.includes('unknown type'));
    expect(skipped.some((e) => JSON.stringify(e.fields).includes(future.request_id as string))).toBe(true);
    expect(skipped.some((e) => JSON.stringify(e.fields).includes('stream_resume'))).toBe(true);
    const dropped = entries.filter((e) => e.msg.includes('dropped'));
    expect(dropped.some((e) => JSON.stringify(e.fields).includes('cmd_no_created_at'))).toBe(true);
    expect(dropped.length).toBeGreaterThanOrEqual(4);
    expect(s.tunnel.status().state.kind).toBe('ready');
    expect(s.tunnel.status().consecutivePollFailures).toBe(0);
  });
});

describe('scenarios: 429 with Retry-After (injected clock)', () => {
  it('waits at least the hinted seconds, then at least until the hinted HTTP-date, then is ready again', async () => {
    const clock = new FakeClock();
    const s = await startScenario({ clock });
    s.fake.enqueuePoll({
      status: 429,
      headers: { 'retry-after': '3' },
      body: apiError('rate_limit_exceeded', 'Slow down'),
    });
    const degraded = await eventually(() => {
      const state = s.tunnel.status().state;
      return state.kind === 'degraded' ? state : undefined;
    }, 'degraded after a 429');
    expect(degraded.reason).toContain('rate limiting');
    expect(degraded.reason).toContain('HTTP 429');
    expect(clock.pendingDelays()).toContain(3_000);
    const afterFirst = s.fake.polls().length;
    await clock.advance(2_999);
    await settle(150);
    expect(s.fake.polls(), 'no poll before the Retry-After seconds passed').toHaveLength(afterFirst);

    // The next poll gets a Retry-After as an HTTP-date 5 s after the engine's wall clock at that moment.
    const at = clock.wallNow() + 1;
    expect(at % 1000).toBe(0);
    s.fake.enqueuePoll({ status: 429, headers: { 'retry-after': new Date(at + 5_000).toUTCString() } });
    await clock.advance(1);
    await s.fake.waitForPolls(afterFirst + 1);
    await eventually(() => s.tunnel.status().consecutivePollFailures === 2, 'the second 429 counted');
    expect(clock.pendingDelays()).toContain(5_000);
    await clock.advance(4_999);
    await settle(150);
    expect(s.fake.polls(), 'no poll before the Retry-After date').toHaveLength(afterFirst + 1);
    await clock.advance(1);
    await s.fake.waitForPolls(afterFirst + 2);
    await eventually(() => s.tunnel.status().state.kind === 'ready', 'ready after the rate limit');
    expect(s.fake.polls()[afterFirst]!.replyStatus).toBe(429);
    expect(s.tunnel.status().errorsByKind.poll_rate_limited).toBe(2);
  });
});

describe('scenarios: 5xx storm', () => {
  it('goes degraded naming the control plane failure, keeps retrying, and is ready again when the storm ends', async () => {
    const s = await startScenario();
    const pollsBefore = s.fake.polls().length;
    s.fake.enqueuePoll(
      { status: 503, body: apiError('service_unavailable', 'Try later', 'server_error') },
      { status: 502, rawBody: 'bad gateway', headers: { 'content-type': 'text/plain' } },
      { status: 500, body: apiError('internal_error', 'Oops', 'server_error') },
      { status: 503 },
    );
    await s.fake.waitFor(
      () =>
        s.fake.polls().filter((p) => p.replyStatus !== undefined && p.replyStatus >= 500).length >= 4
          ? true
          : undefined,
      'four 5xx polls',
    );
    await eventually(() => s.tunnel.status().state.kind === 'ready', 'ready after the storm');
    const kinds = s.statuses.map((st) => st.state);
    const firstDegraded = kinds.findIndex((st) => st.kind === 'degraded');
    expect(firstDegraded).toBeGreaterThan(0);
    const degraded = kinds[firstDegraded]!;
    expect(degraded).toMatchObject({ kind: 'degraded', cause: 'control_plane' });
    expect(degraded.reason).toContain('control plane is unavailable (HTTP 503');
    expect(kinds.slice(firstDegraded).some((st) => st.kind === 'ready')).toBe(true);
    expect(kinds.some((st) => st.kind === 'auth_failed' || st.kind === 'error')).toBe(false);
    const status = s.tunnel.status();
    expect(status.errorsByKind.poll_unavailable).toBe(4);
    expect(status.consecutivePollFailures).toBe(0);
    expect(s.fake.polls().length).toBeGreaterThanOrEqual(pollsBefore + 5);
    // Commands flow again.
    const id = s.send(toolCall(1, 'echo', { text: 'calm' }));
    expect(resultText(await s.terminal(id))).toBe('calm');
  });
});

describe('scenarios: 401 then recovery (injected clock)', () => {
  it('enters auth_failed with reason and next step, retries slowly (30 s, then 60 s), recovers once the key works again', async () => {
    const clock = new FakeClock();
    const s = await startScenario({ clock });
    s.fake.setApiKey('sk-the-key-was-rotated-elsewhere');
    const failed = await eventually(() => {
      const state = s.tunnel.status().state;
      return state.kind === 'auth_failed' ? state : undefined;
    }, 'auth_failed after a 401');
    expect(failed).toMatchObject({
      kind: 'auth_failed',
      status: 401,
      apiCode: 'tunnel_use_forbidden',
      retryInMs: 30_000,
    });
    expect(failed.reason).toContain('rejected the runtime API key');
    expect(failed.nextStep).toContain('CONTROL_PLANE_API_KEY');
    expect(failed.nextStep).toContain('retries in 30 s');
    const firstFailure = s.fake.polls().length;
    expect(s.fake.polls()[firstFailure - 1]!.replyStatus).toBe(401);

    // No tight loop: nothing for 30 s of the tunnel's time.
    await clock.advance(29_999);
    await settle(150);
    expect(s.fake.polls()).toHaveLength(firstFailure);
    await clock.advance(1);
    await s.fake.waitForPolls(firstFailure + 1);
    const again = await eventually(() => {
      const state = s.tunnel.status().state;
      return state.kind === 'auth_failed' && state.retryInMs === 60_000 ? state : undefined;
    }, 'the second 401 with a doubled delay');
    expect(again.nextStep).toContain('retries in 60 s');
    await clock.advance(59_999);
    await settle(150);
    expect(s.fake.polls(), 'two polls in 90 s of auth failure').toHaveLength(firstFailure + 1);

    s.fake.setApiKey(SCENARIO_KEY);
    await clock.advance(1);
    await withTimeout(s.tunnel.whenReady(), 'ready again after the key works');
    const status = s.tunnel.status();
    expect(status.errorsByKind.poll_auth).toBe(2);
    expect(status.consecutivePollFailures).toBe(0);
    const id = s.send(toolCall(1, 'echo', { text: 'welcome back' }));
    expect(resultText(await s.terminal(id))).toBe('welcome back');
    // The key never reached the log.
    expect(JSON.stringify(s.hub.entries())).not.toContain(SCENARIO_KEY);
  });
});
