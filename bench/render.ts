/**
 * The Markdown report of a run (also printed to the terminal): one table per payload with
 * latency, throughput and ratios; one table of memory and CPU per process; the targets.
 */
import type { Payload } from './load.js';
import { bestPeer, cellOf, type BenchRun, type ScenarioResult } from './results.js';

const MB = 1024 * 1024;

function num(n: number | undefined, digits = 2): string {
  return n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits);
}

function rate(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? 'n/a' : Math.round(n).toLocaleString('en-US');
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0
    ? 'n/a'
    : `${(a / b).toFixed(2)}×`;
}

function mean(list: number[]): number {
  return list.length === 0 ? NaN : list.reduce((a, b) => a + b, 0) / list.length;
}

function table(header: string[], rows: string[][]): string {
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map((h, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
  ];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

function payloadTable(run: BenchRun, payload: Payload['id']): string {
  const { scenarios } = run;
  const cs = run.profile.concurrencies;
  const top = cs[cs.length - 1]!;
  const floor = scenarios.find((s) => s.id === 'direct-stdio');
  const header = [
    'Scenario',
    'other CPU',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    ...cs.map((c) => `c=${c} calls/s`),
    `server CPU µs/call (c=1 / c=${top})`,
    'p50 vs stdio',
    'p50 vs best bridge',
    `c=${top} vs stdio`,
    `c=${top} vs best bridge`,
  ];
  const rows = scenarios.map((s) => {
    if (s.error) return [s.id, ...header.slice(1).map(() => 'failed')];
    const c1 = cellOf(s, payload, 1);
    const cTop = cellOf(s, payload, top);
    const peerLat = bestPeer(scenarios, payload, 1, 'p50');
    const peerThr = bestPeer(scenarios, payload, top, 'callsPerSecond');
    const errs = s.cells.filter((c) => c.payload === payload).reduce((n, c) => n + c.errors, 0);
    return [
      errs > 0 ? `${s.id} (${errs} errors)` : s.id,
      `${num(mean(s.cells.filter((c) => c.payload === payload).map((c) => c.otherCpuPct)), 0)}%`,
      num(c1?.p50),
      num(c1?.p95),
      num(c1?.p99),
      ...cs.map((c) => rate(cellOf(s, payload, c)?.callsPerSecond)),
      `${num(c1?.serverCpuUsPerCall, 0)} / ${num(cTop?.serverCpuUsPerCall, 0)}`,
      ratio(c1?.p50, cellOf(floor, payload, 1)?.p50),
      ratio(c1?.p50, peerLat?.cell.p50),
      ratio(cTop?.callsPerSecond, cellOf(floor, payload, top)?.callsPerSecond),
      ratio(cTop?.callsPerSecond, peerThr?.cell.callsPerSecond),
    ];
  });
  return table(header, rows);
}

function memoryTable(run: BenchRun): string {
  const cs = run.profile.concurrencies;
  const top = cs[cs.length - 1]!;
  const header = [
    'Scenario',
    'Process',
    'RSS at rest MB',
    'RSS peak under load MB',
    'RSS after load MB',
    'CPU µs/call c=1 (small)',
    `CPU µs/call c=${top} (small)`,
    `CPU µs/call c=${top} (64 KiB)`,
  ];
  const rows: string[][] = [];
  for (const s of run.scenarios) {
    if (s.error) continue;
    for (const role of Object.keys(s.memory.rest)) {
      rows.push([
        s.id,
        role,
        num((s.memory.rest[role] ?? NaN) / MB, 1),
        num((s.memory.peak[role] ?? NaN) / MB, 1),
        num((s.memory.afterLoad[role] ?? NaN) / MB, 1),
        num(cellOf(s, 'small', 1)?.roles[role]?.cpuUsPerCall, 0),
        num(cellOf(s, 'small', top)?.roles[role]?.cpuUsPerCall, 0),
        num(cellOf(s, '64KiB', top)?.roles[role]?.cpuUsPerCall, 0),
      ]);
    }
  }
  return table(header, rows);
}

function failures(scenarios: readonly ScenarioResult[]): string {
  const failed = scenarios.filter((s) => s.error);
  const errored = scenarios.flatMap((s) =>
    s.cells
      .filter((c) => c.errors > 0)
      .map((c) => `${s.id} ${c.payload} c=${c.concurrency}: ${c.errors} errors, first: ${c.firstError}`),
  );
  if (failed.length === 0 && errored.length === 0) return '';
  return [
    '',
    '### Failures',
    '',
    ...failed.map((s) => `- ${s.id}: ${s.error}`),
    ...errored.map((e) => `- ${e}`),
  ].join('\n');
}

export function renderMarkdown(run: BenchRun): string {
  const m = run.machine;
  const v = run.versions;
  const settings = run.tunnelSettings;
  return [
    `## Benchmark results (${run.profile.mode} run, ${run.generatedAt})`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.os}; Node ${m.node}. ` +
      `Packages: ${Object.entries(v)
        .map(([k, ver]) => `${k} ${ver}`)
        .join(', ')}.`,
    `Windows: ${run.profile.warmupMs} ms warm-up + ${run.profile.measureMs} ms measured per cell. ` +
      `Tunnel settings: CONTROL_PLANE_MAX_INFLIGHT_REQUESTS=${settings.maxInflight}, ` +
      `MCP_MAX_CONCURRENT_REQUESTS=${settings.maxConcurrent} (1 for tunnel-stdio-serial), LOG_LEVEL=${settings.logLevel}.`,
    '',
    '### Small payload (echo of a 13-byte text)',
    '',
    payloadTable(run, 'small'),
    '',
    '### 64 KiB result',
    '',
    payloadTable(run, '64KiB'),
    '',
    '### A tool that takes 10 ms (echo of a 13-byte text after a 10 ms wait)',
    '',
    payloadTable(run, 'tool10ms'),
    '',
    '### Memory and CPU per server-side process',
    '',
    memoryTable(run),
    '',
    '### Targets (issue 6)',
    '',
    ...run.targets.map(
      (t) => `- ${t.met === null ? '—' : t.met ? 'MET' : 'MISSED'}: ${t.name}: ${t.measured}`,
    ),
    failures(run.scenarios),
    '',
    '### Method',
    '',
    ...run.method.map((line) => `- ${line}`),
    '',
  ].join('\n');
}
