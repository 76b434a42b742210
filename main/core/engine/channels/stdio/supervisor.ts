/**
 * Keeps one stdio MCP server running: preflight, spawn, attach to the multiplexer, and on exit
 * fail what was in flight, back off, respawn and (via the multiplexer) replay the handshake.
 *
 * State:
 *
 *   idle ──start()──▶ starting ──spawned──▶ ready ──child exited──▶ restarting ──spawned──▶ ready
 *                        │                                              │
 *                        └──preflight/spawn fails──▶ failed ◀───────────┘
 *                                                    └──backoff, retry ──spawned──▶ ready
 *   any ──stop()──▶ stopped
 *
 * Backoff doubles from `initialMs` to `maxMs` and resets once a child stays up `resetAfterMs`.
 */
import type { Logger } from '../../../observability/logger.js';
import type { Clock } from '../../../runtime/clock.js';
import type { StreamMultiplexer } from '../stream/stream-multiplexer.js';
import type { RunningChild } from './child-process.js';
import { killProcessTree, processGroupAlive, type KillTreeOptions } from './kill-tree.js';

const GROUP_POLL_MS = 25;

export interface RestartBackoff {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoff = {
  initialMs: 200,
  maxMs: 30_000,
  resetAfterMs: 60_000,
};

export type SupervisorState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'ready'; child: RunningChild; since: number }
  | { kind: 'restarting'; lastError: string }
  | { kind: 'failed'; lastError: string }
  | { kind: 'stopped' };

export interface SupervisorOptions {
  logger: Logger;
  clock: Clock;
  mux: StreamMultiplexer;
  /** Preflight + spawn of one child; rejects with a StdioChannelError. */
  launch: () => Promise<RunningChild>;
  backoff: RestartBackoff;
  stopGraceMs: number;
  killTree?: KillTreeOptions;
}

export class StdioSupervisor {
  #state: SupervisorState = { kind: 'idle' };
  #restarts = 0;
  #spawned = 0;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(private readonly options: SupervisorOptions) {}

  get state(): SupervisorState {
    return this.#state;
  }
  get restarts(): number {
    return this.#restarts;
  }

  /** Resolves after the first spawn attempt (state `ready` or `failed`); retries continue after. */
  start(): Promise<void> {
    if (this.#loop || this.#state.kind === 'stopped') return Promise.resolve();
    return new Promise((firstAttempt) => {
      this.#loop = this.#run(firstAttempt).catch((err: unknown) => {
        this.options.logger.error('stdio supervisor crashed', { error: String(err) });
      });
    });
  }

  async stop(): Promise<void> {
    if (this.#state.kind === 'stopped') return;
    const running = this.#state.kind === 'ready' ? this.#state.child : undefined;
    this.#state = { kind: 'stopped' };
    this.#stop.abort();
    this.options.mux.close();
    if (running) await this.#terminate(running);
    await this.#loop;
  }

  async #run(firstAttempt: () => void): Promise<void> {
    const { logger, clock, mux, backoff } = this.options;
    const signal = this.#stop.signal;
    let delay = backoff.initialMs;
    let lastError: string | undefined;
    while (!signal.aborted) {
      if (this.#state.kind === 'idle') this.#state = { kind: 'starting' };
      let child: RunningChild;
      try {
        child = await this.options.launch();
      } catch (err) {
        lastError = err instanceof Error ? err.message : 'The MCP server could not be started.';
        firstAttempt();
        if (signal.aborted) return;
        this.#state = { kind: 'failed', lastError };
        mux.setUnavailable();
        logger.warn('MCP server could not be started; retrying', { error: lastError, retryInMs: delay });
        if (!(await this.#sleep(delay))) return;
        delay = Math.min(delay * 2, backoff.maxMs);
        continue;
      }
      if (signal.aborted) {
        await this.#terminate(child);
        return;
      }
      if (this.#spawned++ > 0) this.#restarts++;
      const since = clock.now();
      this.#state = { kind: 'ready', child, since };
      logger.info('MCP server started', { pid: child.pid, restarts: this.#restarts });
      firstAttempt();
      void mux.linkUp(child.link);
      const exit = await child.exited;
      mux.linkDown();
      killProcessTree(child.pid, 'SIGKILL', this.options.killTree); // stragglers the leader left behind
      if (signal.aborted) return;
      if (clock.now() - since >= backoff.resetAfterMs) delay = backoff.initialMs;
      const how = exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
      lastError = `The MCP server exited (${how}); restarting. See its stderr in the logs.`;
      this.#state = { kind: 'restarting', lastError };
      logger.warn('MCP server exited; restarting', {
        pid: child.pid,
        code: exit.code,
        signal: exit.signal,
        retryInMs: delay,
      });
      if (!(await this.#sleep(delay))) return;
      delay = Math.min(delay * 2, backoff.maxMs);
    }
  }

  /** Close stdin, wait the grace period, SIGTERM the group, wait again, SIGKILL the group. */
  async #terminate(child: RunningChild): Promise<void> {
    const tree = this.options.killTree;
    const grace = this.options.stopGraceMs;
    child.closeStdin();
    if (!(await this.#treeGoneWithin(child, grace))) {
      killProcessTree(child.pid, 'SIGTERM', tree);
      if (!(await this.#treeGoneWithin(child, grace))) {
        killProcessTree(child.pid, 'SIGKILL', tree);
        await this.#treeGoneWithin(child, grace);
      }
    }
    killProcessTree(child.pid, 'SIGKILL', tree);
  }

  /** True once the child has exited and (POSIX) nothing of its process group is left. */
  async #treeGoneWithin(child: RunningChild, ms: number): Promise<boolean> {
    const { clock } = this.options;
    const deadline = clock.now() + ms;
    const timer = new AbortController();
    const elapsed = clock.sleep(ms, timer.signal).then(
      () => false,
      () => false,
    );
    const exited = await Promise.race([child.exited.then(() => true), elapsed]);
    timer.abort();
    if (!exited) return false;
    while (processGroupAlive(child.pid, this.options.killTree)) {
      const left = deadline - clock.now();
      if (left <= 0) return false;
      await clock.sleep(Math.min(GROUP_POLL_MS, left));
    }
    return true;
  }

  async #sleep(ms: number): Promise<boolean> {
    try {
      await this.options.clock.sleep(ms, this.#stop.signal);
      return true;
    } catch {
      return false;
    }
  }
}
