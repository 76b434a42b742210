/**
 * The invariant checks themselves can fail: the ledger flags a missing outcome, a duplicate
 * terminal answer, another call's result and a timeout before the deadline; the process checks
 * flag a surviving child and a socket left open; the memory check flags a scenario whose engine
 * retains memory per call (a deliberately leaky channel), with the numbers in the message.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../main/core/engine/channels/channel.js';
import { CallLedger, percentile } from './call-ledger.js';
import { stdioChannel } from './fault-channels.js';
import { memoryAboveBaseline, type MemorySample } from './memory-checks.js';
import { handleBaseline, handlesBackToBaseline, orphanPids } from './process-checks.js';
import { closeRigs, startRig } from './reliability-rig.js';

afterEach(closeRigs);

/** A channel that keeps 256 KB of Buffer and ~256 KB of JS heap for every call it forwards. */
function leakyChannel(inner: Channel, retained: unknown[]): Channel {
  return {
    name: inner.name,
    transport: inner.transport,
    procAffinity: inner.procAffinity,
    start: () => inner.start(),
    send: async (request) => {
      const outcome = await inner.send(request);
      retained.push(Buffer.alloc(256 * 1024, 1), new Array<number>(32 * 1024).fill(retained.length));
      return outcome;
    },
    terminateSession: (request) => inner.terminateSession(request),
    snapshot: () => inner.snapshot(),
    stop: () => inner.stop(),
  };
}

describe('reliability invariants: the checks catch violations', () => {
  it('call ledger', () => {
    const ledger = new CallLedger({ deadlineMs: 60_000 });
    ledger.start('silent');
    const dup = ledger.start('dup', 'a');
    ledger.settle(dup, { kind: 'result', text: 'a' });
    ledger.settle(dup, { kind: 'result', text: 'a' });
    ledger.settle(ledger.start('crossed', 'mine'), { kind: 'result', text: 'theirs' });
    ledger.settle(ledger.start('early'), { kind: 'timeout', status: 504 });
    ledger.settle(ledger.start('refused'), { kind: 'refused', status: 503, code: 'x' });
    ledger.settle(ledger.start('fine', 'ok'), { kind: 'result', text: 'ok' });
    const v = ledger.violations();
    expect(v).toHaveLength(5);
    expect(v.join('\n')).toMatch(/silent: no outcome/);
    expect(v.join('\n')).toMatch(/dup: 2 terminal outcomes/);
    expect(v.join('\n')).toMatch(/crossed: answered with another result/);
    expect(v.join('\n')).toMatch(/early: timed out after \d+ ms, before its deadline/);
    expect(v.join('\n')).toMatch(/refused: outcome/);
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
  });

  it('orphan processes and open handles', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    expect(await orphanPids([child.pid!], 100)).toEqual([
      `orphan process ${child.pid} alive after the engine stopped`,
    ]);
    await new Promise((r) => child.once('exit', r)); // orphanPids killed it after reporting
    expect(await orphanPids([child.pid!], 100)).toEqual([]);

    const baseline = handleBaseline();
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    expect((await handlesBackToBaseline(baseline, 100))[0]).toMatch(/TCPServerWrap/);
    await new Promise((r) => server.close(r));
    expect(await handlesBackToBaseline(baseline, 1_000)).toEqual([]);
  });

  it('memory: a pure comparison names each quantity over its slack, with the numbers', () => {
    const base: MemorySample = { heapUsed: 50 << 20, external: 4 << 20, arrayBuffers: 1 << 20, rss: 0 };
    const slack = { heapUsedBytes: 12 << 20, externalBytes: 8 << 20 };
    expect(memoryAboveBaseline(base, { ...base, heapUsed: 61 << 20 }, 'x', slack)).toEqual([]);
    const v = memoryAboveBaseline(
      base,
      { ...base, heapUsed: 63 << 20, external: 13 << 20, arrayBuffers: 10 << 20 },
      'idle',
      slack,
    );
    expect(v).toEqual([
      'memory not back to baseline (idle): heapUsed after GC 50.0 MB → 63.0 MB (+13.0 MB, slack 12.0 MB)',
      'memory not back to baseline (idle): external after GC 4.0 MB → 13.0 MB (+9.0 MB, arrayBuffers 1.0 MB → 10.0 MB, slack 8.0 MB)',
    ]);
  });

  it('memory: a scenario whose engine retains 512 KB per call fails the rig check (heap and external)', async () => {
    const retained: unknown[] = [];
    const rig = await startRig({
      proxy: false,
      channels: (log, canary) => [leakyChannel(stdioChannel('main', log, { canary }), retained)],
    });
    await rig.recovered(); // warm-up baseline taken here
    for (let batch = 0; batch < 8; batch++)
      for (const o of await Promise.all(Array.from({ length: 8 }, () => rig.caller.echo())))
        expect(o.kind).toBe('result');
    const violations = await rig.finish();
    retained.length = 0;
    const idle = violations.filter((v) => v.includes('(idle after the scenario)'));
    expect(idle, violations.join('\n')).toHaveLength(2);
    expect(idle[0]).toMatch(
      /heapUsed after GC [\d.]+ MB → [\d.]+ MB \(\+(1[6-9]|[2-9]\d)\.\d MB, slack 12\.0 MB\)/,
    );
    expect(idle[1]).toMatch(
      /external after GC .*\(\+(1[6-9]|[2-9]\d)\.\d MB, arrayBuffers .* slack 8\.0 MB\)/,
    );
    expect(rig.memory.idle!.heapUsed - rig.memory.warm!.heapUsed).toBeGreaterThan(16 << 20);
  });
});
