/**
 * The soak in miniature, inside `npm test`: a dozen seconds of mixed SDK traffic (echo,
 * progress, notifications, session DELETEs) through relay and engine to the demo server over
 * stdio, with random network faults and child kills; zero invariant violations required (memory
 * back to the warm-up baseline included) and a flat heap-after-GC verdict.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, runSoak } from './soak.js';

describe('reliability: short soak', () => {
  it('mixed traffic under random faults: every call one acceptable outcome, recovery, no leaks', async () => {
    const report = await runSoak({ durationMs: 12_000, seed: 1234, clients: 3, faultEveryMs: 1_500 });
    expect(report.violations, formatReport(report)).toEqual([]);
    expect(report.calls).toBeGreaterThan(50);
    expect(report.outcomes.result ?? 0).toBeGreaterThan(20);
    expect(Object.values(report.faults).reduce((a, b) => a + (b ?? 0), 0)).toBeGreaterThan(2);
    // Heap after GC sampled through the run (the rig's back-to-baseline check is in violations).
    expect(report.memory.length, formatReport(report)).toBeGreaterThan(5);
    expect(report.verdict.verdict, formatReport(report)).toBe('flat');
  }, 40_000);
});
