import { afterEach, describe, expect, it } from 'vitest';
import {
  createTunnel,
  type Tunnel,
  type TunnelOptions,
  type TunnelStatus,
} from '../../../../main/core/engine/tunnel.js';
import { FakeChannel, untilAborted } from './fakes/fake-channel.js';
import { FakeClock } from './fakes/fake-clock.js';
import {
  FakeControlPlaneClient,
  FakeControlPlaneError,
  jsonrpcCommand,
  pollResult,
} from './fakes/fake-control-plane-client.js';

interface Rig {
  clock: FakeClock;
  client: FakeControlPlaneClient;
  main: FakeChannel;
  tunnel: Tunnel;
  events: TunnelStatus[];
}

let current: Rig | undefined;

/** A tunnel over fakes: channel `main` plus `extra`, or exactly `channels` when given. */
function rig(
  options: Partial<Omit<TunnelOptions, 'channels'>> & {
    channels?: FakeChannel[];
    extra?: FakeChannel[];
  } = {},
): Rig {
  const clock = new FakeClock();
  const client = new FakeControlPlaneClient(() => clock.now());
  const main = new FakeChannel('main');
  const { channels, extra, ...rest } = options;
  const tunnel = createTunnel({
    id: 'work',
    client,
    channels: channels ?? [main, ...(extra ?? [])],
    clock,
    random: () => 0.5,
    ...rest,
  });
  const events: TunnelStatus[] = [];
  tunnel.onStatus((s) => events.push(s));
  current = { clock, client, main, tunnel, events };
  return current;
}

afterEach(async () => {
  await current?.tunnel.stop();
  current = undefined;
});

/** Polls answer `outcomes[i]` (an error to throw, or commands); later polls hang until aborted. */
function script(client: FakeControlPlaneClient, clock: FakeClock, outcomes: Array<Error | 'empty'>): void {
  client.onPoll = (options, index) => {
    const next = outcomes[index];
    if (next === undefined) return untilAborted(options.signal);
    if (next === 'empty') return Promise.resolve(pollResult([], clock.now()));
    return Promise.reject(next);
  };
}

describe('tunnel: becoming ready', () => {
  it('starts channels, probes the control plane and becomes ready', async () => {
    const r = rig();
    expect(r.tunnel.status().state.kind).toBe('stopped');
    await r.tunnel.start();
    await r.tunnel.whenReady();
    const status = r.tunnel.status();
    expect(status).toMatchObject({
      id: 'work',
      tunnelName: 'fake tunnel',
      consecutivePollFailures: 0,
      maxInflight: 20,
      maxConcurrent: 10,
    });
    expect(status.state).toMatchObject({ kind: 'ready', since: r.clock.wallNow() });
    expect(status.state.reason).toContain('main');
    expect(status.channels[0]).toMatchObject({ name: 'main', state: 'ready' });
    expect(r.events.map((e) => e.state.kind)).toEqual(['starting', 'ready']);
    expect(r.client.polls).toHaveLength(1);
  });

  it('without the probe, becomes ready on the first answered poll and counts commands', async () => {
    const r = rig({ probeOnStart: false });
    r.client.onPoll = (options, index) =>
      index === 0
        ? Promise.resolve(pollResult([jsonrpcCommand(), jsonrpcCommand()], r.clock.now()))
        : untilAborted(options.signal);
    await r.tunnel.start();
    await r.tunnel.whenReady();
    await r.clock.advance(0);
    expect(r.client.getTunnelCalls).toBe(0);
    const status = r.tunnel.status();
    expect(status.lastSuccessfulPollAt).toBe(r.clock.wallNow());
    expect(status.commandsTotal).toBe(2);
    expect(r.client.posted).toHaveLength(2);
  });

  it('enters error for an unusable channel configuration and rejects whenReady', async () => {
    const r = rig({ channels: [new FakeChannel('side')] });
    await r.tunnel.start();
    expect(r.tunnel.status().state).toMatchObject({ kind: 'error' });
    expect(r.tunnel.status().state.reason).toContain('"main"');
    await expect(r.tunnel.whenReady()).rejects.toMatchObject({ code: 'tunnel_error' });
    expect(r.client.polls).toHaveLength(0);
  });

  it('is degraded while a channel cannot start, and ready once it recovers by itself', async () => {
    const side = new FakeChannel('side');
    side.onStart = async () => {
      side.state = 'restarting';
      side.lastError = 'the server exited with code 1';
      throw new Error('spawn failed');
    };
    const { tunnel, clock } = rig({ extra: [side] });
    await tunnel.start();
    await clock.advance(0);
    expect(tunnel.status().state).toMatchObject({ kind: 'degraded', cause: 'channel' });
    expect(tunnel.status().state.reason).toContain(
      'channel "side" is restarting: the server exited with code 1',
    );
    side.state = 'ready';
    side.lastError = undefined;
    await clock.advance(1_000);
    expect(tunnel.status().state.kind).toBe('ready');
  });
});

describe('tunnel: control-plane failures', () => {
  it('5xx → degraded with backoff honouring Retry-After, then ready again', async () => {
    const r = rig();
    script(r.client, r.clock, [new FakeControlPlaneError('unavailable', 503, 20_000), 'empty']);
    await r.tunnel.start();
    await r.clock.advance(0);
    const status = r.tunnel.status();
    expect(status.state).toMatchObject({ kind: 'degraded', cause: 'control_plane' });
    expect(status.state.reason).toContain('HTTP 503');
    expect(status.state.nextStep).toContain('20 s');
    expect(status).toMatchObject({ consecutivePollFailures: 1, errorsByKind: { poll_unavailable: 1 } });
    await r.clock.advance(19_999);
    expect(r.client.polls).toHaveLength(1);
    await r.clock.advance(1);
    // The retry answered 204; the next long poll is open.
    expect(r.client.polls).toHaveLength(3);
    expect(r.tunnel.status()).toMatchObject({ state: { kind: 'ready' }, consecutivePollFailures: 0 });
  });

  it('network errors → degraded, counted by kind', async () => {
    const r = rig({ probeOnStart: false });
    script(r.client, r.clock, [new FakeControlPlaneError('network'), new FakeControlPlaneError('network')]);
    await r.tunnel.start();
    await r.clock.advance(0);
    expect(r.tunnel.status().state.reason).toContain('cannot reach the control plane');
    await r.clock.advance(2_000);
    expect(r.tunnel.status()).toMatchObject({
      consecutivePollFailures: 2,
      errorsByKind: { poll_network: 2 },
    });
  });

  it('401 → auth_failed with a slow retry (no tight loop), recovering by itself', async () => {
    const r = rig();
    let keyWorks = false;
    r.client.onPoll = (options) =>
      keyWorks
        ? r.clock.sleep(30_000, options.signal).then(() => pollResult([], r.clock.now()))
        : Promise.reject(new FakeControlPlaneError('auth', 401, undefined, 'tunnel_use_forbidden'));
    await r.tunnel.start();
    await r.clock.advance(0);
    const state = r.tunnel.status().state;
    expect(state).toMatchObject({ kind: 'auth_failed', status: 401, apiCode: 'tunnel_use_forbidden' });
    expect(state.reason).toBe('control plane rejected the runtime API key (HTTP 401, tunnel_use_forbidden)');
    expect(state.nextStep).toContain('CONTROL_PLANE_API_KEY');
    expect(r.clock.pendingDelays().some((d) => d >= 30_000)).toBe(true);
    await r.clock.advance(29_999);
    expect(r.client.polls).toHaveLength(1);
    await r.clock.advance(10 * 60_000);
    const times = r.client.pollTimes;
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(30_000);
    expect(times.length).toBeLessThanOrEqual(6);
    expect(r.tunnel.status().state.kind).toBe('auth_failed');
    expect(r.tunnel.status().errorsByKind.poll_auth).toBe(times.length);
    keyWorks = true;
    await r.clock.advance(5 * 60_000 + 30_000);
    expect(r.tunnel.status().state.kind).toBe('ready');
    expect(r.tunnel.status().lastSuccessfulPollAt).toBeDefined();
  });
});

describe('tunnel: commands and status events', () => {
  it('counts command failures and expiries by kind', async () => {
    const r = rig();
    r.main.onSend = async () => {
      throw new Error('bug');
    };
    r.client.onPoll = (options, index) =>
      index === 0
        ? Promise.resolve(
            pollResult([jsonrpcCommand(), jsonrpcCommand({ response_timeout: '0s' })], r.clock.now()),
          )
        : untilAborted(options.signal);
    await r.tunnel.start();
    await r.clock.advance(0);
    expect(r.tunnel.status().errorsByKind).toMatchObject({
      command_failure_client_internal: 1,
      command_expired: 1,
    });
  });

  it('coalesces counter-only updates to at most one event per 250 ms', async () => {
    const r = rig();
    // Every poll answers one command after 10 ms: ~100 counter changes per simulated second.
    r.client.onPoll = (options) =>
      r.clock.sleep(10, options.signal).then(() => pollResult([jsonrpcCommand()], r.clock.now()));
    await r.tunnel.start();
    await r.tunnel.whenReady();
    await r.clock.advance(0);
    r.events.length = 0;
    const before = r.tunnel.status().commandsTotal;
    await r.clock.advance(1_000);
    expect(r.tunnel.status().commandsTotal - before).toBeGreaterThanOrEqual(90);
    expect(r.client.posted.length).toBeGreaterThanOrEqual(90);
    expect(r.events.length).toBeGreaterThanOrEqual(3);
    expect(r.events.length).toBeLessThanOrEqual(5);
    expect(r.events.every((e) => e.state.kind === 'ready')).toBe(true);
  });
});

describe('tunnel: stop', () => {
  it('aborts an in-flight long poll at once, stops everything and leaves nothing running', async () => {
    const r = rig();
    r.main.onSend = (req) => untilAborted(req.signal);
    r.client.onPoll = (options, index) =>
      index === 0
        ? Promise.resolve(pollResult([jsonrpcCommand()], r.clock.now()))
        : untilAborted(options.signal);
    await r.tunnel.start();
    await r.clock.advance(0);
    expect(r.client.polls).toHaveLength(2);
    const longPoll = r.client.polls[1]!.signal;
    expect(longPoll.aborted).toBe(false);
    await r.tunnel.stop();
    expect(longPoll.aborted).toBe(true);
    expect(r.main.sends[0]!.signal.aborted).toBe(true);
    expect(r.client.posted).toHaveLength(0);
    expect(r.main.stopped).toBe(1);
    expect(r.client.closed).toBe(1);
    expect(r.tunnel.status()).toMatchObject({ state: { kind: 'stopped' }, inflight: 0, running: 0 });
    expect(r.events.map((e) => e.state.kind).slice(-2)).toEqual(['stopping', 'stopped']);
    expect(r.clock.pendingTimers).toBe(0);
    await r.tunnel.stop();
    expect(r.client.closed).toBe(1);
    await expect(r.tunnel.start()).rejects.toMatchObject({ code: 'tunnel_already_ran' });
    await expect(r.tunnel.whenReady()).rejects.toMatchObject({ code: 'tunnel_stopped' });
  });

  it('rejects a pending whenReady when stopped before ready', async () => {
    const r = rig({ probeOnStart: false });
    await r.tunnel.start();
    const ready = r.tunnel.whenReady();
    await r.tunnel.stop();
    await expect(ready).rejects.toMatchObject({ code: 'tunnel_stopped' });
  });
});
