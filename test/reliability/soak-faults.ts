/**
 * The soak's fault menu: each fault is applied for a while, then healed (the proxy back to clean
 * forwarding). Killing the stdio child is instantaneous; the supervisor restarts it.
 */
import type { Rig } from './reliability-rig.js';

export const FAULTS = [
  'latency',
  'resets',
  'truncate',
  'half-open',
  'stall',
  'reset-all',
  'kill-child',
] as const;
export type FaultName = (typeof FAULTS)[number];

export function pickFault(random: () => number): FaultName {
  return FAULTS[Math.floor(random() * FAULTS.length)]!;
}

export async function applyFault(
  rig: Rig,
  fault: FaultName,
  forMs: number,
  random: () => number,
): Promise<void> {
  const proxy = rig.proxy;
  if (!proxy) return;
  switch (fault) {
    case 'latency':
      proxy.setLatency(10 + Math.floor(random() * 60));
      break;
    case 'resets': {
      let n = 0;
      proxy.setPolicy(() =>
        ++n % 2 === 0 ? { kind: 'pass' } : { kind: 'reset', upBytes: 50 + ((n * 97) % 900) },
      );
      proxy.resetAll();
      break;
    }
    case 'truncate': {
      let n = 0;
      proxy.setPolicy(() =>
        ++n % 2 === 0 ? { kind: 'pass' } : { kind: 'truncate', downBytes: 40 + ((n * 71) % 600) },
      );
      proxy.resetAll();
      break;
    }
    case 'half-open':
      proxy.setPolicy(() => ({ kind: 'half-open' }));
      proxy.resetAll();
      break;
    case 'stall':
      proxy.stall();
      break;
    case 'reset-all':
      proxy.resetAll();
      return;
    case 'kill-child': {
      const pid = rig.channels[0]?.snapshot().pid;
      if (pid !== undefined) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      return;
    }
  }
  await new Promise((r) => setTimeout(r, forMs));
  proxy.heal();
  if (fault === 'half-open') proxy.resetAll();
}
