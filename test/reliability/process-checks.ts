import { Socket } from 'node:net';
/**
 * Process-level invariants: open handles (sockets, servers, child processes, pipes) return to a
 * baseline, and no child PID outlives the engine that spawned it (bounded waits; violations
 * returned as lines, never thrown).
 */

const WATCHED = ['TCPSocketWrap', 'TCPServerWrap', 'ProcessWrap', 'PipeWrap'] as const;

export type HandleCounts = Record<(typeof WATCHED)[number], number>;

export function handleCounts(): HandleCounts {
  const counts: HandleCounts = { TCPSocketWrap: 0, TCPServerWrap: 0, ProcessWrap: 0, PipeWrap: 0 };
  for (const name of process.getActiveResourcesInfo()) {
    if ((WATCHED as readonly string[]).includes(name)) counts[name as keyof HandleCounts]++;
  }
  return counts;
}

export function handleBaseline(): HandleCounts {
  return handleCounts();
}

function excess(baseline: HandleCounts): string[] {
  const now = handleCounts();
  return WATCHED.filter((k) => now[k] > baseline[k]).map((k) => `${k} ${baseline[k]} → ${now[k]}`);
}

/** Waits (bounded) until no watched handle count exceeds the baseline. */
export async function handlesBackToBaseline(baseline: HandleCounts, boundMs = 10_000): Promise<string[]> {
  const until = performance.now() + boundMs;
  for (;;) {
    const over = excess(baseline);
    if (over.length === 0) return [];
    if (performance.now() > until)
      return [`open handles above baseline after stop: ${over.join(', ')}${openSockets()}`];
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits (bounded) for every PID to be gone; returns one violation per survivor. */
export async function orphanPids(pids: Iterable<number>, boundMs = 3_000): Promise<string[]> {
  const until = performance.now() + boundMs;
  const list = [...pids];
  for (;;) {
    const alive = list.filter(pidAlive);
    if (alive.length === 0) return [];
    if (performance.now() > until) {
      for (const pid of alive) {
        try {
          process.kill(pid, 'SIGKILL'); // clean up after reporting
        } catch {
          // already gone
        }
      }
      return alive.map((pid) => `orphan process ${pid} alive after the engine stopped`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Which TCP sockets are open (local → remote port), to say what leaked. */
function openSockets(): string {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  const sockets = handles
    .filter((h): h is Socket => h instanceof Socket)
    .map((s) => `${s.localPort ?? '?'}→${s.remotePort ?? '?'}${s.destroyed ? ' (destroyed)' : ''}`);
  return sockets.length ? ` (sockets: ${sockets.join(', ')})` : '';
}
