/**
 * The memory invariant: once a scenario's traffic has stopped, the heap (and the off-heap
 * buffers) go back to the baseline taken after warm-up, within a bounded slack.
 *
 * Garbage collection is forced without any Node flag or config: `--expose-gc` is switched on at
 * run time with `v8.setFlagsFromString` and the `gc` function is fetched from a fresh VM context
 * (it works under Vitest's forks pool and under tsx; `globalThis.gc` is used when the process
 * already runs with `--expose-gc`). Several full collections with turns of the event loop in
 * between let weak callbacks, FinalizationRegistry cleanups and closing sockets run, so what is
 * left is memory something still holds.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface MemorySample {
  /** V8 heap in use (bytes). */
  heapUsed: number;
  /** C++ objects bound to JS objects, including every ArrayBuffer / Buffer (bytes). */
  external: number;
  /** ArrayBuffers and Buffers alone (bytes; part of `external`). */
  arrayBuffers: number;
  /** Whole-process resident set (bytes; informational: the allocator keeps freed pages). */
  rss: number;
}

export interface MemorySlack {
  heapUsedBytes: number;
  /** Bound on the growth of `external` (which includes arrayBuffers). */
  externalBytes: number;
}

/**
 * Default slack for "back to the warm-up baseline", measured idle with relay and engine still up.
 * What may legitimately stay after a scenario, all bounded: the rig's LogHub ring (≤ 5 000
 * entries, ~0.5 KB each ≈ 2.5 MB), the relay's request-log ring (≤ 1 000 entries), per-session
 * tables of sessions the scenario opened, and V8 code / inline caches compiled for code paths
 * the faults exercised for the first time (~1–2 MB). Scenarios measured 0.3–4 MB of heap
 * growth; 12 MB is three times the worst of them and still catches a per-call leak of a few KB
 * over the thousands of calls a soak makes, or of a few hundred KB over a dozen calls.
 * Off-heap: undici's llhttp WASM instance and socket buffers (~1–2 MB); 8 MB.
 */
export const DEFAULT_MEMORY_SLACK: MemorySlack = {
  heapUsedBytes: 12 * 1024 * 1024,
  externalBytes: 8 * 1024 * 1024,
};

let gcFunction: (() => void) | undefined;

/** A full, synchronous garbage collection (enables --expose-gc at run time on first use). */
export function forceGc(): void {
  if (!gcFunction) {
    const global = (globalThis as { gc?: () => void }).gc;
    if (typeof global === 'function') gcFunction = global;
    else {
      setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as () => void;
    }
  }
  gcFunction();
}

export function memorySample(): MemorySample {
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss };
}

/** Memory after `rounds` full collections with event-loop turns in between. */
export async function settledMemory(rounds = 2): Promise<MemorySample> {
  for (let i = 0; i < rounds; i++) {
    forceGc();
    await new Promise((r) => setImmediate(r));
  }
  forceGc();
  return memorySample();
}

export const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;

/**
 * One violation line per quantity that grew past its slack since `baseline` (empty = back to
 * baseline). `where` names the moment checked (e.g. "idle after the scenario").
 */
export function memoryAboveBaseline(
  baseline: MemorySample,
  now: MemorySample,
  where: string,
  slack: MemorySlack = DEFAULT_MEMORY_SLACK,
): string[] {
  const out: string[] = [];
  const heap = now.heapUsed - baseline.heapUsed;
  if (heap > slack.heapUsedBytes)
    out.push(
      `memory not back to baseline (${where}): heapUsed after GC ${mb(baseline.heapUsed)} → ${mb(now.heapUsed)} ` +
        `(+${mb(heap)}, slack ${mb(slack.heapUsedBytes)})`,
    );
  const external = now.external - baseline.external;
  if (external > slack.externalBytes)
    out.push(
      `memory not back to baseline (${where}): external after GC ${mb(baseline.external)} → ${mb(now.external)} ` +
        `(+${mb(external)}, arrayBuffers ${mb(baseline.arrayBuffers)} → ${mb(now.arrayBuffers)}, ` +
        `slack ${mb(slack.externalBytes)})`,
    );
  return out;
}

export function describeDelta(baseline: MemorySample, now: MemorySample): string {
  const d = (k: keyof MemorySample) => {
    const v = now[k] - baseline[k];
    return `${v >= 0 ? '+' : ''}${mb(v)}`;
  };
  return `heapUsed ${d('heapUsed')}, external ${d('external')}, arrayBuffers ${d('arrayBuffers')}`;
}
