/**
 * Per-tunnel live state: the bounded command queue, pending commands by request_id, waiting
 * long polls, the client instances seen and the session affinity table.
 *
 * Delivery: a new command goes straight to the first waiting poll allowed to take it, else to
 * the queue; a new poll takes up to `limit` queued commands it is allowed to take, else waits.
 * Each command is handed to exactly one poll. "Allowed": the poll's channel filter (if any)
 * includes the command's channel, and a command pinned to an instance goes only to that
 * instance's polls.
 *
 * Affinity: the terminal response to `initialize` carrying Mcp-Session-Id pins
 * (channel, session) to the instance that took it. Later commands of that session are pinned
 * when that instance declared `proc_affinity` for the channel; if it has stopped polling, the
 * session is gone (the front door answers 404 so the client re-initializes).
 */
import type { Clock } from '../runtime/clock.js';
import { headerValue } from './forwarded-headers.js';
import type { EngineResponse, FailReason, RelayCommand } from './command.js';
import type { RelayMetrics } from './metrics.js';
import { TokenBucket } from './rate-limit.js';
import { tokensEqual } from './tunnel-secrets.js';

export interface ClientInstance {
  readonly id: string;
  lastSeenAt: number;
  /** Polls of this instance being held right now. */
  active: number;
  /** Channels it declared with `proc_affinity: true`. */
  affinity: ReadonlySet<string>;
  /** The raw X-Tunnel-MCP-Server-Info last parsed (re-parsed only when it changes). */
  infoRaw: string | undefined;
}

export interface Poller {
  readonly instanceId: string;
  readonly limit: number;
  readonly channels: ReadonlySet<string> | undefined;
  /**
   * Write the poll response (empty list → 204). Called at most once. Returns false when the
   * poll's connection is already gone: the commands go back to the queue.
   */
  readonly deliver: (commands: RelayCommand[]) => boolean;
}

export type SessionRoute = { kind: 'any' } | { kind: 'pinned'; instanceId: string } | { kind: 'gone' };
export type Connectivity = 'connected' | 'not_connected' | 'not_seen';
export type RespondOutcome = 'ok' | 'not_found' | 'mismatch';

export interface TunnelRuntimeOptions {
  clock: Clock;
  metrics: RelayMetrics;
  queueCapacity: number;
  clientStaleMs: number;
  pollRatePerSecond: number;
  pollRateBurst: number;
  maxInstances?: number;
  maxSessions?: number;
}

/** The anonymous instance (no X-Tunnel-Client-Instance-Id): never a pin target. */
export const ANONYMOUS_INSTANCE = '';

export class TunnelRuntime {
  readonly queue: RelayCommand[] = [];
  readonly pending = new Map<string, RelayCommand>();
  readonly waiting: Poller[] = [];
  readonly instances = new Map<string, ClientInstance>();
  readonly sessions = new Map<string, string>();
  readonly pollBucket: TokenBucket;
  #lastPollAt = Number.NEGATIVE_INFINITY;
  #activePolls = 0;

  constructor(
    readonly tunnelId: string,
    private readonly options: TunnelRuntimeOptions,
  ) {
    this.pollBucket = new TokenBucket(options.pollRatePerSecond, options.pollRateBurst, () =>
      options.clock.now(),
    );
  }

  connectivity(): Connectivity {
    if (this.#activePolls > 0) return 'connected';
    if (this.#lastPollAt === Number.NEGATIVE_INFINITY) return 'not_seen';
    return this.options.clock.now() - this.#lastPollAt <= this.options.clientStaleMs
      ? 'connected'
      : 'not_connected';
  }

  isFresh(instance: ClientInstance, now: number): boolean {
    return instance.active > 0 || now - instance.lastSeenAt <= this.options.clientStaleMs;
  }

  /** Where a command of (channel, session) may go. A stale pin is dropped and reported gone. */
  routeSession(sessionKey: string, channel: string): SessionRoute {
    const pinned = this.sessions.get(sessionKey);
    if (pinned === undefined) return { kind: 'any' };
    const instance = this.instances.get(pinned);
    if (!instance || !this.isFresh(instance, this.options.clock.now())) {
      this.sessions.delete(sessionKey);
      return { kind: 'gone' };
    }
    return instance.affinity.has(channel) ? { kind: 'pinned', instanceId: pinned } : { kind: 'any' };
  }

  get full(): boolean {
    return this.queue.length >= this.options.queueCapacity;
  }

  /** Queue a command (the caller checked `full`) and arm its deadline. */
  enqueue(cmd: RelayCommand): void {
    this.pending.set(cmd.requestId, cmd);
    cmd.timer = setTimeout(() => this.#expire(cmd), Math.max(0, cmd.deadlineAt - this.options.clock.now()));
    for (let i = 0; i < this.waiting.length; i++) {
      const poller = this.waiting[i]!;
      if (!eligible(cmd, poller)) continue;
      this.waiting.splice(i--, 1);
      if (this.#handOver([cmd], poller)) return;
    }
    this.queue.push(cmd);
  }

  /** A poll arrived: record the instance, then answer now or wait. Returns a cancel function. */
  poll(
    poller: Poller,
    affinityInfo: { raw: string | undefined; parse: (raw: string) => Set<string> },
  ): () => void {
    const now = this.options.clock.now();
    const instance = this.#touch(poller.instanceId, now);
    if (affinityInfo.raw !== instance.infoRaw) {
      instance.infoRaw = affinityInfo.raw;
      instance.affinity = affinityInfo.raw === undefined ? new Set() : affinityInfo.parse(affinityInfo.raw);
    }
    instance.active++;
    this.#activePolls++;
    const taken: RelayCommand[] = [];
    for (let i = 0; i < this.queue.length && taken.length < poller.limit;) {
      const cmd = this.queue[i]!;
      if (eligible(cmd, poller)) {
        this.queue.splice(i, 1);
        taken.push(cmd);
      } else i++;
    }
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      instance.active--;
      this.#activePolls--;
      const end = this.options.clock.now();
      instance.lastSeenAt = end;
      this.#lastPollAt = end;
    };
    if (taken.length > 0) {
      finish();
      if (!this.#handOver(taken, poller)) this.queue.unshift(...taken);
      return () => undefined;
    }
    const waiter: Poller = {
      instanceId: poller.instanceId,
      limit: poller.limit,
      channels: poller.channels,
      deliver: (commands) => {
        finish();
        return poller.deliver(commands);
      },
    };
    this.waiting.push(waiter);
    return () => {
      const index = this.waiting.indexOf(waiter);
      if (index >= 0) this.waiting.splice(index, 1);
      finish();
    };
  }

  /** A response POST for this tunnel (auth already checked). */
  respond(response: EngineResponse, shardToken: string): RespondOutcome {
    const cmd = this.pending.get(response.request_id);
    if (!cmd || cmd.phase !== 'delivered') return 'not_found';
    if (!tokensEqual(shardToken, cmd.shardToken)) return 'mismatch';
    if (response.channel != null && response.channel !== cmd.channel) return 'mismatch';
    if (response.resp_type === 'jsonrpc_notify') {
      cmd.sink.notify(response);
      return 'ok';
    }
    this.#remove(cmd);
    this.options.metrics.commandLatency.observe((this.options.clock.now() - cmd.enqueuedAt) / 1000);
    this.#updateSessions(cmd, response);
    cmd.sink.complete(response);
    return 'ok';
  }

  /** Fail everything in flight and release waiting polls (shutdown or tunnel deleted). */
  dispose(reason: FailReason): void {
    for (const cmd of [...this.pending.values()]) {
      this.#remove(cmd);
      cmd.sink.fail(reason);
    }
    for (const poller of this.waiting.splice(0)) poller.deliver([]);
  }

  /** Fresh instances (for metrics). */
  connectedInstances(now: number): number {
    let count = 0;
    for (const instance of this.instances.values()) if (this.isFresh(instance, now)) count++;
    return count;
  }

  /** Mark delivered and write; if the poll is already gone, undo (the caller re-queues). */
  #handOver(commands: RelayCommand[], poller: Poller): boolean {
    for (const cmd of commands) {
      cmd.phase = 'delivered';
      cmd.instanceId = poller.instanceId;
    }
    if (poller.deliver(commands)) return true;
    for (const cmd of commands) {
      cmd.phase = 'queued';
      cmd.instanceId = undefined;
    }
    return false;
  }

  #expire(cmd: RelayCommand): void {
    if (this.pending.get(cmd.requestId) !== cmd) return;
    this.#remove(cmd);
    cmd.sink.fail('timeout');
  }

  #remove(cmd: RelayCommand): void {
    this.pending.delete(cmd.requestId);
    if (cmd.timer) clearTimeout(cmd.timer);
    cmd.timer = undefined;
    if (cmd.phase === 'queued') {
      const index = this.queue.indexOf(cmd);
      if (index >= 0) this.queue.splice(index, 1);
    }
  }

  #updateSessions(cmd: RelayCommand, response: EngineResponse): void {
    if (cmd.isInitialize && cmd.instanceId) {
      const sessionId = headerValue(response.resp_headers ?? undefined, 'mcp-session-id');
      if (sessionId) {
        const key = `${cmd.channel}\n${sessionId}`;
        this.sessions.delete(key);
        this.sessions.set(key, cmd.instanceId);
        const max = this.options.maxSessions ?? 10_000;
        if (this.sessions.size > max) this.sessions.delete(this.sessions.keys().next().value!);
      }
    } else if (cmd.type === 'session_termination' && cmd.sessionKey) {
      const code = response.resp_code;
      if ((code >= 200 && code < 300) || code === 404) this.sessions.delete(cmd.sessionKey);
    }
  }

  #touch(id: string, now: number): ClientInstance {
    let instance = this.instances.get(id);
    if (instance) {
      instance.lastSeenAt = now;
    } else {
      instance = { id, lastSeenAt: now, active: 0, affinity: new Set(), infoRaw: undefined };
      this.instances.set(id, instance);
      if (this.instances.size > (this.options.maxInstances ?? 256)) this.#evictInstances(now);
    }
    this.#lastPollAt = now;
    return instance;
  }

  #evictInstances(now: number): void {
    for (const [id, instance] of this.instances) {
      if (!this.isFresh(instance, now)) this.instances.delete(id);
    }
    const max = this.options.maxInstances ?? 256;
    for (const [id, instance] of this.instances) {
      if (this.instances.size <= max) break;
      if (instance.active === 0) this.instances.delete(id);
    }
  }
}

function eligible(cmd: RelayCommand, poller: Poller): boolean {
  if (poller.channels && !poller.channels.has(cmd.channel)) return false;
  return cmd.targetInstance === undefined || cmd.targetInstance === poller.instanceId;
}
