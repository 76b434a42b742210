/** Shared builders for the engine metrics tests: statuses, command records, an exposition parser. */
import type { ChannelSnapshot } from '../../../../main/core/engine/channels/channel.js';
import type { CommandRecord } from '../../../../main/core/engine/dispatcher/types.js';
import type { TunnelStateKind } from '../../../../main/core/engine/tunnel-state.js';
import type { TunnelStatus } from '../../../../main/core/engine/tunnel-status.js';
import type { MetricsSource } from '../../../../main/core/observability/metrics.js';

export function channel(name: string, over: Partial<ChannelSnapshot> = {}): ChannelSnapshot {
  return {
    name,
    transport: 'stdio',
    state: 'ready',
    target: `node ${name}.js`,
    restarts: 0,
    inFlight: 0,
    sessions: 0,
    ...over,
  };
}

export function status(
  id: string,
  over: Partial<TunnelStatus> & { kind?: TunnelStateKind } = {},
): TunnelStatus {
  const { kind = 'ready', ...rest } = over;
  return {
    id,
    state: { kind, since: 0, reason: 'test', nextStep: 'none' } as TunnelStatus['state'],
    consecutivePollFailures: 0,
    commandsTotal: 0,
    inflight: 0,
    queued: 0,
    running: 0,
    maxInflight: 20,
    maxConcurrent: 10,
    errorsByKind: {},
    channels: [channel('main')],
    ...rest,
  };
}

export function record(over: Partial<CommandRecord> = {}): CommandRecord {
  return {
    requestId: 'req-1',
    channel: 'main',
    commandType: 'jsonrpc',
    method: 'tools/call',
    startedAt: 1_700_000_000_000,
    queueMs: 1,
    mcpMs: 2,
    postMs: 1,
    status: 200,
    outcome: 'ok',
    notifyPostFailed: false,
    requestBytes: 10,
    responseBytes: 20,
    headers: {},
    ...over,
  };
}

/** A source whose tunnels the test replaces at will. */
export class FakeSource implements MetricsSource {
  entries: Array<{ id: string; status: TunnelStatus; instance?: unknown }> = [];
  reads = 0;

  tunnels(): Array<{ id: string; status: TunnelStatus; instance?: unknown }> {
    this.reads++;
    return this.entries;
  }
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parse the text exposition: samples plus `# TYPE` lines. Label values here never contain `,` or `"`. */
export function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      labels[pair.slice(0, eq)] = JSON.parse(pair.slice(eq + 1)) as string;
    }
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

/** The value of the one sample named `name` whose labels include `labels`. */
export function valueOf(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
