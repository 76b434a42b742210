/**
 * The daemon's (and the tray app's) registry of tunnels: start/stop by id, summaries and
 * change events for the admin surfaces, command records for the Requests page and metrics,
 * and the readiness verdict behind /readyz.
 */
import type { TunnelSummary } from '../../../preload/contract/dto.js';
import type { CommandRecord } from '../engine/dispatcher/types.js';
import type { TunnelStatus } from '../engine/tunnel.js';
import type { Logger } from '../observability/logger.js';
import { ManagedTunnel, type ManagedTunnelSpec } from './managed-tunnel.js';

export class AdminError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'bad_request',
    message: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export interface TunnelManagerOptions {
  logger: Logger;
  probeIntervalMs?: number;
  now?: () => number;
}

export interface Readiness {
  ready: boolean;
  /** Every condition that fails, in words; empty when ready. */
  reasons: string[];
}

export class TunnelManager {
  readonly #tunnels = new Map<string, ManagedTunnel>();
  readonly #changeListeners = new Set<(summary: TunnelSummary, rev: number) => void>();
  readonly #recordListeners = new Set<(tunnelId: string, record: CommandRecord) => void>();
  readonly #removeListeners = new Set<(id: string, rev: number) => void>();
  readonly #now: () => number;
  #rev = 0;

  constructor(private readonly options: TunnelManagerOptions) {
    this.#now = options.now ?? Date.now;
  }

  get rev(): number {
    return this.#rev;
  }

  add(spec: ManagedTunnelSpec): void {
    if (this.#tunnels.has(spec.id))
      throw new AdminError('conflict', `A tunnel named '${spec.id}' is already configured.`);
    this.#tunnels.set(
      spec.id,
      new ManagedTunnel({
        spec,
        logger: this.options.logger,
        probeIntervalMs: this.options.probeIntervalMs ?? 30_000,
        now: this.#now,
        onChange: (summary) => {
          this.#rev += 1;
          for (const l of this.#changeListeners) l(summary, this.#rev);
        },
        onRecord: (id, record) => {
          for (const l of this.#recordListeners) l(id, record);
        },
      }),
    );
  }

  has(id: string): boolean {
    return this.#tunnels.has(id);
  }

  /** Stops a tunnel and forgets it (a profile removed or replaced while running). */
  async remove(id: string): Promise<void> {
    const t = this.get(id);
    await t.stop();
    this.#tunnels.delete(id);
    this.#rev += 1;
    for (const l of this.#removeListeners) l(id, this.#rev);
  }

  onRemove(listener: (id: string, rev: number) => void): () => void {
    this.#removeListeners.add(listener);
    return () => this.#removeListeners.delete(listener);
  }

  ids(): string[] {
    return [...this.#tunnels.keys()];
  }

  get(id: string): ManagedTunnel {
    const t = this.#tunnels.get(id);
    if (!t)
      throw new AdminError(
        'not_found',
        `No tunnel named '${id}'. Known tunnels: ${this.ids().join(', ') || 'none'}.`,
      );
    return t;
  }

  async start(id: string): Promise<TunnelSummary> {
    const t = this.get(id);
    await t.start();
    return t.summary();
  }

  async stop(id: string): Promise<TunnelSummary> {
    const t = this.get(id);
    await t.stop();
    return t.summary();
  }

  async startEnabled(): Promise<void> {
    await Promise.all([...this.#tunnels.values()].filter((t) => t.spec.enabled).map((t) => t.start()));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#tunnels.values()].map((t) => t.stop()));
  }

  summaries(): TunnelSummary[] {
    return [...this.#tunnels.values()].map((t) => t.summary());
  }

  /** Running tunnels' engine statuses, for metrics. */
  statuses(): Array<{ id: string; status: TunnelStatus }> {
    const out: Array<{ id: string; status: TunnelStatus }> = [];
    for (const t of this.#tunnels.values()) if (t.status) out.push({ id: t.spec.id, status: t.status });
    return out;
  }

  onChange(listener: (summary: TunnelSummary, rev: number) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  onRecord(listener: (tunnelId: string, record: CommandRecord) => void): () => void {
    this.#recordListeners.add(listener);
    return () => this.#recordListeners.delete(listener);
  }

  /**
   * Ready when every running tunnel polled successfully within the last two poll timeouts, none
   * is in auth_failed, and every channel's last end-to-end probe succeeded. At least one
   * tunnel must be running. Follows the live state, not only start-up.
   */
  readiness(): Readiness {
    const reasons: string[] = [];
    const running = [...this.#tunnels.values()].filter((t) => t.running);
    if (running.length === 0) reasons.push('no tunnel is running');
    const now = this.#now();
    for (const t of running) {
      const status = t.status;
      const cfg = t.config;
      if (!status || !cfg) continue;
      const window = 2 * cfg.controlPlane.pollTimeoutMs;
      if (status.state.kind === 'auth_failed') reasons.push(`${t.spec.id}: ${status.state.reason}`);
      if (status.lastSuccessfulPollAt === undefined) {
        // The first long poll may be held for a whole poll timeout; until then, the start-up
        // metadata request that made the tunnel ready is the control plane's answer.
        const answeredAtStart = status.state.kind === 'ready' && now - status.state.since <= window;
        if (!answeredAtStart) reasons.push(`${t.spec.id}: the control plane has not answered a poll yet`);
      } else if (now - status.lastSuccessfulPollAt > window) {
        reasons.push(
          `${t.spec.id}: no successful poll for ${Math.round((now - status.lastSuccessfulPollAt) / 1000)} s (limit ${window / 1000} s)`,
        );
      }
      for (const channel of status.channels) {
        const probe = t.probes().get(channel.name);
        if (!probe) reasons.push(`${t.spec.id}/${channel.name}: MCP probe has not run yet`);
        else if (!probe.ok) reasons.push(`${t.spec.id}/${channel.name}: ${probe.message}`);
      }
    }
    return { ready: reasons.length === 0, reasons };
  }
}
