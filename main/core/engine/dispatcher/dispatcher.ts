/**
 * The dispatcher: takes polled commands, runs them on their channels within the queue and
 * concurrency bounds, and posts their answers.
 *
 * One command's lifecycle:
 *
 *   accept ──(response_timeout already passed)──▶ dropped (nothing posted)
 *     │
 *     ▼
 *   queued ──(deadline)──▶ expired (nothing posted)
 *     │ a concurrency slot frees
 *     ▼
 *   working: channel.send / terminateSession; notify() → jsonrpc_notify POSTs, in order
 *     │  ├─(deadline or stop)──▶ channel signal aborted; expired / cancelled (nothing more posted)
 *     │  └─(MCP_CONNECTION_MAX_TTL)──▶ channel signal aborted; answer 504 source `timeout`
 *     ▼
 *   posting: wait for this command's notifications, then the terminal POST (deadline passed on)
 *     ▼
 *   done: ok | mcp_error | failure | gone (404) | post_failed | expired | cancelled → onRecord
 *
 * `maxInflight` bounds accepted-and-unfinished commands (the poll asks only for free capacity,
 * but every command a poll returns is taken); `maxConcurrent` bounds commands inside channels.
 */
import { silentLogger, type Logger } from '../../observability/logger.js';
import { systemClock, type Clock } from '../../runtime/clock.js';
import type { Channel, ChannelOutcome } from '../channels/channel.js';
import { encodeResponsePayload } from '../control-plane/payload-body.js';
import type { ControlPlaneClient } from '../control-plane/types.js';
import { MAX_RESPONSE_TIMEOUT_MS, parseResponseTimeout } from '../protocol/response-timeout.js';
import type { JsonObject, PolledCommand } from '../protocol/wire.js';
import { awaitChannelCall } from './channel-call.js';
import { Waiters } from './waiters.js';
import { answeredOutcome, buildRecord, type AnswerFacts } from './command-facts.js';
import {
  CHANNEL_THREW,
  TTL_EXCEEDED,
  UNSUPPORTED_CHANNEL,
  notifyPayload,
  terminalPayload,
} from './response-payloads.js';
import {
  DISPATCHER_DEFAULTS,
  type CommandOutcomeKind,
  type CommandRecord,
  type Dispatcher,
  type DispatcherOptions,
  type DispatcherSnapshot,
} from './types.js';

/** Abort reasons, created once (no per-command error objects). */
class CommandAborted extends Error {
  constructor(readonly why: 'deadline' | 'stopped' | 'ttl' | 'settled') {
    super(`command ${why}`);
    this.name = 'CommandAborted';
  }
}
const DEADLINE = new CommandAborted('deadline');
const STOPPED = new CommandAborted('stopped');
const TTL = new CommandAborted('ttl');
const SETTLED = new CommandAborted('settled');

const noop = (): void => undefined;

/** How many answered request_ids are remembered to refuse a redelivery (about 1 MB at most). */
const ANSWERED_MEMORY = 10_000;

interface Task {
  readonly command: PolledCommand;
  readonly deadline: number | undefined;
  readonly acceptedAt: number;
  readonly startedAt: number;
  phase: 'queued' | 'working' | 'posting' | 'done';
  /** Aborted at the deadline or on stop; the signal of every POST of this command. */
  readonly abort: AbortController;
  /** Cancels this command's timers once it is done (never seen by the channel). */
  readonly timers: AbortController;
  ttlFired: boolean;
  /** Whether the command reached the working phase (for the record's timings). */
  worked: boolean;
  workStart: number;
  workEnd: number;
  notifyChain: Promise<void>;
  notifyFailed: boolean;
}

function isOutcome(value: unknown): value is ChannelOutcome {
  return typeof value === 'object' && value !== null && typeof (value as ChannelOutcome).status === 'number';
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  return new CommandDispatcher(options);
}

class CommandDispatcher implements Dispatcher {
  readonly #client: ControlPlaneClient;
  readonly #channels: ReadonlyMap<string, Channel>;
  readonly #maxInflight: number;
  readonly #maxConcurrent: number;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #onRecord: ((record: CommandRecord) => void) | undefined;
  readonly #onChange: () => void;
  readonly #onOutcome: DispatcherOptions['onOutcome'];
  /** request_id → its task, while in flight (one per id: a second delivery is not run again). */
  readonly #inflight = new Map<string, Task>();
  /** request_ids answered lately (terminal POST accepted or 404), oldest first, bounded. */
  readonly #answered = new Set<string>();
  readonly #queue: Task[] = [];
  #running = 0;
  #stopping = false;
  readonly #capacityWaiters = new Waiters();
  readonly #idleWaiters = new Waiters();

  constructor(options: DispatcherOptions) {
    this.#client = options.client;
    this.#channels = options.channels;
    this.#maxInflight = Math.max(1, options.maxInflight ?? DISPATCHER_DEFAULTS.maxInflight);
    this.#maxConcurrent = Math.max(1, options.maxConcurrent ?? DISPATCHER_DEFAULTS.maxConcurrent);
    // A non-positive or non-finite TTL means "no TTL" (the response deadline still applies).
    const ttl = options.connectionMaxTtlMs ?? DISPATCHER_DEFAULTS.connectionMaxTtlMs;
    this.#ttlMs = Number.isFinite(ttl) && ttl > 0 ? Math.min(ttl, MAX_RESPONSE_TIMEOUT_MS) : 0;
    this.#clock = options.clock ?? systemClock;
    this.#log = (options.logger ?? silentLogger).child('dispatcher');
    this.#onRecord = options.onRecord;
    this.#onChange = options.onChange ?? noop;
    this.#onOutcome = options.onOutcome;
  }

  freeCapacity(): number {
    return this.#maxInflight - this.#inflight.size;
  }

  waitForCapacity(signal: AbortSignal): Promise<void> {
    if (this.freeCapacity() > 0 && !signal.aborted) return Promise.resolve();
    return this.#capacityWaiters.wait(signal);
  }

  snapshot(): DispatcherSnapshot {
    return {
      inflight: this.#inflight.size,
      queued: this.#queue.length,
      running: this.#running,
      maxInflight: this.#maxInflight,
      maxConcurrent: this.#maxConcurrent,
    };
  }

  accept(commands: readonly PolledCommand[], receivedAt: number): void {
    if (commands.length === 0) return;
    const now = this.#clock.now();
    for (const command of commands) this.#acceptOne(command, receivedAt, now);
    this.#pump();
    this.#onChange();
  }

  async stop(signal?: AbortSignal): Promise<void> {
    this.#stopping = true;
    for (const task of this.#queue.splice(0)) {
      task.abort.abort(STOPPED);
      this.#finish(task, 'cancelled');
    }
    for (const task of this.#inflight.values()) task.abort.abort(STOPPED);
    if (this.#inflight.size === 0) return;
    // Resolves when all settled, or (without rejecting) when the caller gives up waiting.
    await this.#idleWaiters.wait(signal).catch(noop);
  }

  #acceptOne(command: PolledCommand, receivedAt: number, now: number): void {
    const timeoutMs = parseResponseTimeout(command.response_timeout);
    const deadline = timeoutMs === undefined ? undefined : receivedAt + timeoutMs;
    const task: Task = {
      command,
      deadline,
      acceptedAt: now,
      startedAt: this.#clock.wallNow(),
      phase: 'queued',
      abort: new AbortController(),
      timers: new AbortController(),
      ttlFired: false,
      worked: false,
      workStart: now,
      workEnd: now,
      notifyChain: Promise.resolve(),
      notifyFailed: false,
    };
    if (this.#stopping) {
      this.#log.debug('command ignored: the tunnel is stopping', { request_id: command.request_id });
      this.#finish(task, 'cancelled', false);
      return;
    }
    if (this.#inflight.has(command.request_id) || this.#answered.has(command.request_id)) {
      // Redelivered (the control plane may duplicate work): running a tool twice could repeat
      // its side effects, and the first delivery's answer is the one the caller gets.
      this.#log.info('command delivered again while in flight or already answered; not run twice', {
        request_id: command.request_id,
      });
      this.#finish(task, 'dropped', false);
      return;
    }
    if (deadline !== undefined && now >= deadline) {
      this.#log.debug('command dropped: response_timeout already passed', {
        request_id: command.request_id,
        response_timeout: command.response_timeout,
      });
      this.#finish(task, 'dropped', false);
      return;
    }
    this.#inflight.set(command.request_id, task);
    this.#queue.push(task);
    if (deadline !== undefined) {
      this.#clock.sleep(deadline - now, task.timers.signal).then(() => this.#expire(task), noop);
    }
  }

  #pump(): void {
    while (this.#running < this.#maxConcurrent && this.#queue.length > 0) {
      const task = this.#queue.shift();
      if (task) void this.#run(task);
    }
  }

  #expire(task: Task): void {
    if (task.phase === 'done') return;
    this.#log.debug('command expired: response_timeout passed', {
      request_id: task.command.request_id,
      phase: task.phase,
    });
    task.abort.abort(DEADLINE);
    if (task.phase === 'queued') {
      const index = this.#queue.indexOf(task);
      if (index >= 0) this.#queue.splice(index, 1);
      this.#finish(task, 'expired');
    }
    // working / posting: the aborted channel call or POST ends the command as expired.
  }

  async #run(task: Task): Promise<void> {
    task.phase = 'working';
    task.worked = true;
    task.workStart = this.#clock.now();
    this.#running++;
    let outcome: ChannelOutcome | undefined;
    try {
      outcome = await this.#work(task);
    } finally {
      task.workEnd = this.#clock.now();
      this.#running--;
      if (task.phase === 'working') task.phase = 'posting';
      this.#pump();
    }
    try {
      await this.#answer(task, outcome);
    } catch (error) {
      // Defensive: #answer handles its own failures; anything here is a bug.
      this.#log.error('command failed unexpectedly', { request_id: task.command.request_id, error });
      if ((task.phase as Task['phase']) !== 'done') this.#finish(task, 'post_failed');
    }
  }

  /** The channel's outcome, a synthesized failure, or undefined when nothing may be posted. */
  async #work(task: Task): Promise<ChannelOutcome | undefined> {
    const { command } = task;
    const channel = this.#channels.get(command.channel);
    if (!channel) {
      this.#log.info('command for an unknown channel answered 400', {
        request_id: command.request_id,
        channel: command.channel,
      });
      return UNSUPPORTED_CHANNEL;
    }
    const work = new AbortController();
    const forward = (): void => work.abort(task.abort.signal.reason);
    task.abort.signal.addEventListener('abort', forward, { once: true });
    if (this.#ttlMs > 0) {
      this.#clock.sleep(this.#ttlMs, task.timers.signal).then(() => {
        if (task.phase !== 'working') return;
        task.ttlFired = true;
        work.abort(TTL);
      }, noop);
    }
    const result = await awaitChannelCall(
      () =>
        command.command_type === 'jsonrpc'
          ? channel.send({
              requestId: command.request_id,
              message: command.jsonrpc,
              headers: command.headers,
              signal: work.signal,
              notify: (message) => this.#notify(task, message),
            })
          : channel.terminateSession({
              requestId: command.request_id,
              headers: command.headers,
              signal: work.signal,
            }),
      work.signal,
    );
    task.abort.signal.removeEventListener('abort', forward);
    if (result.kind === 'aborted') {
      if (task.abort.signal.aborted || !task.ttlFired) return undefined;
      this.#log.warn('command exceeded MCP_CONNECTION_MAX_TTL; answered 504', {
        request_id: command.request_id,
        channel: command.channel,
        ttl_ms: this.#ttlMs,
      });
      return TTL_EXCEEDED;
    }
    if (result.kind === 'threw' || !isOutcome(result.outcome)) {
      const error = result.kind === 'threw' ? result.error : 'invalid outcome';
      this.#log.error('channel failed instead of answering (a bug); answered 502', {
        request_id: command.request_id,
        channel: command.channel,
        error,
      });
      return CHANNEL_THREW;
    }
    return result.outcome;
  }

  #notify(task: Task, message: JsonObject): void {
    if (task.phase !== 'working' || task.notifyFailed || task.abort.signal.aborted) {
      this.#log.debug('notification not posted', { request_id: task.command.request_id, phase: task.phase });
      return;
    }
    task.notifyChain = task.notifyChain.then(() => this.#postNotify(task, message));
  }

  async #postNotify(task: Task, message: JsonObject): Promise<void> {
    if (task.notifyFailed || task.abort.signal.aborted) return;
    const { command } = task;
    try {
      const result = await this.#client.respond(notifyPayload(command, message), {
        shardToken: command.shard_token,
        kind: 'notify',
        signal: task.abort.signal,
        deadline: task.deadline,
      });
      if (result === 'gone') {
        task.notifyFailed = true;
        this.#log.info('control plane no longer expects this command (404 on a notification)', {
          request_id: command.request_id,
        });
      }
    } catch (error) {
      if (task.abort.signal.aborted) return;
      task.notifyFailed = true;
      this.#log.warn('notification POST failed; skipping the rest of this command’s notifications', {
        request_id: command.request_id,
        error,
      });
    }
  }

  async #answer(task: Task, outcome: ChannelOutcome | undefined): Promise<void> {
    if (outcome !== undefined) await task.notifyChain;
    if (outcome === undefined || task.abort.signal.aborted || this.#pastDeadline(task)) {
      this.#finish(task, this.#abortedOutcome(task));
      return;
    }
    const { command } = task;
    const payload = terminalPayload(command, outcome);
    // Serialized once: the POST body, and the answer's size for the command record.
    // A channel's pre-serialized answer is used only when it is the payload's resp_json.
    const respJsonText =
      outcome.kind === 'jsonrpc' && payload.resp_json === outcome.message ? outcome.messageText : undefined;
    const { body, respJsonBytes } = encodeResponsePayload(payload, respJsonText);
    const extra: AnswerFacts = { status: payload.resp_code, outcome, responseBytes: respJsonBytes };
    try {
      const result = await this.#client.respond(payload, {
        shardToken: command.shard_token,
        kind: 'terminal',
        signal: task.abort.signal,
        deadline: task.deadline,
        body,
      });
      this.#remember(command.request_id);
      if (result === 'gone') {
        this.#log.info('control plane no longer expects this command (404); not replayed', {
          request_id: command.request_id,
        });
        this.#finish(task, 'gone', true, extra);
        return;
      }
      this.#finish(task, answeredOutcome(outcome), true, extra);
    } catch (error) {
      if (task.abort.signal.aborted) {
        this.#finish(task, this.#abortedOutcome(task), true, extra);
        return;
      }
      this.#log.warn('response POST failed after retries; the caller gets no answer', {
        request_id: command.request_id,
        error,
      });
      this.#finish(task, 'post_failed', true, extra);
    }
  }

  #pastDeadline(task: Task): boolean {
    return task.deadline !== undefined && this.#clock.now() >= task.deadline;
  }

  #abortedOutcome(task: Task): CommandOutcomeKind {
    return task.abort.signal.reason === STOPPED ? 'cancelled' : 'expired';
  }

  #remember(requestId: string): void {
    this.#answered.add(requestId);
    if (this.#answered.size > ANSWERED_MEMORY) {
      const oldest = this.#answered.values().next().value;
      if (oldest !== undefined) this.#answered.delete(oldest);
    }
  }

  #finish(task: Task, kind: CommandOutcomeKind, counted = true, extra?: AnswerFacts): void {
    task.phase = 'done';
    task.timers.abort(SETTLED);
    if (counted) this.#inflight.delete(task.command.request_id);
    if (this.#onOutcome) {
      const source = extra?.outcome.kind === 'failure' ? extra.outcome.failure.source : undefined;
      this.#onOutcome(kind, source, task.notifyFailed);
    }
    if (this.#onRecord) this.#record(task, kind, extra);
    if (!counted) return;
    if (this.freeCapacity() > 0) this.#capacityWaiters.wakeAll();
    if (this.#inflight.size === 0) this.#idleWaiters.wakeAll();
    this.#onChange();
  }

  #record(task: Task, kind: CommandOutcomeKind, answer?: AnswerFacts): void {
    const now = this.#clock.now();
    const record = buildRecord({
      command: task.command,
      kind,
      startedAt: task.startedAt,
      queueMs: (task.worked ? task.workStart : now) - task.acceptedAt,
      mcpMs: task.worked ? task.workEnd - task.workStart : 0,
      postMs: task.worked ? now - task.workEnd : 0,
      notifyPostFailed: task.notifyFailed,
      answer,
    });
    try {
      this.#onRecord?.(record);
    } catch (error) {
      this.#log.warn('command record listener failed', { error });
    }
  }
}
