/**
 * Closed-loop load on one MCP SDK client (one session): `concurrency` workers each call
 * `echo` back to back until the window ends, so at most `concurrency` calls are in flight.
 * While a window runs, server-side RSS is sampled every 100 ms and CPU time is read from /proc
 * at both ends.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { cpus } from 'node:os';
import { machineBusyMs, totalCpuMs, totalRssBytes } from './proc-stats.js';
import type { Role } from './scenarios.js';

export interface Payload {
  id: 'small' | '64KiB' | 'tool10ms';
  args: { text?: string; size?: number; delayMs?: number };
  /** Length of the text the result must carry. */
  expectLength: number;
}

export const PAYLOADS: readonly Payload[] = [
  { id: 'small', args: { text: 'hello, tunnel' }, expectLength: 'hello, tunnel'.length },
  { id: '64KiB', args: { size: 65_536 }, expectLength: 65_536 },
  // A tool that takes 10 ms, as tools that call an API or a database do: what concurrency buys.
  { id: 'tool10ms', args: { text: 'hello, tunnel', delayMs: 10 }, expectLength: 'hello, tunnel'.length },
];

export interface RoleUsage {
  /** Server-side CPU time per call, microseconds. */
  cpuUsPerCall: number;
  /** Highest RSS sampled in the window, bytes. */
  peakRssBytes: number;
}

export interface CellResult {
  payload: Payload['id'];
  concurrency: number;
  calls: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  callsPerSecond: number;
  /** Latency percentiles of this window, milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** Server-side CPU per call over all roles, microseconds. */
  serverCpuUsPerCall: number;
  /** The client's (this process's) CPU per call, microseconds. */
  clientCpuUsPerCall: number;
  roles: Record<string, RoleUsage>;
  /** CPU used by everything else on the machine during the window, % of all CPUs. */
  otherCpuPct: number;
}

export interface CellOptions {
  client: Client;
  roles: readonly Role[];
  payload: Payload;
  concurrency: number;
  warmupMs: number;
  measureMs: number;
}

async function callOnce(client: Client, payload: Payload): Promise<void> {
  const result = await client.callTool({ name: 'echo', arguments: payload.args });
  const first = (result.content as { type: string; text?: string }[] | undefined)?.[0];
  if (result.isError || first?.type !== 'text' || first.text?.length !== payload.expectLength)
    throw new Error(`unexpected echo result: ${JSON.stringify(result).slice(0, 200)}`);
}

interface LoopResult {
  latencies: number[];
  errors: number;
  firstError?: string;
}

async function loop(
  client: Client,
  payload: Payload,
  concurrency: number,
  durationMs: number,
): Promise<LoopResult> {
  const end = performance.now() + durationMs;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await callOnce(client, payload);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
        if (errors > 1000) return;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, errors, ...(firstError ? { firstError } : {}) };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Warm up, then measure one (payload, concurrency) window. */
export async function runCell(options: CellOptions): Promise<CellResult> {
  const { client, roles, payload, concurrency } = options;
  if (options.warmupMs > 0) await loop(client, payload, concurrency, options.warmupMs);

  const rolePids = roles.map((r) => ({ name: r.name, pids: r.pids() }));
  const allPids = rolePids.flatMap((r) => r.pids);
  const peaks = new Map(rolePids.map((r) => [r.name, totalRssBytes(r.pids)]));
  const sampler = setInterval(() => {
    for (const r of rolePids) peaks.set(r.name, Math.max(peaks.get(r.name) ?? 0, totalRssBytes(r.pids)));
  }, 100);
  const cpuBefore = new Map(rolePids.map((r) => [r.name, totalCpuMs(r.pids)]));
  const serverBefore = totalCpuMs(allPids);
  const clientBefore = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const t0 = performance.now();
  const result = await loop(client, payload, concurrency, options.measureMs);
  const elapsedMs = performance.now() - t0;
  const clientCpu = process.cpuUsage(clientBefore);
  const serverCpuMs = totalCpuMs(allPids) - serverBefore;
  const machineMs = machineBusyMs() - machineBefore;
  const clientMs = (clientCpu.user + clientCpu.system) / 1000;
  const otherCpuPct = Math.max(0, ((machineMs - serverCpuMs - clientMs) / (elapsedMs * cpus().length)) * 100);
  clearInterval(sampler);

  const calls = result.latencies.length;
  const sorted = [...result.latencies].sort((a, b) => a - b);
  const perCall = (ms: number): number => (calls > 0 ? (ms * 1000) / calls : NaN);
  const roleUsage: Record<string, RoleUsage> = {};
  for (const r of rolePids) {
    roleUsage[r.name] = {
      cpuUsPerCall: perCall(totalCpuMs(r.pids) - cpuBefore.get(r.name)!),
      peakRssBytes: Math.max(peaks.get(r.name) ?? 0, totalRssBytes(r.pids)),
    };
  }
  return {
    payload: payload.id,
    concurrency,
    calls,
    errors: result.errors,
    ...(result.firstError ? { firstError: result.firstError } : {}),
    elapsedMs,
    callsPerSecond: (calls * 1000) / elapsedMs,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: calls > 0 ? sorted.reduce((a, b) => a + b, 0) / calls : NaN,
    serverCpuUsPerCall: perCall(serverCpuMs),
    clientCpuUsPerCall: perCall(clientMs),
    roles: roleUsage,
    otherCpuPct,
  };
}

/** RSS of every role right now, bytes. */
export function rssByRole(roles: readonly Role[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const role of roles) out[role.name] = totalRssBytes(role.pids());
  return out;
}
