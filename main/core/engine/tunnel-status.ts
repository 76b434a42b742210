/**
 * The status snapshot of one tunnel and its change events: state changes are published at
 * once, counter-only changes are coalesced (at most one event per `coalesceMs`, and none at all
 * while nobody listens).
 */
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../runtime/clock.js';
import type { ChannelSnapshot } from './channels/channel.js';
import { DISPATCHER_DEFAULTS, type DispatcherSnapshot } from './dispatcher/types.js';
import type { TunnelState } from './tunnel-state.js';

export interface TunnelStatus {
  /** Profile name. */
  id: string;
  /** The control plane's name for the tunnel, once the start-up probe answered. */
  tunnelName?: string;
  state: TunnelState;
  /** Wall-clock ms of the last poll answered with 200 or 204. */
  lastSuccessfulPollAt?: number;
  consecutivePollFailures: number;
  /** Commands received from polls since start. */
  commandsTotal: number;
  inflight: number;
  queued: number;
  running: number;
  maxInflight: number;
  maxConcurrent: number;
  /**
   * poll_network, poll_rate_limited, poll_unavailable, poll_auth, poll_bad_request,
   * poll_protocol, poll_internal, command_expired, command_failure_<source>,
   * response_post_failed, response_gone, notify_post_failed.
   */
  errorsByKind: Record<string, number>;
  channels: ChannelSnapshot[];
}

export interface StatusCounters {
  lastSuccessfulPollAt: number | undefined;
  consecutivePollFailures: number;
  commandsTotal: number;
}

interface LiveParts {
  state: TunnelState;
  dispatcher: DispatcherSnapshot | undefined;
  channels: ChannelSnapshot[];
  maxInflight: number | undefined;
  maxConcurrent: number | undefined;
}

export interface StatusPublisherOptions {
  id: string;
  clock: Clock;
  coalesceMs: number;
  logger: Logger;
  read: () => LiveParts;
}

const noop = (): void => undefined;

export class StatusPublisher {
  readonly counters: StatusCounters = {
    lastSuccessfulPollAt: undefined,
    consecutivePollFailures: 0,
    commandsTotal: 0,
  };
  tunnelName: string | undefined;
  readonly #options: StatusPublisherOptions;
  readonly #errors: Record<string, number> = {};
  readonly #listeners = new Set<(status: TunnelStatus) => void>();
  #pending: AbortController | undefined;
  #closed = false;

  constructor(options: StatusPublisherOptions) {
    this.#options = options;
  }

  subscribe(listener: (status: TunnelStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  count(kind: string): void {
    this.#errors[kind] = (this.#errors[kind] ?? 0) + 1;
    this.changed();
  }

  /** Counters changed: publish within `coalesceMs`. */
  changed(): void {
    if (this.#closed || this.#pending || this.#listeners.size === 0) return;
    const pending = new AbortController();
    this.#pending = pending;
    this.#options.clock.sleep(this.#options.coalesceMs, pending.signal).then(() => {
      if (this.#pending === pending) this.#pending = undefined;
      this.#emit();
    }, noop);
  }

  /** The state changed: publish now (and drop a pending coalesced event). */
  publishNow(): void {
    this.#cancelPending();
    this.#emit();
  }

  /** No more coalesced events (publishNow still works, for the final `stopped`). */
  close(): void {
    this.#closed = true;
    this.#cancelPending();
  }

  status(): TunnelStatus {
    const live = this.#options.read();
    const d = live.dispatcher;
    const status: TunnelStatus = {
      id: this.#options.id,
      state: live.state,
      consecutivePollFailures: this.counters.consecutivePollFailures,
      commandsTotal: this.counters.commandsTotal,
      inflight: d?.inflight ?? 0,
      queued: d?.queued ?? 0,
      running: d?.running ?? 0,
      maxInflight: d?.maxInflight ?? live.maxInflight ?? DISPATCHER_DEFAULTS.maxInflight,
      maxConcurrent: d?.maxConcurrent ?? live.maxConcurrent ?? DISPATCHER_DEFAULTS.maxConcurrent,
      errorsByKind: { ...this.#errors },
      channels: live.channels,
    };
    if (this.tunnelName !== undefined) status.tunnelName = this.tunnelName;
    if (this.counters.lastSuccessfulPollAt !== undefined) {
      status.lastSuccessfulPollAt = this.counters.lastSuccessfulPollAt;
    }
    return status;
  }

  #cancelPending(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.abort();
  }

  #emit(): void {
    if (this.#listeners.size === 0) return;
    const status = this.status();
    for (const listener of this.#listeners) {
      try {
        listener(status);
      } catch (error) {
        this.#options.logger.warn('tunnel status listener failed', { error });
      }
    }
  }
}
