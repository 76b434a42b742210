/**
 * One running tunnel (one profile): its channels, dispatcher and poll loop, its state machine
 * (tunnel-state.ts) and the status snapshot the admin surfaces read.
 *
 * A Tunnel runs once: `start()`, then `stop()` (which also closes the control-plane client).
 * Build a new Tunnel to run the profile again.
 */
import { silentLogger, type Logger } from '../observability/logger.js';
import { redactText } from '../observability/redact.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import type { Channel, ChannelSnapshot } from './channels/channel.js';
import type { ControlPlaneClient, PollResult } from './control-plane/types.js';
import { createDispatcher } from './dispatcher/dispatcher.js';
import type { CommandOutcomeKind, Dispatcher, DispatcherOptions } from './dispatcher/types.js';
import { runPollLoop } from './poll-loop.js';
import type { PollFailure } from './poll-failure.js';
import { CHANNEL_NAME_PATTERN, type FailureSource } from './protocol/wire.js';
import { StatusPublisher, type TunnelStatus } from './tunnel-status.js';
import {
  STARTING_WORDS,
  STOPPED_WORDS,
  STOPPING_WORDS,
  canTransition,
  channelsState,
  pollFailureState,
  sameState,
  type TunnelState,
  type TunnelStateChange,
} from './tunnel-state.js';

export type { TunnelStatus } from './tunnel-status.js';

export interface TunnelOptions {
  /** Profile name: used in logs, status and metrics. */
  id: string;
  client: ControlPlaneClient;
  /** `main` is required; names are unique and canonical. */
  channels: readonly Channel[];
  dispatcher?: Pick<DispatcherOptions, 'maxInflight' | 'maxConcurrent' | 'connectionMaxTtlMs' | 'onRecord'>;
  /** CONTROL_PLANE_POLL_TIMEOUT (ms). Default 30 000. */
  pollTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** [0, 1), for backoff jitter. Default Math.random. */
  random?: () => number;
  /** How often channel snapshots are re-read for the state (ms). Default 1000. */
  channelCheckIntervalMs?: number;
  /** Counter-only status updates are coalesced to at most one per this many ms. Default 250. */
  statusCoalesceMs?: number;
  /** Ask `GET /v1/tunnels/{id}` at start, for a verdict before the first long poll returns. Default true. */
  probeOnStart?: boolean;
}

export type TunnelErrorCode = 'tunnel_error' | 'tunnel_stopped' | 'tunnel_already_ran';

export class TunnelError extends Error {
  constructor(
    readonly code: TunnelErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TunnelError';
  }
}

export interface Tunnel {
  readonly id: string;
  /** Start channels and the poll loop. Resolves once they run (not once ready: see whenReady). */
  start(): Promise<void>;
  /** Abort the poll loop, cancel commands, stop channels, close the client. Idempotent. */
  stop(): Promise<void>;
  status(): TunnelStatus;
  /** Called on every state change immediately, and on counter changes (coalesced). */
  onStatus(listener: (status: TunnelStatus) => void): () => void;
  /** Resolves when the tunnel is ready; rejects if it enters `error` or stops first, or on abort. */
  whenReady(signal?: AbortSignal): Promise<void>;
}

export function createTunnel(options: TunnelOptions): Tunnel {
  return new TunnelRunner(options);
}

const DEFAULT_POLL_TIMEOUT_MS = 30_000;

type ControlPlaneHealth =
  { kind: 'unknown' } | { kind: 'ok' } | { kind: 'failing'; failure: PollFailure; retryInMs: number };

function channelConfigError(channels: readonly Channel[]): string | undefined {
  if (channels.length === 0) return 'no MCP channel is configured';
  const seen = new Set<string>();
  for (const channel of channels) {
    if (!CHANNEL_NAME_PATTERN.test(channel.name)) return `channel name "${channel.name}" is not canonical`;
    if (seen.has(channel.name)) return `channel "${channel.name}" is configured twice`;
    seen.add(channel.name);
  }
  if (!seen.has('main')) return 'no "main" channel is configured';
  return undefined;
}

class TunnelRunner implements Tunnel {
  readonly id: string;
  readonly #options: TunnelOptions;
  readonly #client: ControlPlaneClient;
  readonly #channels: readonly Channel[];
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #publisher: StatusPublisher;
  #state: TunnelState;
  #ran = false;
  #health: ControlPlaneHealth = { kind: 'unknown' };
  readonly #startErrors = new Map<string, string>();
  #dispatcher: Dispatcher | undefined;
  #loop: AbortController | undefined;
  #startup: Promise<void> | undefined;
  #background: Promise<unknown> | undefined;
  #stopping: Promise<void> | undefined;
  #channelFingerprint = '';
  readonly #readyWaiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();

  constructor(options: TunnelOptions) {
    this.id = options.id;
    this.#options = options;
    this.#client = options.client;
    this.#channels = options.channels;
    this.#clock = options.clock ?? systemClock;
    this.#log = (options.logger ?? silentLogger).child('engine', { tunnel: options.id });
    this.#state = { kind: 'stopped', since: this.#clock.wallNow(), ...STOPPED_WORDS };
    this.#publisher = new StatusPublisher({
      id: options.id,
      clock: this.#clock,
      coalesceMs: options.statusCoalesceMs ?? 250,
      logger: this.#log,
      read: () => ({
        state: this.#state,
        dispatcher: this.#dispatcher?.snapshot(),
        channels: this.#channelSnapshots(),
        maxInflight: options.dispatcher?.maxInflight,
        maxConcurrent: options.dispatcher?.maxConcurrent,
      }),
    });
  }

  status(): TunnelStatus {
    return this.#publisher.status();
  }

  onStatus(listener: (status: TunnelStatus) => void): () => void {
    return this.#publisher.subscribe(listener);
  }

  whenReady(signal?: AbortSignal): Promise<void> {
    if (this.#state.kind === 'ready') return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const settledError = this.#notReadyError();
    if (settledError) return Promise.reject(settledError);
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => {
        this.#readyWaiters.delete(waiter);
        reject(signal?.reason as Error);
      };
      this.#readyWaiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async start(): Promise<void> {
    if (this.#ran) {
      if (this.#stopping)
        throw new TunnelError(
          'tunnel_already_ran',
          'This tunnel was stopped; create a new one to run it again.',
        );
      return this.#startup;
    }
    this.#ran = true;
    this.#enter({ kind: 'starting', ...STARTING_WORDS });
    const configError = channelConfigError(this.#channels);
    if (configError) {
      this.#log.error('tunnel cannot start', { reason: configError });
      this.#enter({
        kind: 'error',
        reason: `channel configuration is invalid: ${configError}`,
        nextStep:
          'Fix the MCP servers of this profile (MCP_SERVER_URL / MCP_COMMAND, one "main" channel) and start again.',
      });
      return;
    }
    const loop = new AbortController();
    this.#loop = loop;
    this.#dispatcher = createDispatcher({
      client: this.#client,
      channels: new Map(this.#channels.map((c) => [c.name, c])),
      ...this.#options.dispatcher,
      clock: this.#clock,
      logger: this.#log,
      onOutcome: (outcome, source, notifyFailed) => this.#countOutcome(outcome, source, notifyFailed),
      onChange: () => this.#publisher.changed(),
    });
    this.#startup = this.#startChannels(loop.signal);
    await this.#startup;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const wasRunning = this.#state.kind !== 'stopped';
    this.#ran = true;
    if (wasRunning) this.#enter({ kind: 'stopping', ...STOPPING_WORDS });
    this.#loop?.abort(new TunnelError('tunnel_stopped', 'The tunnel was stopped.'));
    await this.#dispatcher?.stop();
    await Promise.allSettled(this.#channels.map((c) => c.stop()));
    await Promise.allSettled([this.#startup, this.#background]);
    try {
      await this.#client.close();
    } catch (error) {
      this.#log.warn('closing the control-plane client failed', { error });
    }
    this.#publisher.close();
    if (wasRunning) this.#enter({ kind: 'stopped', ...STOPPED_WORDS });
    for (const waiter of [...this.#readyWaiters])
      waiter.reject(new TunnelError('tunnel_stopped', 'The tunnel stopped before it was ready.'));
    this.#readyWaiters.clear();
  }

  async #startChannels(signal: AbortSignal): Promise<void> {
    await Promise.all(
      this.#channels.map(async (channel) => {
        try {
          await channel.start();
        } catch (error) {
          const why =
            channel.snapshot().lastError ??
            redactText(error instanceof Error ? error.message : String(error));
          this.#startErrors.set(channel.name, why);
          this.#log.warn('channel failed to start; it keeps retrying by itself', {
            channel: channel.name,
            reason: why,
          });
        }
      }),
    );
    if (signal.aborted) return;
    this.#evaluate();
    const dispatcher = this.#dispatcher;
    if (!dispatcher) return;
    this.#background = Promise.allSettled([
      this.#options.probeOnStart === false ? Promise.resolve() : this.#probe(signal),
      runPollLoop({
        client: this.#client,
        dispatcher,
        pollTimeoutMs: this.#options.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS,
        clock: this.#clock,
        logger: this.#log.child('poll'),
        random: this.#options.random ?? Math.random,
        signal,
        onSuccess: (result) => this.#pollSucceeded(result),
        onFailure: (failure, failures, retryInMs) => this.#pollFailed(failure, failures, retryInMs),
      }),
      this.#watchChannels(signal),
    ]);
  }

  async #probe(signal: AbortSignal): Promise<void> {
    try {
      const meta = await this.#client.getTunnel(signal);
      this.#publisher.tunnelName = meta.name;
      this.#log.info('control plane knows this tunnel', { tunnel_name: meta.name });
      if (this.#health.kind === 'unknown') {
        this.#health = { kind: 'ok' };
        this.#evaluate();
      }
    } catch (error) {
      if (!signal.aborted) this.#log.debug('start-up probe failed; waiting for the first poll', { error });
    }
  }

  async #watchChannels(signal: AbortSignal): Promise<void> {
    const interval = this.#options.channelCheckIntervalMs ?? 1000;
    while (!signal.aborted) {
      try {
        await this.#clock.sleep(interval, signal);
      } catch {
        return;
      }
      this.#evaluate();
    }
  }

  #pollSucceeded(result: PollResult): void {
    const counters = this.#publisher.counters;
    if (counters.consecutivePollFailures > 0) {
      this.#log.info('control plane answers again', { after_failures: counters.consecutivePollFailures });
    }
    counters.consecutivePollFailures = 0;
    counters.lastSuccessfulPollAt = this.#clock.wallNow();
    counters.commandsTotal += result.commands.length;
    this.#health = { kind: 'ok' };
    this.#evaluate();
    this.#publisher.changed();
  }

  #pollFailed(failure: PollFailure, failures: number, retryInMs: number): void {
    const counters = this.#publisher.counters;
    counters.consecutivePollFailures = failures;
    this.#publisher.count(`poll_${failure.kind}`);
    const previous = this.#health.kind === 'failing' ? this.#health.failure.kind : undefined;
    const fields = {
      kind: failure.kind,
      status: failure.status,
      api_code: failure.apiCode,
      retry_in_ms: retryInMs,
      failures,
    };
    if (previous !== failure.kind) this.#log.warn('poll failed', fields);
    else this.#log.debug('poll failed again', fields);
    this.#health = { kind: 'failing', failure, retryInMs };
    this.#evaluate();
    this.#publisher.changed();
  }

  #countOutcome(outcome: CommandOutcomeKind, source: FailureSource | undefined, notifyFailed: boolean): void {
    if (outcome === 'expired' || outcome === 'dropped') this.#publisher.count('command_expired');
    else if (outcome === 'failure') this.#publisher.count(`command_failure_${source ?? 'unknown'}`);
    else if (outcome === 'post_failed') this.#publisher.count('response_post_failed');
    else if (outcome === 'gone') this.#publisher.count('response_gone');
    if (notifyFailed) this.#publisher.count('notify_post_failed');
  }

  /** Derive the running state from the control plane's health and the channels; enter it if it changed. */
  #evaluate(): void {
    const kind = this.#state.kind;
    if (kind === 'stopped' || kind === 'stopping' || kind === 'error') return;
    const snapshots = this.#channelSnapshots();
    for (const s of snapshots) if (s.state === 'ready') this.#startErrors.delete(s.name);
    const fingerprint = snapshots
      .map((s) => `${s.name}:${s.state}:${s.restarts}:${s.pid ?? ''}:${s.lastError ?? ''}`)
      .join('|');
    if (fingerprint !== this.#channelFingerprint) {
      this.#channelFingerprint = fingerprint;
      this.#publisher.changed();
    }
    let next: TunnelStateChange | undefined;
    if (this.#health.kind === 'failing')
      next = pollFailureState(this.#health.failure, this.#health.retryInMs);
    else {
      const fromChannels = channelsState(snapshots, this.#startErrors);
      // Before the control plane has answered, only a channel problem is worth leaving `starting` for.
      if (this.#health.kind === 'ok' || fromChannels.kind === 'degraded') next = fromChannels;
    }
    if (next && !sameState(this.#state, next)) this.#enter(next);
  }

  #enter(next: TunnelStateChange): void {
    const from = this.#state;
    if (!canTransition(from.kind, next.kind)) {
      this.#log.error('illegal tunnel state transition ignored (a bug)', { from: from.kind, to: next.kind });
      return;
    }
    const since = from.kind === next.kind ? from.since : this.#clock.wallNow();
    this.#state = { ...next, since };
    if (from.kind !== next.kind) {
      const level = next.kind === 'error' || next.kind === 'auth_failed' ? 'warn' : 'info';
      this.#log[level](`tunnel ${next.kind}: ${next.reason}`, { next_step: next.nextStep });
    }
    this.#publisher.publishNow();
    if (next.kind === 'ready') {
      for (const waiter of [...this.#readyWaiters]) waiter.resolve();
      this.#readyWaiters.clear();
    } else if (next.kind === 'error') {
      for (const waiter of [...this.#readyWaiters])
        waiter.reject(new TunnelError('tunnel_error', next.reason));
      this.#readyWaiters.clear();
    }
  }

  #notReadyError(): TunnelError | undefined {
    if (this.#state.kind === 'error') return new TunnelError('tunnel_error', this.#state.reason);
    if (this.#stopping) return new TunnelError('tunnel_stopped', 'The tunnel was stopped.');
    return undefined;
  }

  #channelSnapshots(): ChannelSnapshot[] {
    return this.#channels.map((c) => c.snapshot());
  }
}
