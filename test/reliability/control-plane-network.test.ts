/**
 * Engine ↔ relay through the fault proxy: latency, resets mid-request (both directions),
 * half-open connections, stalls and truncated bodies. Real relay, real engine, a real stdio
 * MCP server; callers hit the relay's front door. After each scenario the shared invariants
 * (reliability-rig.ts) must hold and the engine must recover by itself once the fault stops.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Outcome } from './call-ledger.js';
import { stdioChannel } from './fault-channels.js';
import { closeRigs, startRig, type Rig } from './reliability-rig.js';

afterEach(closeRigs);

async function stdioRig(): Promise<Rig> {
  const rig = await startRig({
    channels: (log, canary) => [stdioChannel('main', log, { canary })],
    responseTimeoutMs: 2_000,
  });
  await rig.recovered();
  return rig;
}

function wave(rig: Rig, n: number, session?: string): Promise<Outcome[]> {
  return Promise.all(
    Array.from({ length: n }, () => rig.caller.echo(undefined, session ? { sessionId: session } : {})),
  );
}

function kinds(outcomes: Outcome[]): Set<string> {
  return new Set(outcomes.map((o) => o.kind));
}

describe('reliability: engine ↔ relay network faults', () => {
  it('added latency: every call answered with its own result', async () => {
    const rig = await stdioRig();
    const session = await rig.caller.initialize();
    rig.proxy!.setLatency(40);
    const outcomes = await wave(rig, 20, session);
    expect(kinds(outcomes)).toEqual(new Set(['result']));
    rig.proxy!.heal();
    await rig.recovered();
    expect(await rig.finish()).toEqual([]);
  });

  it('resets mid-request in both directions: one outcome per call, then recovery', async () => {
    const rig = await stdioRig();
    const session = await rig.caller.initialize();
    let n = 0;
    rig.proxy!.setPolicy(() => {
      n++;
      if (n % 2 === 0) return { kind: 'pass' };
      return n % 4 === 1
        ? { kind: 'reset', upBytes: 40 + (n % 7) * 60 }
        : { kind: 'reset', downBytes: 30 + (n % 5) * 50 };
    });
    rig.proxy!.resetAll();
    for (let i = 0; i < 2; i++) await wave(rig, 10, session);
    expect(rig.proxy!.stats().byKind.reset).toBeGreaterThan(3);
    rig.proxy!.heal();
    await rig.recovered();
    expect(await rig.finish()).toEqual([]);
  });

  it('half-open connections (accepted, never answered): calls time out at their deadline, no earlier; recovery', async () => {
    const rig = await stdioRig();
    rig.proxy!.setPolicy(() => ({ kind: 'half-open' }));
    rig.proxy!.resetAll();
    const outcomes = await wave(rig, 4);
    for (const o of outcomes) expect(o.kind).toBe('timeout');
    expect(rig.proxy!.stats().byKind['half-open']).toBeGreaterThan(0);
    rig.proxy!.heal();
    await rig.recovered();
    expect(await rig.finish()).toEqual([]);
  });

  it('stalls (every byte held, then released): results or deadline timeouts only; recovery', async () => {
    const rig = await stdioRig();
    const pending = wave(rig, 6);
    rig.proxy!.stall();
    const during = wave(rig, 6);
    await new Promise((r) => setTimeout(r, 800));
    rig.proxy!.resume();
    const outcomes = [...(await pending), ...(await during)];
    for (const o of outcomes) expect(['result', 'timeout']).toContain(o.kind);
    await rig.recovered();
    expect(await rig.finish()).toEqual([]);
  });

  it('truncated bodies (polls and POST answers cut short): one outcome per call, then recovery', async () => {
    const rig = await stdioRig();
    let n = 0;
    rig.proxy!.setPolicy(() =>
      ++n % 2 === 0 ? { kind: 'pass' } : { kind: 'truncate', downBytes: 60 + (n % 9) * 40 },
    );
    rig.proxy!.resetAll();
    for (let i = 0; i < 2; i++) await wave(rig, 8);
    expect(rig.proxy!.stats().byKind.truncate).toBeGreaterThan(2);
    rig.proxy!.heal();
    await rig.recovered();
    expect(await rig.finish()).toEqual([]);
  });
});
