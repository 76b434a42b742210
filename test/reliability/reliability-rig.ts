/**
 * One reliability scenario's world: an embedded relay, a fault proxy between the engine and the
 * relay, a REAL engine (control-plane client, dispatcher, poll loop, the channels the scenario
 * gives it), a raw MCP caller of the relay's front door, a LogHub that collects every entry,
 * and the shared invariant checks run by `finish()`:
 *
 *   - calls: the CallLedger's rules (one outcome each, echoes match, timeouts only past deadline);
 *   - the engine never entered `error` and recovered (ready + a fresh call answered, bounded);
 *   - open sockets / child processes back to the baseline taken before the rig started;
 *   - memory back to baseline: heapUsed and external (after forced GC) measured idle, with relay
 *     and engine still up, against the baseline taken after warm-up (the first successful
 *     `recovered()`, or `markMemoryBaseline()`), and again after stop against the memory before
 *     the rig started; each within `memorySlack` (see memory-checks.ts for the numbers);
 *   - every stdio PID seen in a channel snapshot is dead after stop (no orphans);
 *   - no secret (runtime key, connector token, planted canaries) in any log entry.
 *
 *   const rig = await startRig({ channels: (log) => [stdioChannel('main', log)] });
 *   ... faults through rig.proxy, calls through rig.caller ...
 *   expect(await rig.finish()).toEqual([]);
 */
import { randomBytes } from 'node:crypto';
import type { Channel } from '../../main/core/engine/channels/channel.js';
import { createControlPlaneClient } from '../../main/core/engine/control-plane/http-client.js';
import { buildServerInfo } from '../../main/core/engine/protocol/server-info.js';
import { createTunnel, type Tunnel, type TunnelStatus } from '../../main/core/engine/tunnel.js';
import { LogHub, type LogEntry, type Logger } from '../../main/core/observability/logger.js';
import { startEmbeddedRelay, type EmbeddedRelay } from '../../main/core/relay/embedded.js';
import type { RelayOptions } from '../../main/core/relay/relay-server.js';
import { CallLedger, type OutcomeKind } from './call-ledger.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { McpCaller } from './mcp-caller.js';
import {
  DEFAULT_MEMORY_SLACK,
  describeDelta,
  memoryAboveBaseline,
  settledMemory,
  type MemorySample,
  type MemorySlack,
} from './memory-checks.js';
import { handleBaseline, handlesBackToBaseline, orphanPids } from './process-checks.js';

export interface RigOptions {
  channels: (logger: Logger, canary: string) => Channel[];
  /** Relay deadline for every call (ms). Default 3000. */
  responseTimeoutMs?: number;
  relay?: Partial<RelayOptions>;
  /** Put the fault proxy between engine and relay. Default true. */
  proxy?: boolean;
  maxConcurrent?: number;
  maxInflight?: number;
  /** Engine poll timeout (ms). Default 1000. */
  pollTimeoutMs?: number;
  alsoAllowed?: readonly OutcomeKind[];
  /** Extra secrets that must never be logged. */
  secrets?: readonly string[];
  /** Jitter for the engine's poll backoff. Default () => 0.2. */
  random?: () => number;
  /** Allowed memory growth over the baselines. Default DEFAULT_MEMORY_SLACK. */
  memorySlack?: MemorySlack;
}

export interface RigMemory {
  /** Before the rig started anything. */
  before: MemorySample;
  /** After warm-up (first successful `recovered()` or `markMemoryBaseline()`). */
  warm: MemorySample | undefined;
  /** In `finish()`, traffic stopped, relay and engine still up. */
  idle: MemorySample | undefined;
  /** In `finish()`, after everything stopped. */
  stopped: MemorySample | undefined;
}

export interface Rig {
  readonly relay: EmbeddedRelay;
  /** Between engine and relay (absent with `proxy: false`). */
  readonly proxy: FaultProxy | undefined;
  readonly tunnel: Tunnel;
  readonly channels: Channel[];
  readonly hub: LogHub;
  readonly ledger: CallLedger;
  readonly caller: McpCaller;
  /** Planted in the caller's headers; channels may plant it too (env, extra headers). */
  readonly canary: string;
  readonly statuses: TunnelStatus[];
  /** Every stdio PID seen in a channel snapshot. */
  readonly pids: Set<number>;
  readonly deadlineMs: number;
  /** Ready again and a fresh echo (in `sessionId`, if given) answered, within `boundMs`; throws otherwise. */
  recovered(options?: { boundMs?: number; sessionId?: string }): Promise<void>;
  /** Take the warm-up memory baseline now (after GC); `recovered()` does it on its first success. */
  markMemoryBaseline(): Promise<void>;
  /** The memory samples taken so far (all after forced GC). */
  readonly memory: RigMemory;
  /**
   * Stop everything and return every invariant violation (empty = pass). `closeOwn` closes what
   * the test itself started around the rig (an upstream MCP server, a fault proxy) after the
   * engine and relay stopped and before handles are counted, so their connections are gone too.
   */
  finish(closeOwn?: () => Promise<void>): Promise<string[]>;
}

const open = new Set<Rig>();

/** afterEach safety net: stops rigs a failed test left running. */
export async function closeRigs(): Promise<void> {
  await Promise.all([...open].map((rig) => rig.finish()));
}

export function newCanary(): string {
  return `canary-${randomBytes(12).toString('hex')}`;
}

export async function startRig(options: RigOptions): Promise<Rig> {
  const baseline = handleBaseline();
  const memory: RigMemory = {
    before: await settledMemory(),
    warm: undefined,
    idle: undefined,
    stopped: undefined,
  };
  const slack = options.memorySlack ?? DEFAULT_MEMORY_SLACK;
  const deadlineMs = options.responseTimeoutMs ?? 3_000;
  const hub = new LogHub({ level: 'debug', capacity: 5_000 });
  const canary = newCanary();
  // Every entry is checked as it is written (nothing kept: soaks write millions).
  const secrets = [canary, ...(options.secrets ?? [])];
  const leaks: string[] = [];
  const scan = (entry: LogEntry): void => {
    const text = JSON.stringify(entry);
    for (const secret of secrets)
      if (text.includes(secret)) leaks.push(`secret in log entry #${entry.seq}: ${entry.msg}`);
  };
  hub.addSink(scan);
  const logger = hub.logger('rig');
  const relay = await startEmbeddedRelay({
    logger: logger.child('relay'),
    responseTimeoutMs: deadlineMs,
    maxPollHoldMs: 5_000,
    heartbeatMs: 1_000,
    ...options.relay,
  });
  secrets.push(relay.runtimeKey, relay.connectorToken);
  for (const entry of hub.entries()) scan(entry); // written before the keys were known
  const proxy = options.proxy === false ? undefined : await startFaultProxy({ port: relay.relay.port });
  const channels = options.channels(logger, canary);
  const client = createControlPlaneClient({
    baseUrl: proxy?.url ?? relay.controlPlaneUrl,
    tunnelId: relay.tunnelId,
    apiKey: relay.runtimeKey,
    clientVersion: '0.0.0-reliability',
    serverInfo: buildServerInfo(channels.map((c) => ({ name: c.name, procAffinity: c.procAffinity }))),
    logger: logger.child('control-plane'),
    pollGraceMs: 1_000,
    respondTimeoutMs: 1_500,
    respondBackoff: { baseDelayMs: 50, maxDelayMs: 400, maxRetryAfterMs: 2_000, maxAttempts: 8 },
  });
  const tunnel = createTunnel({
    id: 'reliability',
    client,
    channels,
    dispatcher: {
      maxInflight: options.maxInflight ?? 32,
      maxConcurrent: options.maxConcurrent ?? 16,
      connectionMaxTtlMs: 60_000,
    },
    pollTimeoutMs: options.pollTimeoutMs ?? 1_000,
    logger,
    random: options.random ?? (() => 0.2),
    channelCheckIntervalMs: 100,
    probeOnStart: false,
  });
  const statuses: TunnelStatus[] = [];
  tunnel.onStatus((s) => statuses.push(s));
  const ledger = new CallLedger({ deadlineMs, alsoAllowed: options.alsoAllowed ?? [] });
  const caller = new McpCaller({
    mcpUrl: relay.mcpUrl,
    connectorToken: relay.connectorToken,
    ledger,
    headers: { 'x-upstream-token': canary },
    hardTimeoutMs: deadlineMs + 5_000,
  });
  const pids = new Set<number>();
  const sample = (): void => {
    for (const c of channels) {
      const pid = c.snapshot().pid;
      if (pid !== undefined) pids.add(pid);
    }
  };
  const sampler = setInterval(sample, 20);
  await tunnel.start();

  const recovered = async ({
    boundMs = 10_000,
    sessionId,
  }: { boundMs?: number; sessionId?: string } = {}) => {
    const until = performance.now() + boundMs;
    await withBound(tunnel.whenReady(), boundMs, 'the tunnel to be ready again');
    for (;;) {
      const outcome = await caller.echo(undefined, {
        label: 'recovery probe',
        ...(sessionId ? { sessionId } : {}),
      });
      if (outcome.kind === 'result') {
        if (!memory.warm) memory.warm = await settledMemory();
        return;
      }
      if (performance.now() > until)
        throw new Error(
          `no fresh call succeeded within ${boundMs} ms; last outcome ${JSON.stringify(outcome)}`,
        );
    }
  };

  let finished: Promise<string[]> | undefined;
  const rig: Rig = {
    relay,
    proxy,
    tunnel,
    channels,
    hub,
    ledger,
    caller,
    canary,
    statuses,
    pids,
    deadlineMs,
    recovered,
    markMemoryBaseline: async () => {
      memory.warm = await settledMemory();
    },
    memory,
    finish: (closeOwn?: () => Promise<void>) =>
      (finished ??= (async () => {
        open.delete(rig);
        sample();
        clearInterval(sampler);
        const violations = [...ledger.violations()];
        if (statuses.some((s) => s.state.kind === 'error'))
          violations.push('the engine entered the error state');
        memory.idle = await settledMemory();
        if (memory.warm)
          violations.push(...memoryAboveBaseline(memory.warm, memory.idle, 'idle after the scenario', slack));
        await tunnel.stop();
        await caller.close();
        await proxy?.close();
        await relay.close();
        await closeOwn?.();
        violations.push(...(await orphanPids(pids)));
        violations.push(...(await handlesBackToBaseline(baseline)));
        memory.stopped = await settledMemory();
        violations.push(...memoryAboveBaseline(memory.before, memory.stopped, 'after stop', slack));
        if (process.env.RELIABILITY_MEMORY_DEBUG)
          console.log(
            `[memory] idle vs warm: ${memory.warm ? describeDelta(memory.warm, memory.idle) : 'no warm baseline'}; ` +
              `stopped vs before: ${describeDelta(memory.before, memory.stopped)}`,
          );
        violations.push(...leaks.slice(0, 20));
        return violations;
      })()),
  };
  open.add(rig);
  return rig;
}

async function withBound<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
