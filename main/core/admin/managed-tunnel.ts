/**
 * One tunnel the daemon manages: its spec (how to load its configuration), the running Tunnel
 * (rebuilt on every start, since a Tunnel runs once), channel probes and its summary DTO.
 *
 * Lifecycle (enabled is the user's on/off switch):
 *   off ──start()──▶ loading config ──▶ running (Tunnel states inside) ──stop()──▶ off
 *                         └── config error ──▶ off, summary in state `error` with the fix
 */
import type { ChannelSummary, ConnectionKind, TunnelSummary } from '../../../preload/contract/dto.js';
import type { Channel } from '../engine/channels/channel.js';
import { buildTunnel } from '../engine/build-tunnel.js';
import { probeChannel, type ProbeResult } from '../engine/channel-probe.js';
import type { TunnelConfig } from '../engine/config.js';
import type { CommandRecord } from '../engine/dispatcher/types.js';
import type { Tunnel, TunnelStatus } from '../engine/tunnel.js';
import type { Logger } from '../observability/logger.js';

export interface ManagedTunnelSpec {
  /** Profile name (`demo`, `env`, or a profile file's name). */
  id: string;
  displayName: string;
  connection: ConnectionKind;
  /** Start when the manager starts. */
  enabled: boolean;
  /** Resolves the configuration, secrets included; called on every start. */
  load(): Promise<TunnelConfig>;
  /** The MCP URL callers use, when known (our own front door). */
  mcpUrl?: string;
  connectorToken?: string;
}

export interface ManagedTunnelOptions {
  spec: ManagedTunnelSpec;
  logger: Logger;
  onChange: (summary: TunnelSummary) => void;
  onRecord: (tunnelId: string, record: CommandRecord) => void;
  probeIntervalMs: number;
  now: () => number;
}

type Phase =
  | { kind: 'off'; error?: { reason: string; nextStep: string; since: number } }
  | { kind: 'running'; tunnel: Tunnel; channels: Channel[]; config: TunnelConfig; unsubscribe: () => void };

export class ManagedTunnel {
  readonly spec: ManagedTunnelSpec;
  #phase: Phase = { kind: 'off' };
  #status: TunnelStatus | undefined;
  #probes = new Map<string, ProbeResult>();
  #probeTimer: NodeJS.Timeout | undefined;
  #starting: Promise<void> | undefined;

  constructor(private readonly options: ManagedTunnelOptions) {
    this.spec = options.spec;
  }

  get running(): boolean {
    return this.#phase.kind === 'running';
  }

  get tunnel(): Tunnel | undefined {
    return this.#phase.kind === 'running' ? this.#phase.tunnel : undefined;
  }

  get config(): TunnelConfig | undefined {
    return this.#phase.kind === 'running' ? this.#phase.config : undefined;
  }

  get status(): TunnelStatus | undefined {
    return this.#phase.kind === 'running' ? this.#status : undefined;
  }

  probes(): ReadonlyMap<string, ProbeResult> {
    return this.#probes;
  }

  async start(): Promise<void> {
    if (this.#phase.kind === 'running') return;
    this.#starting ??= this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(): Promise<void> {
    const log = this.options.logger;
    let config: TunnelConfig;
    try {
      config = await this.spec.load();
    } catch (err) {
      const reason = (err as Error).message;
      this.#phase = {
        kind: 'off',
        error: {
          reason,
          nextStep: 'Fix the configuration, then turn the tunnel on again.',
          since: this.options.now(),
        },
      };
      log.error('tunnel configuration cannot be used', { tunnel: this.spec.id, reason });
      this.#emit();
      return;
    }
    const built = buildTunnel({
      config,
      logger: log,
      onRecord: (r) => this.options.onRecord(this.spec.id, r),
    });
    const unsubscribe = built.tunnel.onStatus((status) => {
      this.#status = status;
      if (status.state.kind === 'ready' && this.#probes.size === 0) void this.probeNow();
      this.#emit();
    });
    this.#phase = { kind: 'running', tunnel: built.tunnel, channels: built.channels, config, unsubscribe };
    this.#status = built.tunnel.status();
    this.#probes.clear();
    this.#emit();
    await built.tunnel.start();
    this.#probeTimer = setInterval(() => void this.probeNow(), this.options.probeIntervalMs);
    this.#probeTimer.unref();
  }

  async stop(): Promise<void> {
    await this.#starting;
    const phase = this.#phase;
    if (phase.kind !== 'running') return;
    clearInterval(this.#probeTimer);
    this.#phase = { kind: 'off' };
    await phase.tunnel.stop();
    phase.unsubscribe();
    this.#status = undefined;
    this.#probes.clear();
    this.#emit();
  }

  /** Probe every channel now (also runs on an interval while running). */
  async probeNow(): Promise<void> {
    const phase = this.#phase;
    if (phase.kind !== 'running') return;
    await Promise.all(
      phase.channels.map(async (channel) => {
        const result = await probeChannel(channel, { now: this.options.now });
        if (this.#phase === phase) this.#probes.set(channel.name, result);
      }),
    );
    if (this.#phase === phase) this.#emit();
  }

  summary(): TunnelSummary {
    const s = this.#status;
    const phase = this.#phase;
    const off = phase.kind === 'off';
    const state = off
      ? phase.error
        ? { kind: 'error' as const, ...phase.error }
        : {
            kind: 'stopped' as const,
            reason: 'turned off',
            nextStep: 'Turn the tunnel on to start it.',
            since: this.options.now(),
          }
      : s
        ? { kind: s.state.kind, reason: s.state.reason, nextStep: s.state.nextStep, since: s.state.since }
        : {
            kind: 'starting' as const,
            reason: 'loading the configuration',
            nextStep: 'Wait a moment.',
            since: this.options.now(),
          };
    return {
      id: this.spec.id,
      displayName: this.spec.displayName,
      connection: this.spec.connection,
      enabled: !off,
      state,
      tunnelId: phase.kind === 'running' ? phase.config.controlPlane.tunnelId : '',
      ...(this.spec.mcpUrl ? { mcpUrl: this.spec.mcpUrl } : {}),
      hasConnectorToken: Boolean(this.spec.connectorToken),
      ...(s?.lastSuccessfulPollAt !== undefined ? { lastSuccessfulPollAt: s.lastSuccessfulPollAt } : {}),
      commandsTotal: s?.commandsTotal ?? 0,
      inflight: s?.inflight ?? 0,
      queued: s?.queued ?? 0,
      running: s?.running ?? 0,
      errorsByKind: { ...(s?.errorsByKind ?? {}) },
      channels: (s?.channels ?? []).map((c): ChannelSummary => {
        const probe = this.#probes.get(c.name);
        return { ...c, ...(probe ? { probe } : {}) };
      }),
    };
  }

  #emit(): void {
    this.options.onChange(this.summary());
  }
}
