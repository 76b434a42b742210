/**
 * The shape of one benchmark run as written to JSON, and the derived numbers: ratios against
 * direct stdio and the best peer bridge, and the targets.
 */
import type { CellResult, Payload } from './load.js';
import type { ScenarioKind } from './scenarios.js';
import type { TunnelSettings } from './tunnel-setup.js';

export interface ScenarioResult {
  id: string;
  title: string;
  kind: ScenarioKind;
  settings: Record<string, string | number>;
  /** RSS per role in bytes: after start and connect (before any call), and 2 s after the last window. */
  memory: { rest: Record<string, number>; peak: Record<string, number>; afterLoad: Record<string, number> };
  cells: CellResult[];
  /** Set when the scenario could not run; its cells are then empty. */
  error?: string;
}

export interface RunProfile {
  mode: 'quick' | 'full';
  warmupMs: number;
  measureMs: number;
  /** Pause before the at-rest reading. */
  settleMs: number;
  /** Pause after the last window before the after-load reading. */
  afterLoadSettleMs: number;
  concurrencies: number[];
}

export interface TargetCheck {
  name: string;
  measured: string;
  met: boolean | null;
}

export interface BenchRun {
  generatedAt: string;
  profile: RunProfile;
  machine: Record<string, string | number>;
  versions: Record<string, string>;
  tunnelSettings: TunnelSettings;
  method: string[];
  scenarios: ScenarioResult[];
  targets: TargetCheck[];
}

export function cellOf(
  s: ScenarioResult | undefined,
  payload: Payload['id'],
  c: number,
): CellResult | undefined {
  return s?.cells.find((cell) => cell.payload === payload && cell.concurrency === c);
}

/** Per cell, the best peer bridge: lowest p50 for latency, highest calls/s for throughput. */
export function bestPeer(
  scenarios: readonly ScenarioResult[],
  payload: Payload['id'],
  c: number,
  by: 'p50' | 'callsPerSecond',
): { id: string; cell: CellResult } | undefined {
  let best: { id: string; cell: CellResult } | undefined;
  for (const s of scenarios) {
    if (s.kind !== 'peer') continue;
    const cell = cellOf(s, payload, c);
    if (!cell || cell.calls === 0) continue;
    const better =
      by === 'p50'
        ? cell.p50 < (best?.cell.p50 ?? Infinity)
        : cell.callsPerSecond > (best?.cell.callsPerSecond ?? -1);
    if (better) best = { id: s.id, cell };
  }
  return best;
}

const MB = 1024 * 1024;
const fmt = (n: number | undefined, digits = 2): string =>
  n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits);

export function checkTargets(scenarios: readonly ScenarioResult[]): TargetCheck[] {
  const byId = (id: string): ScenarioResult | undefined => scenarios.find((s) => s.id === id);
  const tunnel = byId('tunnel-stdio');
  const serial = byId('tunnel-stdio-serial');
  const out: TargetCheck[] = [];
  const suffixes = { small: '', '64KiB': ' (64 KiB result)', tool10ms: ' (tool that takes 10 ms)' } as const;
  for (const payload of ['small', '64KiB', 'tool10ms'] as const) {
    const suffix = suffixes[payload];
    const t1 = cellOf(tunnel, payload, 1);
    const p1 = bestPeer(scenarios, payload, 1, 'p50');
    out.push({
      name: `tunnel-stdio p50 at c=1 ≤ fastest peer bridge p50${suffix}`,
      measured: `${fmt(t1?.p50)} ms vs ${p1?.id ?? 'n/a'} ${fmt(p1?.cell.p50)} ms`,
      met: t1 && p1 ? t1.p50 <= p1.cell.p50 : null,
    });
    const t64 = cellOf(tunnel, payload, 64);
    const p64 = bestPeer(scenarios, payload, 64, 'callsPerSecond');
    out.push({
      name: `tunnel-stdio calls/s at c=64 ≥ 1.5× best peer bridge${suffix}`,
      measured: `${fmt(t64?.callsPerSecond, 0)}/s vs ${p64?.id ?? 'n/a'} ${fmt(p64?.cell.callsPerSecond, 0)}/s = ${fmt(
        t64 && p64 ? t64.callsPerSecond / p64.cell.callsPerSecond : undefined,
      )}×`,
      met: t64 && p64 ? t64.callsPerSecond >= 1.5 * p64.cell.callsPerSecond : null,
    });
    const s64 = cellOf(serial, payload, 64);
    out.push({
      name: `tunnel-stdio calls/s at c=64 ≥ 3× tunnel-stdio-serial${suffix}`,
      measured: `${fmt(t64?.callsPerSecond, 0)}/s vs ${fmt(s64?.callsPerSecond, 0)}/s = ${fmt(
        t64 && s64 ? t64.callsPerSecond / s64.callsPerSecond : undefined,
      )}×`,
      met: t64 && s64 ? t64.callsPerSecond >= 3 * s64.callsPerSecond : null,
    });
  }
  const engines = scenarios.filter((s) => s.kind === 'tunnel' && s.memory.rest.engine !== undefined);
  if (engines.length > 0) {
    for (const when of ['rest', 'afterLoad'] as const) {
      const worst = Math.max(...engines.map((s) => s.memory[when].engine ?? 0));
      const moment = when === 'rest' ? 'after start, before any call' : 'idle after the load windows';
      out.push({
        name: `engine RSS at rest < 80 MB (${moment}; worst tunnel scenario)`,
        measured: `${fmt(worst / MB, 1)} MB`,
        met: worst < 80 * MB,
      });
    }
  }
  return out;
}
