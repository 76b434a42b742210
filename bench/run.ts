/**
 * `npm run bench`: MCP Tunnel's cost against direct connections and peer bridges, measured
 * side by side in one run. The README's Benchmarks section says what is measured and how to read it.
 *
 *   tsx bench/run.ts [--quick] [--scenarios id,id] [--cpu-prof] [--out DIR]
 *                    [--max-inflight N] [--max-concurrent N]
 *   tsx bench/run.ts --soak-minutes N        memory soak of the tunnel (stdio upstream) only
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildTunnel, machineInfo, packageVersions } from './environment.js';
import { PAYLOADS, runCell, rssByRole, type CellResult } from './load.js';
import { checkTargets, type BenchRun, type RunProfile, type ScenarioResult } from './results.js';
import { renderMarkdown } from './render.js';
import { SCENARIOS, type ScenarioContext, type ScenarioDef } from './scenarios.js';
import { renderSoak, runSoak, soakTargets } from './soak.js';

const USAGE = `Usage: tsx bench/run.ts [--quick] [--scenarios ${SCENARIOS.map((s) => s.id).join(',')}]
                        [--cpu-prof] [--out DIR] [--max-inflight N] [--max-concurrent N]
       tsx bench/run.ts --soak-minutes N
`;

// Print each kind of process warning once (the SDK client's fetch adds abort listeners faster
// than GC removes them under load, and Node would print thousands of identical lines).
process.removeAllListeners('warning');
const warned = new Set<string>();
process.on('warning', (warning) => {
  const key = `${warning.name}: ${warning.message.replace(/\d+/g, 'N')}`;
  if (warned.has(key)) return;
  warned.add(key);
  process.stderr.write(`(warning, shown once) ${warning.name}: ${warning.message}\n`);
});

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    options: {
      quick: { type: 'boolean' },
      scenarios: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      out: { type: 'string' },
      'max-inflight': { type: 'string' },
      'max-concurrent': { type: 'string' },
      'soak-minutes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

function positive(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!(n > 0)) throw new Error(`${flag} must be a positive number, not '${text}'.`);
  return n;
}

const METHOD = [
  'Every scenario: one MCP SDK client (@modelcontextprotocol/sdk Client, one session) in the benchmark process calls the `echo` tool of an SDK McpServer; servers and bridges run in their own processes on 127.0.0.1 (supergateway has no host flag and listens on all interfaces; the client still uses 127.0.0.1).',
  'Concurrency c = calls in flight from that one client: c workers call back to back (closed loop) on the same session. HTTP transports use Node fetch (undici) with keep-alive.',
  'Each cell: a warm-up window at the same concurrency (discarded), then a measured window. Latency percentiles are from the c=1 window; calls/s = calls completed / window length.',
  'Small payload: `echo {text: "hello, tunnel"}`. 64 KiB: `echo {size: 65536}` returns 65,536 bytes of text. 10 ms tool: `echo {text: "hello, tunnel", delayMs: 10}` answers after a 10 ms timer, as a tool that calls an API does. Every result is checked.',
  'Server CPU µs/call: utime+stime from /proc/<pid>/stat of every server-side process (bridge or relay + engine + the echo server) over the measured window, divided by calls. The client process is not counted.',
  'RSS from /proc/<pid>/status VmRSS: at rest = after start and connect, before any call; peak = highest 100 ms sample in any window; after load = 2 s (quick: 0.5 s) after the last window.',
  'Tunnel: `mcp-tunnel relay serve` (file state, default settings) and `mcp-tunnel run` (reference-client environment variables) as two processes, compiled JS under plain node; the MCP client talks to the relay front door with the connector token.',
  '"other CPU" = machine busy time (/proc/stat) minus the benchmark client and the measured processes, as % of all CPUs, averaged over a scenario\'s windows: anything else running skews every number, so compare scenarios within one run and look at this column.',
  'tunnel-stdio-serial = tunnel-stdio with MCP_MAX_CONCURRENT_REQUESTS=1: the stdio server gets one request at a time, as in the reference tunnel client.',
];

async function runScenario(
  def: ScenarioDef,
  ctx: ScenarioContext,
  profile: RunProfile,
): Promise<ScenarioResult> {
  const base = { id: def.id, title: def.title, kind: def.kind };
  const started = performance.now();
  let running;
  try {
    running = await def.start(ctx);
  } catch (error) {
    log(`  ${def.id} could not start: ${(error as Error).message}`);
    return {
      ...base,
      settings: {},
      memory: { rest: {}, peak: {}, afterLoad: {} },
      cells: [],
      error: (error as Error).message,
    };
  }
  const cells: CellResult[] = [];
  const startedIn = performance.now() - started;
  try {
    await sleep(profile.settleMs);
    const rest = rssByRole(running.roles);
    // One-off warm-up of the whole path (JIT, connection pools, the server's first calls).
    for (const payload of PAYLOADS)
      await runCell({
        client: running.client,
        roles: running.roles,
        payload,
        concurrency: 1,
        warmupMs: 0,
        measureMs: profile.warmupMs,
      });
    for (const payload of PAYLOADS) {
      for (const concurrency of profile.concurrencies) {
        const cell = await runCell({
          client: running.client,
          roles: running.roles,
          payload,
          concurrency,
          warmupMs: profile.warmupMs,
          measureMs: profile.measureMs,
        });
        cells.push(cell);
        log(
          `  ${def.id.padEnd(20)} ${payload.id.padEnd(5)} c=${String(concurrency).padEnd(3)} ` +
            `${Math.round(cell.callsPerSecond).toString().padStart(6)} calls/s  p50 ${cell.p50.toFixed(2)} ms  ` +
            `p99 ${cell.p99.toFixed(2)} ms  server CPU ${cell.serverCpuUsPerCall.toFixed(0)} µs/call  other CPU ${cell.otherCpuPct.toFixed(0)}%` +
            (cell.errors > 0 ? `  ${cell.errors} ERRORS (${cell.firstError})` : ''),
        );
      }
    }
    await sleep(profile.afterLoadSettleMs);
    const afterLoad = rssByRole(running.roles);
    const peak: Record<string, number> = {};
    for (const role of Object.keys(rest))
      peak[role] = Math.max(rest[role] ?? 0, ...cells.map((c) => c.roles[role]?.peakRssBytes ?? 0));
    return { ...base, settings: running.settings, memory: { rest, peak, afterLoad }, cells };
  } catch (error) {
    log(`  ${def.id} failed: ${(error as Error).message}`);
    return {
      ...base,
      settings: running.settings,
      memory: { rest: {}, peak: {}, afterLoad: {} },
      cells,
      error: (error as Error).message,
    };
  } finally {
    const stopping = performance.now();
    await running.stop();
    const secs = (ms: number): string => (ms / 1000).toFixed(1);
    log(
      `  ${def.id} took ${secs(performance.now() - started)} s (start ${secs(startedIn)} s, stop ${secs(performance.now() - stopping)} s)`,
    );
  }
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

async function main(): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse();
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const outDir = resolve(values.out ?? join(repoRoot, 'bench-results'));
  const buildDir = join(repoRoot, 'bench-results/build');
  const tmpDir = join(outDir, 'tmp', stamp());
  mkdirSync(tmpDir, { recursive: true });
  const ctx: ScenarioContext = {
    repoRoot,
    buildDir,
    tmpDir,
    tunnel: {
      maxInflight: positive(values['max-inflight'], '--max-inflight', 64),
      maxConcurrent: positive(values['max-concurrent'], '--max-concurrent', 64),
      logLevel: 'warn',
    },
    ...(values['cpu-prof'] ? { cpuProfDir: join(outDir, 'profiles', stamp()) } : {}),
  };
  buildTunnel(repoRoot, buildDir, log);
  const machine = machineInfo();
  const versions = packageVersions(repoRoot);

  try {
    if (values['soak-minutes'] !== undefined) {
      const minutes = positive(values['soak-minutes'], '--soak-minutes', 10);
      const def = SCENARIOS.find((s) => s.id === 'tunnel-stdio')!;
      log(`memory soak: ${def.id} for ${minutes} min`);
      const running = await def.start(ctx);
      try {
        const result = await runSoak(running, minutes, log);
        const md = `${renderSoak(result)}\nMachine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; mcp-tunnel ${versions['mcp-tunnel']}.\n`;
        const name = `soak-${stamp()}`;
        writeFileSync(
          join(outDir, `${name}.json`),
          `${JSON.stringify({ machine, versions, settings: ctx.tunnel, ...result }, null, 2)}\n`,
        );
        writeFileSync(join(outDir, `${name}.md`), md);
        process.stdout.write(`\n${md}\nWritten: ${join(outDir, name)}.{json,md}\n`);
        return soakTargets(result).every((t) => t.met) ? 0 : 1;
      } finally {
        await running.stop();
      }
    }

    const wanted = values.scenarios?.split(',').map((s) => s.trim());
    const unknown = wanted?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? [];
    if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}.\n${USAGE}`);
    const defs = wanted ? SCENARIOS.filter((s) => wanted.includes(s.id)) : SCENARIOS;
    const profile: RunProfile = values.quick
      ? {
          mode: 'quick',
          warmupMs: 100,
          measureMs: 300,
          settleMs: 200,
          afterLoadSettleMs: 500,
          concurrencies: [1, 16, 64],
        }
      : {
          mode: 'full',
          warmupMs: 1000,
          measureMs: 3000,
          settleMs: 500,
          afterLoadSettleMs: 2000,
          concurrencies: [1, 16, 64],
        };
    log(`benchmark (${profile.mode}): ${defs.map((d) => d.id).join(', ')}`);
    const scenarios: ScenarioResult[] = [];
    for (const def of defs) {
      log(`${def.id}: ${def.title}`);
      scenarios.push(await runScenario(def, ctx, profile));
    }
    const run: BenchRun = {
      generatedAt: new Date().toISOString(),
      profile,
      machine,
      versions,
      tunnelSettings: ctx.tunnel,
      method: METHOD,
      scenarios,
      targets: checkTargets(scenarios),
    };
    const md = renderMarkdown(run);
    const name = `bench-${profile.mode}-${stamp()}`;
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(run, null, 2)}\n`);
    writeFileSync(join(outDir, `${name}.md`), md);
    if (!wanted && !ctx.cpuProfDir) {
      writeFileSync(join(outDir, `latest-${profile.mode}.json`), `${JSON.stringify(run, null, 2)}\n`);
      writeFileSync(join(outDir, `latest-${profile.mode}.md`), md);
    }
    process.stdout.write(`\n${md}\nWritten: ${join(outDir, name)}.{json,md}\n`);
    return scenarios.some((s) => s.error) ? 1 : 0;
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
