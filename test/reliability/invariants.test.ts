/**
 * The invariant checks themselves can fail: the ledger flags a missing outcome, a duplicate
 * terminal answer, another call's result and a timeout before the deadline; the process checks
 * flag a surviving child and a socket left open.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CallLedger, percentile } from './call-ledger.js';
import { handleBaseline, handlesBackToBaseline, orphanPids } from './process-checks.js';

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
});
