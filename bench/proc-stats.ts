/**
 * Linux /proc readings for the processes under test: resident memory (VmRSS) and CPU time
 * (utime + stime), plus a process tree walk so a bridge's or engine's children count too.
 * Every reader returns undefined for a process that has gone.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux in practice). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Resident set size in bytes, from /proc/<pid>/status VmRSS. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface StatFields {
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

function readStat(pid: number): StatFields | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); ppid is field 4, utime 14, stime 15.
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) of one process in milliseconds. */
export function cpuMs(pid: number): number | undefined {
  const stat = readStat(pid);
  return stat ? (stat.cpuTicks * 1000) / ticksPerSecond() : undefined;
}

/** All live descendants of `pid` (children, grandchildren, …), not `pid` itself. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid);
    if (list) list.push(Number(entry));
    else children.set(stat.ppid, [Number(entry)]);
  }
  const out: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    out.push(next);
    stack.push(...(children.get(next) ?? []));
  }
  return out;
}

/** Summed CPU milliseconds of a set of processes (gone ones count 0). */
export function totalCpuMs(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += cpuMs(pid) ?? 0;
  return total;
}

/** Summed RSS of a set of processes (gone ones count 0). */
export function totalRssBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += rssBytes(pid) ?? 0;
  return total;
}

/** Busy CPU time of the whole machine (all CPUs, /proc/stat: everything but idle and iowait), ms. */
export function machineBusyMs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return (
      (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) /
      ticksPerSecond()
    );
  } catch {
    return NaN;
  }
}
