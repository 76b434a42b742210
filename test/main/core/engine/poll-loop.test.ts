import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../../main/core/engine/dispatcher/dispatcher.js';
import type { Dispatcher } from '../../../../main/core/engine/dispatcher/types.js';
import { POLL_BACKOFF, pollRetryDelayMs } from '../../../../main/core/engine/poll-failure.js';
import { MAX_POLL_LIMIT, runPollLoop } from '../../../../main/core/engine/poll-loop.js';
import { LogHub } from '../../../../main/core/observability/logger.js';
import { FakeChannel, untilAborted } from './fakes/fake-channel.js';
import { FakeClock } from './fakes/fake-clock.js';
import {
  FakeControlPlaneClient,
  FakeControlPlaneError,
  jsonrpcCommand,
  pollResult,
} from './fakes/fake-control-plane-client.js';

interface Loop {
  clock: FakeClock;
  client: FakeControlPlaneClient;
  main: FakeChannel;
  dispatcher: Dispatcher;
  hub: LogHub;
  abort: AbortController;
  done: Promise<void>;
}

let running: Loop | undefined;

function startLoop(options: {
  maxInflight?: number;
  random?: () => number;
  setup?: (l: Omit<Loop, 'done' | 'abort'>) => void;
}): Loop {
  const clock = new FakeClock();
  const client = new FakeControlPlaneClient(() => clock.now());
  const main = new FakeChannel('main');
  main.state = 'ready';
  const hub = new LogHub({ level: 'debug' });
  const dispatcher = createDispatcher({
    client,
    channels: new Map([['main', main]]),
    clock,
    maxInflight: options.maxInflight ?? 20,
  });
  options.setup?.({ clock, client, main, dispatcher, hub });
  const abort = new AbortController();
  const done = runPollLoop({
    client,
    dispatcher,
    pollTimeoutMs: 30_000,
    clock,
    logger: hub.logger('poll'),
    random: options.random ?? (() => 0.5),
    signal: abort.signal,
  });
  running = { clock, client, main, dispatcher, hub, abort, done };
  return running;
}

afterEach(async () => {
  if (!running) return;
  running.abort.abort(new Error('test over'));
  await running.done;
  await running.dispatcher.stop();
  running = undefined;
});

describe('poll loop: capacity', () => {
  it('asks for at most 25 commands, with the configured timeout', async () => {
    const l = startLoop({ maxInflight: 40 });
    await l.clock.advance(0);
    expect(l.client.polls[0]).toMatchObject({ limit: MAX_POLL_LIMIT, timeoutMs: 30_000 });
  });

  it('polls only for free capacity and not at all while full', async () => {
    const l = startLoop({
      maxInflight: 3,
      setup: ({ client, main, clock }) => {
        main.onSend = (req) => untilAborted(req.signal);
        client.onPoll = async (options, index) =>
          index === 0
            ? pollResult([jsonrpcCommand(), jsonrpcCommand()], clock.now())
            : index === 1
              ? pollResult([jsonrpcCommand()], clock.now())
              : new Promise(() => undefined);
      },
    });
    await l.clock.advance(0);
    expect(l.client.polls.map((p) => p.limit)).toEqual([3, 1]);
    await l.clock.advance(60_000);
    expect(l.client.polls).toHaveLength(2);
    expect(l.dispatcher.freeCapacity()).toBe(0);
  });

  it('processes every command of a batch larger than the limit', async () => {
    const l = startLoop({
      maxInflight: 3,
      setup: ({ client, clock }) => {
        client.onPoll = (options, index) =>
          index === 0
            ? Promise.resolve(
                pollResult(
                  Array.from({ length: 5 }, () => jsonrpcCommand()),
                  clock.now(),
                ),
              )
            : untilAborted(options.signal);
      },
    });
    await l.clock.advance(0);
    expect(l.client.polls[0]!.limit).toBe(3);
    expect(l.main.sends).toHaveLength(5);
    expect(l.client.posted.filter((p) => p.options.kind === 'terminal')).toHaveLength(5);
  });

  it('logs skipped command types and dropped commands', async () => {
    const l = startLoop({
      setup: ({ client, clock }) => {
        client.onPoll = (options, index) =>
          index === 0
            ? Promise.resolve({
                receivedAt: clock.now(),
                commands: [],
                skipped: [{ requestId: 'req_future', commandType: 'teleport' }],
                dropped: [{ requestId: 'req_bad', reason: 'jsonrpc is not an object' }],
              })
            : untilAborted(options.signal);
      },
    });
    await l.clock.advance(0);
    const entries = l.hub.entries();
    expect(entries.find((e) => e.fields?.command_type === 'teleport')?.fields).toMatchObject({
      request_id: 'req_future',
    });
    expect(entries.find((e) => e.fields?.request_id === 'req_bad')?.fields).toMatchObject({
      reason: 'jsonrpc is not an object',
    });
  });
});

describe('poll loop: retries', () => {
  it('backs off exponentially on network errors (full jitter) and resets after a success', async () => {
    const l = startLoop({
      random: () => 0.999_999_9,
      setup: ({ client, clock }) => {
        client.onPoll = (options, index) =>
          index < 3
            ? Promise.reject(new FakeControlPlaneError('network'))
            : index === 3
              ? Promise.resolve(pollResult([], clock.now()))
              : index === 4
                ? Promise.reject(new FakeControlPlaneError('unavailable', 503))
                : untilAborted(options.signal);
      },
    });
    const t0 = l.clock.now();
    await l.clock.advance(10_000);
    const gaps = l.client.pollTimes.map((t) => t - t0);
    expect(gaps).toEqual([0, 500, 1_500, 3_500, 3_500, 4_000]);
  });

  it('honours Retry-After as a minimum', async () => {
    const l = startLoop({
      setup: ({ client }) => {
        client.onPoll = (options, index) =>
          index === 0
            ? Promise.reject(new FakeControlPlaneError('rate_limited', 429, 12_000))
            : untilAborted(options.signal);
      },
    });
    await l.clock.advance(11_999);
    expect(l.client.polls).toHaveLength(1);
    await l.clock.advance(1);
    expect(l.client.polls).toHaveLength(2);
  });

  it('ends promptly when aborted during a long poll or a backoff sleep', async () => {
    const l = startLoop({});
    await l.clock.advance(0);
    const signal = l.client.polls[0]!.signal;
    l.abort.abort(new Error('stop'));
    await l.done;
    expect(signal.aborted).toBe(true);
    expect(l.clock.pendingTimers).toBe(0);
  });
});

describe('pollRetryDelayMs', () => {
  it('retries auth and other 4xx slowly: 30 s doubling to 5 min, never sooner', () => {
    const auth = { kind: 'auth' as const, status: 401 };
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => pollRetryDelayMs(auth, n, () => 0))).toEqual([
      30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000,
    ]);
    expect(pollRetryDelayMs({ kind: 'bad_request', status: 404 }, 1, () => 0.99)).toBeGreaterThanOrEqual(
      30_000,
    );
    expect(pollRetryDelayMs(auth, 1, () => 0.99)).toBeLessThanOrEqual(36_000);
  });

  it('uses full jitter with a floor for transient failures and caps Retry-After', () => {
    const net = { kind: 'network' as const };
    expect(pollRetryDelayMs(net, 1, () => 0)).toBe(POLL_BACKOFF.fastFloorMs);
    expect(pollRetryDelayMs(net, 1, () => 0.5)).toBe(250);
    expect(pollRetryDelayMs(net, 30, () => 0.999_999)).toBeLessThanOrEqual(POLL_BACKOFF.fastCapMs);
    expect(pollRetryDelayMs({ kind: 'rate_limited', retryAfterMs: 3_600_000 }, 1, () => 0)).toBe(300_000);
    expect(pollRetryDelayMs({ kind: 'unavailable', retryAfterMs: 7_000 }, 1, () => 0)).toBe(7_000);
  });
});
