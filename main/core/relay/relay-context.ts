/**
 * What the route handlers share: settings, collaborators, the tunnel store with decoded
 * credential hashes, and the live per-tunnel runtimes (created on first use).
 */
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../runtime/clock.js';
import type { CallerReply } from './caller-reply.js';
import type { HostGuard } from './host-guard.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayStore, TunnelRecord } from './store.js';
import { TunnelRuntime } from './tunnel-runtime.js';
import { decodeHashes, secretMatches } from './tunnel-secrets.js';

export interface RelaySettings {
  responseTimeoutMs: number;
  maxPollHoldMs: number;
  queueCapacity: number;
  heartbeatMs: number;
  maxRequestBytes: number;
  maxResponseBytes: number;
  clientStaleMs: number;
  pollRatePerSecond: number;
  pollRateBurst: number;
}

export type CredentialKind = 'runtime' | 'connector';

interface DecodedCredentials {
  runtime: Buffer[];
  connector: Buffer[];
}

export class RelayContext {
  readonly runtimes = new Map<string, TunnelRuntime>();
  readonly streams = new Set<CallerReply>();
  guard: HostGuard | undefined;
  closing = false;
  readonly #decoded = new WeakMap<TunnelRecord, DecodedCredentials>();

  constructor(
    readonly settings: RelaySettings,
    readonly store: RelayStore,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly metrics: RelayMetrics,
  ) {}

  /** The tunnel when `token` is one of its credentials of `kind`; undefined otherwise (unknown tunnel included). */
  authenticate(tunnelId: string, token: string | undefined, kind: CredentialKind): TunnelRecord | undefined {
    const record = this.store.get(tunnelId);
    if (!record) {
      this.#dropRuntime(tunnelId);
      return undefined;
    }
    if (token === undefined) return undefined;
    let decoded = this.#decoded.get(record);
    if (!decoded) {
      decoded = {
        runtime: decodeHashes(record.runtimeKeyHashes),
        connector: decodeHashes(record.connectorTokenHashes),
      };
      this.#decoded.set(record, decoded);
    }
    return secretMatches(token, decoded[kind]) ? record : undefined;
  }

  runtime(tunnelId: string): TunnelRuntime {
    let runtime = this.runtimes.get(tunnelId);
    if (!runtime) {
      const s = this.settings;
      runtime = new TunnelRuntime(tunnelId, {
        clock: this.clock,
        metrics: this.metrics,
        queueCapacity: s.queueCapacity,
        clientStaleMs: s.clientStaleMs,
        pollRatePerSecond: s.pollRatePerSecond,
        pollRateBurst: s.pollRateBurst,
      });
      this.runtimes.set(tunnelId, runtime);
    }
    return runtime;
  }

  /** Drop runtimes of tunnels no longer in the store (deleted here or by the CLI). */
  sweepDeleted(): void {
    for (const id of this.runtimes.keys()) if (!this.store.get(id)) this.#dropRuntime(id);
  }

  #dropRuntime(tunnelId: string): void {
    const runtime = this.runtimes.get(tunnelId);
    if (!runtime) return;
    this.runtimes.delete(tunnelId);
    runtime.dispose('tunnel_deleted');
  }
}
