import { describe, expect, it } from 'vitest';
import { percentile, type CellResult } from '../../bench/load.js';
import { bestPeer, checkTargets, type ScenarioResult } from '../../bench/results.js';
import type { ScenarioKind } from '../../bench/scenarios.js';

function cell(
  payload: 'small' | '64KiB' | 'tool10ms',
  concurrency: number,
  p50: number,
  callsPerSecond: number,
): CellResult {
  return {
    payload,
    concurrency,
    calls: 100,
    errors: 0,
    elapsedMs: 1000,
    callsPerSecond,
    p50,
    p95: p50,
    p99: p50,
    mean: p50,
    serverCpuUsPerCall: 1,
    clientCpuUsPerCall: 1,
    roles: {},
    otherCpuPct: 0,
  };
}

function scenario(
  id: string,
  kind: ScenarioKind,
  p50: number,
  c64: number,
  engineMB?: number,
): ScenarioResult {
  const engine: Record<string, number> = engineMB === undefined ? {} : { engine: engineMB * 1024 * 1024 };
  return {
    id,
    title: id,
    kind,
    settings: {},
    memory: { rest: engine, peak: engine, afterLoad: engine },
    cells: (['small', '64KiB', 'tool10ms'] as const).flatMap((p) => [
      cell(p, 1, p50, 1000 / p50),
      cell(p, 64, 20, c64),
    ]),
  };
}

describe('percentile', () => {
  it('takes the nearest rank of sorted samples', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('bestPeer', () => {
  const runs = [
    scenario('direct-stdio', 'direct', 0.2, 20_000),
    scenario('supergateway', 'peer', 2.5, 850),
    scenario('mcp-proxy', 'peer', 4.2, 1050),
  ];
  it('picks the lowest p50 for latency and the highest rate for throughput, among peers only', () => {
    expect(bestPeer(runs, 'small', 1, 'p50')?.id).toBe('supergateway');
    expect(bestPeer(runs, 'small', 64, 'callsPerSecond')?.id).toBe('mcp-proxy');
  });
});

describe('checkTargets', () => {
  it('meets every target when the tunnel beats the peers by the margins of the issue', () => {
    const targets = checkTargets([
      scenario('supergateway', 'peer', 2.5, 850),
      scenario('mcp-proxy', 'peer', 4.2, 1050),
      scenario('tunnel-stdio', 'tunnel', 2.0, 1600, 60),
      scenario('tunnel-stdio-serial', 'tunnel', 2.0, 500, 60),
    ]);
    expect(targets.map((t) => t.met)).toEqual(Array(11).fill(true));
  });

  it('reports each miss with the measured numbers', () => {
    const targets = checkTargets([
      scenario('supergateway', 'peer', 2.5, 850),
      scenario('mcp-proxy', 'peer', 4.2, 1050),
      scenario('tunnel-stdio', 'tunnel', 3.0, 1500, 90),
      scenario('tunnel-stdio-serial', 'tunnel', 3.0, 600, 60),
    ]);
    expect(targets.map((t) => t.met)).toEqual(Array(11).fill(false));
    expect(targets[1]!.measured).toBe('1500/s vs mcp-proxy 1050/s = 1.43×');
    expect(targets[8]!.name).toContain('(tool that takes 10 ms)');
    expect(targets[9]!.measured).toBe('90.0 MB');
    expect(targets[10]!.name).toContain('idle after the load windows');
  });

  it('leaves a target undecided when a scenario it needs did not run', () => {
    const targets = checkTargets([scenario('tunnel-stdio', 'tunnel', 2.0, 1600, 60)]);
    expect(targets[0]!.met).toBeNull();
    expect(targets[2]!.met).toBeNull();
  });
});
