import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandRecord } from '../../../../main/core/engine/dispatcher/types.js';
import { createEngineMetrics, type EngineMetrics } from '../../../../main/core/observability/metrics.js';
import { percentile } from '../../../../main/core/observability/metrics-series.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { FakeSource, record, status } from './metrics-fixtures.js';

let metrics: EngineMetrics | undefined;
afterEach(() => {
  metrics?.close();
  metrics = undefined;
});

function setup(options: { keepPoints?: number; maxSamplesPerBucket?: number; random?: () => number } = {}): {
  clock: FakeClock;
  source: FakeSource;
  metrics: EngineMetrics;
} {
  const clock = new FakeClock();
  const source = new FakeSource();
  source.entries = [
    {
      id: 'a',
      status: status('a', { inflight: 3, running: 2, errorsByKind: { poll_network: 2, command_expired: 1 } }),
    },
    { id: 'b', status: status('b', { inflight: 4, running: 1, errorsByKind: { poll_network: 5 } }) },
  ];
  metrics = createEngineMetrics({ source, clock, intervalMs: 5000, ...options });
  return { clock, source, metrics };
}

/** A command whose end-to-end latency (queue + mcp + post) is `ms`. */
function took(ms: number, outcome: CommandRecord['outcome'] = 'ok'): CommandRecord {
  return record({ queueMs: ms / 4, mcpMs: ms / 2, postMs: ms / 4, outcome });
}

/** A deterministic [0, 1) generator (LCG). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect([50, 95, 99, 100].map((p) => percentile(values, p))).toEqual([50, 95, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([], 50)).toBeUndefined();
  });
});

describe('UI time series', () => {
  it('closes a bucket every interval with counts, percentiles and summed in-flight numbers', async () => {
    const { clock, metrics: m } = setup();
    // 1..100 ms in shuffled order; 4 of them errors (failure, expired, post_failed, gone), 1 mcp_error (not an error).
    const order = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    const outcomes: Record<number, CommandRecord['outcome']> = {
      3: 'failure',
      10: 'expired',
      20: 'post_failed',
      30: 'gone',
      40: 'mcp_error',
    };
    for (const ms of order) m.recordCommand(ms % 2 ? 'a' : 'b', took(ms, outcomes[ms] ?? 'ok'));
    expect(m.snapshot().points).toEqual([]);

    await clock.advance(4999);
    expect(m.snapshot().points).toEqual([]);
    await clock.advance(1);
    const snapshot = m.snapshot();
    expect(snapshot.intervalMs).toBe(5000);
    expect(snapshot.points).toEqual([
      {
        t: clock.wallNow(),
        requests: 100,
        errors: 4,
        p50Ms: 50,
        p95Ms: 95,
        p99Ms: 99,
        inflight: 7,
        running: 3,
      },
    ]);
    expect(snapshot.errorsByKind).toEqual({ poll_network: 7, command_expired: 1 });

    // The next bucket starts empty: no commands, no percentiles.
    await clock.advance(5000);
    const [, second] = m.snapshot().points;
    expect(second).toEqual({ t: clock.wallNow(), requests: 0, errors: 0, inflight: 7, running: 3 });
  });

  it('keeps only the last keepPoints points, oldest dropped first', async () => {
    const { clock, metrics: m } = setup({ keepPoints: 3 });
    for (let i = 1; i <= 5; i++) {
      for (let n = 0; n < i; n++) m.recordCommand('a', took(10));
      await clock.advance(5000);
    }
    const points = m.snapshot().points;
    expect(points.map((p) => p.requests)).toEqual([3, 4, 5]);
    expect(points.map((p) => p.t)).toEqual([15_000, 20_000, 25_000].map((ms) => clock.wallBase + 1_000 + ms));
  });

  it('bounds the samples per bucket with reservoir sampling and stays close to the true percentiles', async () => {
    const { clock, metrics: m } = setup({ maxSamplesPerBucket: 500, random: seeded(42) });
    const random = seeded(7);
    // 20 000 commands, uniform over 1..10 000 ms.
    for (let i = 0; i < 20_000; i++) m.recordCommand('a', took(1 + Math.floor(random() * 10_000)));
    await clock.advance(5000);
    const [point] = m.snapshot().points;
    expect(point?.requests).toBe(20_000);
    expect(point?.p50Ms).toBeGreaterThan(4000);
    expect(point?.p50Ms).toBeLessThan(6000);
    expect(point?.p95Ms).toBeGreaterThan(9000);
    expect(point?.p99Ms).toBeGreaterThan(9600);
  });

  it('stops its timer on close()', async () => {
    const { clock, metrics: m } = setup();
    await clock.advance(5000);
    expect(m.snapshot().points).toHaveLength(1);
    expect(clock.pendingTimers).toBe(1);
    m.close();
    await clock.advance(0);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(20_000);
    expect(m.snapshot().points).toHaveLength(1);
    m.close(); // idempotent
  });

  it('keeps closing buckets when reading the source fails', async () => {
    const { clock, source, metrics: m } = setup();
    source.tunnels = () => {
      throw new Error('source broke');
    };
    await clock.advance(10_000);
    expect(m.snapshot).toThrow('source broke');
    source.tunnels = () => [];
    expect(m.snapshot().points.map((p) => p.inflight)).toEqual([0, 0]);
  });
});

describe('recordCommand', () => {
  it('keeps numbers only: the records it saw can be garbage-collected', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const { metrics: m } = setup();
    const refs: Array<WeakRef<CommandRecord>> = [];
    for (let i = 0; i < 1000; i++) {
      const r = took(i % 50);
      if (i % 100 === 0) refs.push(new WeakRef(r));
      m.recordCommand('a', r);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    gc();
    expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  });
});
