/**
 * Top self-time hot spots of V8 .cpuprofile files (from `--cpu-prof`, e.g. `bench/run.ts
 * --cpu-prof`), grouped by function and source location, and by package or project file.
 *
 *   tsx bench/profile-summary.ts FILE.cpuprofile [--top N]
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const maps = new Map<string, SourceMap | null>();

/** `main/…/file.ts:LINE` for compiled project code with a source map, else undefined. */
function originalLocation(url: string, line: number, column: number): string | undefined {
  if (!url.startsWith('file://') || url.includes('/node_modules/')) return undefined;
  const file = fileURLToPath(url);
  let map = maps.get(file);
  if (map === undefined) {
    map = existsSync(`${file}.map`)
      ? new SourceMap(
          JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0],
        )
      : null;
    maps.set(file, map);
  }
  if (!map) return undefined;
  const entry = map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
  if (!entry.originalSource) return undefined;
  const source = entry.originalSource.startsWith('file://')
    ? fileURLToPath(entry.originalSource)
    : resolve(dirname(file), entry.originalSource);
  return `${relative(repoRoot, source)}:${(entry.originalLine ?? 0) + 1}`;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + 14);
  const build = url.indexOf('/bench-results/build/');
  if (build >= 0) return url.slice(build + 21);
  return url.replace(/^file:\/\//, '').replace(/^node:/, 'node:') || '(native)';
}

function group(url: string): string {
  const short = shortUrl(url);
  if (url.includes('/node_modules/')) {
    const parts = short.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (short.startsWith('node:')) return 'node internals';
  if (short === '(native)') return '(native code: syscalls, string encoding, …)';
  return short;
}

export function summarize(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++)
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map<string, number>();
  const byGroup = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const where =
      originalLocation(frame.url, frame.lineNumber, frame.columnNumber) ??
      `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}  ${where}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    const g =
      frame.functionName.startsWith('(') && frame.url === '' && frame.functionName !== '(anonymous)'
        ? frame.functionName
        : group(frame.url);
    byGroup.set(g, (byGroup.get(g) ?? 0) + us);
  }
  const busy = total - idle;
  // Inclusive time of project functions (self + everything they called), counted once per sample stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      const where = originalLocation(frame.url, frame.lineNumber, frame.columnNumber);
      if (!where || frame.functionName === '(idle)') continue;
      const key = `${frame.functionName || '(anonymous)'}  ${where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const pct = (us: number): string => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `profile: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(2)} s (idle ${(idle / 1e6).toFixed(2)} s); shares of busy time`,
    '',
    'by package / file:',
    ...[...byGroup.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)}  ${k}`),
    '',
    'by function (self time):',
    ...[...byFn.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)}  ${k}`),
    '',
    'project functions, inclusive time (self + callees):',
    ...[...inclusive.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)}  ${k}`),
  ];
  return lines.join('\n');
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`== ${file}\n${summarize(profile, Number(values.top ?? 25))}\n\n`);
}
