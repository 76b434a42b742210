/**
 * Soak: sustained mixed traffic from several MCP SDK clients through an embedded relay and a
 * real engine (in-process, same Node process) to the shipped demo MCP server over stdio, with
 * faults injected at random through the fault proxy (engine ↔ relay) and by killing the stdio
 * child. Prints calls made, outcomes by kind, invariant violations (must be 0), p50/p99 latency
 * and memory over time: heapUsed / external after forced GC (relay and engine run in this
 * process, so this is their heap) and RSS, with a verdict (first vs last, slope over the second
 * half). The rig's memory invariant (back to the warm-up baseline once traffic stops) is one of
 * the violations. The ledger keeps counts and a bounded latency sample, so the soak itself does
 * not grow. Exits 1 on any violation.
 *
 *   npx tsx test/reliability/soak.ts --minutes 10 [--seed 42] [--clients 4]
 *
 * `runSoak()` is also imported by soak-short.test.ts for a short run inside `npm test`.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { percentile, type CallLedger, type Outcome } from './call-ledger.js';
import { DEFAULT_MEMORY_SLACK, forceGc, memorySample } from './memory-checks.js';
import { stdioChannel } from './fault-channels.js';
import { uniquePayload } from './mcp-caller.js';
import { startRig, type Rig } from './reliability-rig.js';
import { pickFault, applyFault, type FaultName } from './soak-faults.js';

export interface SoakOptions {
  durationMs: number;
  seed?: number;
  clients?: number;
  /** Mean gap between injected faults (ms). Default 2500. */
  faultEveryMs?: number;
  /** Gap between memory samples (each forces a full GC). Default duration/40, 1–15 s. */
  memoryEveryMs?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  seed: number;
  durationMs: number;
  calls: number;
  outcomes: Record<string, number>;
  faults: Partial<Record<FaultName, number>>;
  violations: string[];
  p50Ms: number;
  p99Ms: number;
  /** Memory over time, sampled after forced GC (MB). */
  memory: MemoryPoint[];
  verdict: MemoryVerdict;
}

export interface MemoryPoint {
  atS: number;
  heapMb: number;
  externalMb: number;
  rssMb: number;
}

export interface MemoryVerdict {
  firstHeapMb: number;
  lastHeapMb: number;
  /** Least-squares slope of heap-after-GC over the second half of the run (MB/min). */
  secondHalfSlopeMbPerMin: number;
  /** `flat` unless the heap grew more than the rig's slack AND still climbs in the second half. */
  verdict: 'flat' | 'growing';
}

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with --seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEADLINE_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An SDK client's failure as one of the ledger's outcomes. */
function sdkOutcome(error: unknown): Outcome {
  if (error instanceof McpError)
    return { kind: 'rpc_error', code: error.code, message: error.message, status: 0 };
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 504) return { kind: 'timeout', status: 504 };
  if (typeof code === 'number' && code >= 400) {
    const body = message.slice(message.indexOf('{'));
    try {
      const parsed = JSON.parse(body) as { jsonrpc?: string; error?: { code?: unknown; message?: unknown } };
      if (parsed.jsonrpc === '2.0' && typeof parsed.error?.code === 'number')
        return {
          kind: 'rpc_error',
          code: parsed.error.code,
          message: String(parsed.error.message),
          status: code,
        };
    } catch {
      // not a JSON-RPC body
    }
    return { kind: 'refused', status: code, code: undefined };
  }
  return { kind: 'broken', detail: message.slice(0, 200) };
}

async function connect(rig: Rig): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(rig.relay.mcpUrl), {
    requestInit: { headers: { Authorization: `Bearer ${rig.relay.connectorToken}` } },
  });
  const client = new Client(
    { name: 'soak', version: '1.0.0' },
    { capabilities: { roots: { listChanged: true } } },
  );
  await client.connect(transport, { timeout: DEADLINE_MS + 3_000 });
  return { client, transport };
}

async function record(
  ledger: CallLedger,
  label: string,
  expectText: string | undefined,
  run: () => Promise<Outcome>,
) {
  const entry = ledger.start(label, expectText);
  let outcome: Outcome;
  try {
    outcome = await run();
  } catch (error) {
    outcome = sdkOutcome(error);
  }
  ledger.settle(entry, outcome);
}

async function clientLoop(rig: Rig, random: () => number, until: number): Promise<void> {
  const opts = { timeout: DEADLINE_MS + 3_000 };
  let session: Awaited<ReturnType<typeof connect>> | undefined;
  while (performance.now() < until) {
    if (!session) {
      session = await connect(rig).catch(() => undefined);
      if (!session) {
        await sleep(200);
        continue;
      }
    }
    const { client, transport } = session;
    const roll = random();
    if (roll < 0.6) {
      const text = uniquePayload('soak');
      await record(rig.ledger, `echo ${text}`, text, async () => {
        const result = await client.callTool({ name: 'echo', arguments: { text } }, undefined, opts);
        return { kind: 'result', text: (result.content as { text?: string }[])[0]?.text };
      });
    } else if (roll < 0.75) {
      await record(rig.ledger, 'slow_count', 'counted to 3', async () => {
        const result = await client.callTool(
          { name: 'slow_count', arguments: { steps: 3, delayMs: 20 } },
          undefined,
          {
            ...opts,
            onprogress: () => undefined, // makes the SDK send a progressToken
          },
        );
        return { kind: 'result', text: (result.content as { text?: string }[])[0]?.text };
      });
    } else if (roll < 0.9) {
      await record(rig.ledger, 'notification', undefined, async () => {
        await client.notification({ method: 'notifications/roots/list_changed' });
        return { kind: 'ack', status: 202 };
      });
    } else {
      await record(rig.ledger, 'session DELETE', undefined, async () => {
        await transport.terminateSession();
        return { kind: 'ack', status: 200 };
      });
      await client.close().catch(() => undefined);
      session = undefined;
    }
  }
  await session?.client.close().catch(() => undefined);
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const seed = options.seed ?? Date.now() % 1_000_000;
  const random = seededRandom(seed);
  const log = options.log ?? (() => undefined);
  const rig = await startRig({
    responseTimeoutMs: DEADLINE_MS,
    channels: (logger, canary) => [stdioChannel('main', logger, { server: 'demo', canary })],
    random,
  });
  const started = performance.now();
  const until = started + options.durationMs;
  const memory: MemoryPoint[] = [];
  const faults: SoakReport['faults'] = {};
  const toMb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
  const sampleMemory = () => {
    forceGc();
    const m = memorySample();
    memory.push({
      atS: Math.round((performance.now() - started) / 1000),
      heapMb: toMb(m.heapUsed),
      externalMb: toMb(m.external),
      rssMb: toMb(m.rss),
    });
  };
  const memoryEveryMs = options.memoryEveryMs ?? Math.min(15_000, Math.max(1_000, options.durationMs / 40));
  let lastLog = 0;
  try {
    await rig.recovered({ boundMs: 20_000 });
    sampleMemory();
    const sampler = setInterval(() => {
      sampleMemory();
      const last = memory[memory.length - 1]!;
      if (last.atS - lastLog >= 30) {
        lastLog = last.atS;
        log(
          `t=${last.atS}s calls=${rig.ledger.calls} heap=${last.heapMb}MB external=${last.externalMb}MB ` +
            `rss=${last.rssMb}MB engine-sessions=${rig.channels[0]?.snapshot().sessions ?? 0} ` +
            JSON.stringify(rig.ledger.counts()),
        );
      }
    }, memoryEveryMs);
    const faultLoop = (async () => {
      const every = options.faultEveryMs ?? 2_500;
      while (performance.now() < until - 2_000) {
        await sleep(every * (0.5 + random()));
        if (performance.now() >= until - 2_000) break;
        const fault = pickFault(random);
        faults[fault] = (faults[fault] ?? 0) + 1;
        await applyFault(rig, fault, 300 + Math.floor(random() * 1_200), random);
      }
    })();
    const clients = Array.from({ length: options.clients ?? 4 }, () =>
      clientLoop(rig, seededRandom(Math.floor(random() * 2 ** 32)), until),
    );
    await Promise.all([faultLoop, ...clients]);
    clearInterval(sampler);
    rig.proxy?.heal();
    await rig.recovered({ boundMs: 20_000 });
    sampleMemory();
  } finally {
    rig.proxy?.heal();
  }
  const violations = await rig.finish();
  const latencies = rig.ledger.resultLatencies();
  return {
    seed,
    durationMs: Math.round(performance.now() - started),
    calls: rig.ledger.calls,
    outcomes: rig.ledger.counts(),
    faults,
    violations,
    p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
    p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
    memory,
    verdict: memoryVerdict(memory),
  };
}

/** First vs last heap-after-GC and the least-squares slope over the second half of the run. */
export function memoryVerdict(points: readonly MemoryPoint[]): MemoryVerdict {
  const first = points[0]?.heapMb ?? 0;
  const last = points[points.length - 1]?.heapMb ?? 0;
  const half = points.slice(Math.floor(points.length / 2));
  let slope = 0;
  if (half.length >= 2) {
    const n = half.length;
    const mx = half.reduce((a, p) => a + p.atS / 60, 0) / n;
    const my = half.reduce((a, p) => a + p.heapMb, 0) / n;
    const sxy = half.reduce((a, p) => a + (p.atS / 60 - mx) * (p.heapMb - my), 0);
    const sxx = half.reduce((a, p) => a + (p.atS / 60 - mx) ** 2, 0);
    slope = sxx > 0 ? sxy / sxx : 0;
  }
  const slackMb = DEFAULT_MEMORY_SLACK.heapUsedBytes / 1048576;
  const growing = last - first > slackMb && slope > 0.5;
  return {
    firstHeapMb: first,
    lastHeapMb: last,
    secondHalfSlopeMbPerMin: Math.round(slope * 100) / 100,
    verdict: growing ? 'growing' : 'flat',
  };
}

export function formatReport(r: SoakReport): string {
  const step = Math.max(1, Math.ceil(r.memory.length / 12));
  const points = r.memory.filter((_, i) => i % step === 0 || i === r.memory.length - 1);
  const v = r.verdict;
  return [
    `soak: ${(r.durationMs / 60_000).toFixed(1)} min, seed ${r.seed}`,
    `calls made: ${r.calls}`,
    `outcomes: ${JSON.stringify(r.outcomes)}`,
    `faults injected: ${JSON.stringify(r.faults)}`,
    `latency of answered calls: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
    `heap after GC over time: ${points.map((p) => `${p.atS}s:${p.heapMb}MB`).join(' ')}`,
    `external after GC over time: ${points.map((p) => `${p.atS}s:${p.externalMb}MB`).join(' ')}`,
    `process RSS over time: ${points.map((p) => `${p.atS}s:${p.rssMb}MB`).join(' ')}`,
    `memory verdict: ${v.verdict} (heap after GC ${v.firstHeapMb} → ${v.lastHeapMb} MB, ` +
      `second-half slope ${v.secondHalfSlopeMbPerMin} MB/min)`,
    `invariant violations: ${r.violations.length}`,
    ...r.violations.slice(0, 50).map((v) => `  - ${v}`),
  ].join('\n');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function isMain(): boolean {
  const entry = process.argv[1];
  try {
    return entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const minutes = Number(arg('minutes') ?? '1');
  const seed = arg('seed');
  const clients = arg('clients');
  runSoak({
    durationMs: minutes * 60_000,
    ...(seed ? { seed: Number(seed) } : {}),
    ...(clients ? { clients: Number(clients) } : {}),
    log: (line) => console.log(line),
  }).then(
    (report) => {
      console.log(formatReport(report));
      process.exit(report.violations.length === 0 ? 0 : 1);
    },
    (error: unknown) => {
      console.error('soak failed to run:', error);
      process.exit(1);
    },
  );
}
