import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuMs, descendants, machineBusyMs, rssBytes, totalRssBytes } from '../../bench/proc-stats.js';

let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

describe('proc-stats', () => {
  it('reads the resident memory and CPU time of a live process', () => {
    expect(rssBytes(process.pid)).toBeGreaterThan(10 * 1024 * 1024);
    expect(cpuMs(process.pid)).toBeGreaterThan(0);
    expect(machineBusyMs()).toBeGreaterThan(0);
  });

  it('answers undefined (or 0 in sums) for a process that does not exist', () => {
    expect(rssBytes(2 ** 22 + 1)).toBeUndefined();
    expect(cpuMs(2 ** 22 + 1)).toBeUndefined();
    expect(totalRssBytes([2 ** 22 + 1])).toBe(0);
  });

  it('finds grandchildren through the process tree', async () => {
    child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    const pid = child.pid!;
    const deadline = Date.now() + 5000;
    while (descendants(pid).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const tree = descendants(pid);
    expect(tree.length).toBe(1);
    expect(descendants(process.pid)).toEqual(expect.arrayContaining([pid, ...tree]));
    for (const p of tree) process.kill(p, 'SIGKILL');
  });
});
