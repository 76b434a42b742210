/**
 * Memory soak: the tunnel with stdio upstream under steady load (16 in-flight calls, one in
 * eight with a 64 KiB result) for N minutes, engine and relay RSS sampled every few seconds.
 * Reports first/last/peak, a least-squares slope after the warm-up, and the mean of the first
 * and last quarter after the warm-up. "No growth": the last quarter's mean is within
 * max(5 MB, 5 %) of the first quarter's.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { PAYLOADS } from './load.js';
import { rssBytes } from './proc-stats.js';
import type { TargetCheck } from './results.js';
import type { RunningScenario } from './scenarios.js';

export interface SoakSample {
  tSeconds: number;
  engineRss: number;
  relayRss: number;
  calls: number;
}

export interface SoakSeriesSummary {
  firstMB: number;
  lastMB: number;
  peakMB: number;
  /** MB per minute after the warm-up. */
  slopeMBPerMin: number;
  earlyMeanMB: number;
  lateMeanMB: number;
  grew: boolean;
}

export interface SoakResult {
  minutes: number;
  concurrency: number;
  calls: number;
  errors: number;
  callsPerSecond: number;
  warmupSeconds: number;
  engineAtRestBeforeMB: number;
  engineAtRestAfterMB: number;
  engine: SoakSeriesSummary;
  relay: SoakSeriesSummary;
  samples: SoakSample[];
}

const MB = 1024 * 1024;

function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function summarize(
  samples: SoakSample[],
  pick: (s: SoakSample) => number,
  warmupSeconds: number,
): SoakSeriesSummary {
  const steady = samples.filter((s) => s.tSeconds >= warmupSeconds);
  const use = steady.length >= 4 ? steady : samples;
  const quarter = Math.max(1, Math.floor(use.length / 4));
  const mean = (list: SoakSample[]): number => list.reduce((a, s) => a + pick(s), 0) / list.length / MB;
  const earlyMeanMB = mean(use.slice(0, quarter));
  const lateMeanMB = mean(use.slice(-quarter));
  return {
    firstMB: pick(samples[0]!) / MB,
    lastMB: pick(samples[samples.length - 1]!) / MB,
    peakMB: Math.max(...samples.map(pick)) / MB,
    slopeMBPerMin: slope(
      use.map((s) => s.tSeconds / 60),
      use.map((s) => pick(s) / MB),
    ),
    earlyMeanMB,
    lateMeanMB,
    grew: lateMeanMB - earlyMeanMB > Math.max(5, earlyMeanMB * 0.05),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runSoak(
  scenario: RunningScenario,
  minutes: number,
  log: (line: string) => void,
): Promise<SoakResult> {
  const pidOf = (name: string): number => scenario.roles.find((r) => r.name === name)!.pids()[0]!;
  const engine = pidOf('engine');
  const relay = pidOf('relay');
  const client: Client = scenario.client;
  const concurrency = 16;
  const durationMs = minutes * 60_000;
  const intervalMs = Math.max(1000, Math.min(10_000, durationMs / 120));
  const warmupSeconds = Math.min(60, (durationMs / 1000) * 0.25);
  await sleep(1000);
  const engineAtRestBeforeMB = (rssBytes(engine) ?? NaN) / MB;

  let calls = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  const samples: SoakSample[] = [];
  const sample = (): void => {
    samples.push({
      tSeconds: (performance.now() - start) / 1000,
      engineRss: rssBytes(engine) ?? 0,
      relayRss: rssBytes(relay) ?? 0,
      calls,
    });
  };
  sample();
  let lastLog = start;
  const sampler = setInterval(() => {
    sample();
    if (performance.now() - lastLog >= 30_000) {
      lastLog = performance.now();
      const s = samples[samples.length - 1]!;
      log(
        `  soak ${s.tSeconds.toFixed(0)} s: engine ${(s.engineRss / MB).toFixed(1)} MB, relay ${(s.relayRss / MB).toFixed(1)} MB, ${calls} calls`,
      );
    }
  }, intervalMs);
  const worker = async (index: number): Promise<void> => {
    let n = index;
    while (performance.now() < end) {
      const payload = n++ % 8 === 0 ? PAYLOADS[1]! : PAYLOADS[0]!;
      try {
        await client.callTool({ name: 'echo', arguments: payload.args });
        calls++;
      } catch {
        errors++;
        if (errors > 1000) throw new Error('soak: more than 1000 failed calls; stopping');
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  } finally {
    clearInterval(sampler);
  }
  sample();
  const elapsed = (performance.now() - start) / 1000;
  await sleep(3000);
  return {
    minutes,
    concurrency,
    calls,
    errors,
    callsPerSecond: calls / elapsed,
    warmupSeconds,
    engineAtRestBeforeMB,
    engineAtRestAfterMB: (rssBytes(engine) ?? NaN) / MB,
    engine: summarize(samples, (s) => s.engineRss, warmupSeconds),
    relay: summarize(samples, (s) => s.relayRss, warmupSeconds),
    samples,
  };
}

export function soakTargets(result: SoakResult): TargetCheck[] {
  const e = result.engine;
  return [
    {
      name: `engine RSS: no growth over a ${result.minutes}-minute run (last vs first quarter after a ${result.warmupSeconds.toFixed(0)} s warm-up)`,
      measured: `${e.earlyMeanMB.toFixed(1)} → ${e.lateMeanMB.toFixed(1)} MB (peak ${e.peakMB.toFixed(1)}), slope ${e.slopeMBPerMin.toFixed(2)} MB/min, ${result.errors} errors`,
      met: !e.grew && result.errors === 0,
    },
    {
      name: 'engine RSS at rest < 80 MB (before the soak, and 3 s after it)',
      measured: `${result.engineAtRestBeforeMB.toFixed(1)} MB before, ${result.engineAtRestAfterMB.toFixed(1)} MB after`,
      met: result.engineAtRestBeforeMB < 80 && result.engineAtRestAfterMB < 80,
    },
  ];
}

export function renderSoak(result: SoakResult): string {
  const row = (name: string, s: SoakSeriesSummary): string =>
    `| ${name} | ${s.firstMB.toFixed(1)} | ${s.earlyMeanMB.toFixed(1)} | ${s.lateMeanMB.toFixed(1)} | ${s.lastMB.toFixed(1)} | ${s.peakMB.toFixed(1)} | ${s.slopeMBPerMin.toFixed(2)} | ${s.grew ? 'yes' : 'no'} |`;
  const targets = soakTargets(result);
  return [
    `### Memory soak (${result.minutes} min, tunnel-stdio, c=${result.concurrency}, 1 in 8 calls with a 64 KiB result)`,
    '',
    `${result.calls.toLocaleString('en-US')} calls (${Math.round(result.callsPerSecond)}/s), ${result.errors} errors. ` +
      `Engine at rest: ${result.engineAtRestBeforeMB.toFixed(1)} MB before, ${result.engineAtRestAfterMB.toFixed(1)} MB 3 s after.`,
    '',
    '| Process | first MB | early mean MB | late mean MB | last MB | peak MB | slope MB/min | grew |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('engine', result.engine),
    row('relay', result.relay),
    '',
    ...targets.map((t) => `- ${t.met ? 'MET' : 'MISSED'}: ${t.name}: ${t.measured}`),
    '',
  ].join('\n');
}
